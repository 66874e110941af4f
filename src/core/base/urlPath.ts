/**
 * A request target as it may be logged: the path only. A query string or fragment can carry a token
 * (`?access_token=…`), so it never reaches a log; control characters are escaped and the length capped.
 */
export function loggablePath(target: string | undefined, max = 200): string {
  const path = (target ?? '').split(/[?#]/, 1)[0] ?? '';
  // eslint-disable-next-line no-control-regex
  const clean = path.replace(/[\u0000-\u001f\u007f]/g, (c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`);
  const hidden = path.length < (target ?? '').length ? '?…' : '';
  return (clean.length > max ? `${clean.slice(0, max)}…` : clean) + hidden || '?';
}
