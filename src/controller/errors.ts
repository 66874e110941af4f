/** Kubernetes API errors in words: the status code and the API server's own message. */
export function statusCodeOf(e: unknown): number | undefined {
  const err = e as { code?: unknown; statusCode?: unknown; response?: { statusCode?: unknown } } | undefined;
  for (const c of [err?.code, err?.statusCode, err?.response?.statusCode]) if (typeof c === 'number') return c;
  return undefined;
}

export function apiMessage(e: unknown): string {
  const body = (e as { body?: unknown } | undefined)?.body;
  let parsed: unknown = body;
  if (typeof body === 'string') {
    try {
      parsed = JSON.parse(body);
    } catch {
      parsed = undefined;
    }
  }
  const msg = (parsed as { message?: unknown } | undefined)?.message;
  if (typeof msg === 'string' && msg) return msg;
  if (e instanceof Error) return e.message.split('\n')[0] ?? e.message;
  return String(e);
}

export const isNotFound = (e: unknown): boolean => statusCodeOf(e) === 404;
export const isConflict = (e: unknown): boolean => statusCodeOf(e) === 409;
