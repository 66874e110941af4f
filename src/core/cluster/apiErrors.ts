/**
 * Kubernetes API errors in words: the HTTP status and the API server's own message, from whatever a
 * client threw (@kubernetes/client-node's ApiException, an older client's HttpError, a plain Error).
 * One mapping for every caller of the API: the slice controller and the extension's isolation checks.
 */

/** The HTTP status of a failed API call (`code`, `statusCode` or `response.statusCode`), when the error carries one. */
export function statusCodeOf(e: unknown): number | undefined {
  if (e === null || typeof e !== 'object') return undefined;
  const err = e as { code?: unknown; statusCode?: unknown; response?: { statusCode?: unknown } | null };
  for (const c of [err.code, err.statusCode, err.response?.statusCode]) if (typeof c === 'number') return c;
  return undefined;
}

/**
 * The API server's message (the `message` of the Status in the body, parsed when it is JSON text),
 * else the first line of the error's own message (never a stack, never the raw body), else the value in words.
 */
export function apiMessage(e: unknown): string {
  const msg = statusMessage((e as { body?: unknown } | null | undefined)?.body);
  if (msg) return msg;
  if (e instanceof Error) return e.message.split('\n')[0] ?? e.message;
  return String(e);
}

export const isNotFound = (e: unknown): boolean => statusCodeOf(e) === 404;
export const isConflict = (e: unknown): boolean => statusCodeOf(e) === 409;

/** How {@link statusMessage} treats a body that is not JSON. */
export interface StatusMessageOptions {
  /**
   * Keep a body that is not JSON as the message when it is shorter than this many characters (a plain-text
   * answer such as `404 page not found` from the API server's mux or a proxy). Unset: such a body is no message,
   * for callers that fall back to the error's own first line and never show a raw body.
   */
  readonly keepTextBodyBelow?: number;
}

/**
 * The `message` of a Kubernetes Status body (an object, or its JSON text); undefined when there is none or it is empty.
 * A body that is not JSON is undefined, unless `keepTextBodyBelow` keeps a short one as it is.
 */
export function statusMessage(body: unknown, options: StatusMessageOptions = {}): string | undefined {
  let parsed: unknown = body;
  if (typeof body === 'string') {
    try {
      parsed = JSON.parse(body);
    } catch {
      const below = options.keepTextBodyBelow;
      return below !== undefined && body.length > 0 && body.length < below ? body : undefined;
    }
  }
  const msg = (parsed as { message?: unknown } | null | undefined)?.message;
  return typeof msg === 'string' && msg ? msg : undefined;
}
