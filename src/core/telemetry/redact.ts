/**
 * Masks values that look like secrets before log lines and telemetry attributes are shown in the
 * editor: passwords in connection URLs (`postgres://user:pw@host`), `password=…`-style pairs (also
 * JSON and quoted), bearer/basic credentials, AWS access key ids, JWTs. Idempotent: redacting twice
 * gives the same text. Keeps what a developer needs to read the line (user, host, key names).
 */

export const MASK = '***';

/** Attribute/field names whose values are secrets whatever they look like. */
const SECRET_KEY = /(pass(word|wd)?|pwd|secret|token|api[-_.]?key|access[-_.]?key|private[-_.]?key|credential|authorization|cookie|session[-_.]?id|dsn|connection[-_.]?string)$/i;

const RULES: readonly [RegExp, string | ((...m: string[]) => string)][] = [
  // scheme://user:password@host — keep the user, mask the password
  [/\b([a-z][a-z0-9+.-]*:\/\/[^\s:/@'"]*:)([^\s@/'"]+)(@)/gi, (_m, a, pw, b) => (pw === MASK ? `${a}${pw}${b}` : `${a}${MASK}${b}`)],
  // Authorization: Bearer/Basic/Token <credential>
  [/\b(bearer|basic|token)(\s+)([A-Za-z0-9._~+/=-]{8,})/gi, (_m, kind, sp) => `${kind}${sp}${MASK}`],
  // "password": "value" (JSON) and password: 'value'
  [/(["']?)([A-Za-z0-9_.-]*(?:pass(?:word|wd)?|pwd|secret|token|api[-_.]?key|access[-_.]?key|private[-_.]?key|credential)[A-Za-z0-9_.-]*)\1(\s*[:=]\s*)(["'])((?:(?!\4).)*)\4/gi, (_m, q, k, sep, vq) => `${q}${k}${q}${sep}${vq}${MASK}${vq}`],
  // password=value, token: value (unquoted), up to a separator
  [/\b([A-Za-z0-9_.-]*(?:pass(?:word|wd)?|pwd|secret|token|api[-_.]?key|access[-_.]?key|private[-_.]?key|credential)[A-Za-z0-9_.-]*)(\s*[=:]\s*)(?!["'\s])([^\s&;,'"}]+)/gi, (_m, k, sep, v) => (v === MASK ? `${k}${sep}${v}` : `${k}${sep}${MASK}`)],
  // AWS access key ids
  [/\b(AKIA|ASIA)[A-Z0-9]{16}\b/g, (_m, p) => `${p}${MASK}`],
  // JWTs (three base64url parts, the first a JSON header)
  [/\beyJ[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]*/g, MASK],
];

/** The text with secret-looking values masked. */
export function redact(text: string): string {
  let out = text;
  for (const [re, rep] of RULES) out = out.replace(re, rep as (substring: string, ...args: string[]) => string);
  return out;
}

/** Is this attribute name one whose value is always secret? */
export function isSecretKey(key: string): boolean {
  return SECRET_KEY.test(key);
}

/** Attribute values redacted: a secret-named key's value is masked whole; strings (also in arrays) through {@link redact}. */
export function redactAttributes<T>(attrs: Readonly<Record<string, T>>): Record<string, T | string> {
  const out: Record<string, T | string> = {};
  for (const [k, v] of Object.entries(attrs)) out[k] = redactValue(k, v);
  return out;
}

function redactValue<T>(key: string, v: T): T | string {
  if (v === null || v === undefined) return v;
  if (isSecretKey(key) && (typeof v === 'string' || typeof v === 'number')) return MASK;
  if (typeof v === 'string') return redact(v);
  if (Array.isArray(v)) return v.map((x: unknown) => (typeof x === 'string' ? redact(x) : x)) as T;
  return v;
}
