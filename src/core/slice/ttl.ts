/**
 * Slice lifetimes: "4h", "90m", "2d", "1h30m", "45s" → milliseconds; the expiry a slice gets at
 * creation and after an Extend TTL, always capped at now + the platform's maximum.
 */
import { ttlText } from '../base/duration';

const UNIT_MS: Readonly<Record<string, number>> = { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };
const DURATION = /^(?:\d+[smhd])+$/;

/** Milliseconds of a duration like "4h", "1h30m" or "2d"; undefined when it is not one (or is 0). */
export function parseDuration(text: string): number | undefined {
  const s = text.trim().toLowerCase();
  if (!DURATION.test(s)) return undefined;
  let total = 0;
  for (const m of s.matchAll(/(\d+)([smhd])/g)) total += Number(m[1]) * (UNIT_MS[m[2] ?? ''] ?? 0);
  return total > 0 && Number.isSafeInteger(total) ? total : undefined;
}

export function parseTimestamp(text: string | undefined): number | undefined {
  if (!text) return undefined;
  const t = Date.parse(text);
  return Number.isFinite(t) ? t : undefined;
}

/** RFC 3339 at second precision, as the API server writes timestamps. */
export function rfc3339(ms: number): string {
  return new Date(Math.floor(ms / 1000) * 1000).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

export interface ExpiryDecision {
  /** The expiry the slice should have in spec.expiresAt (RFC 3339). */
  readonly expiresAt: string;
  /** True when spec.expiresAt must be written (missing, unparsable or beyond the cap). */
  readonly writeSpec: boolean;
  /** Why the value differs from what was asked, in words (for an event/condition message). */
  readonly note?: string;
}

/**
 * The expiry of a slice: spec.expiresAt if set and within now + maxTTL; otherwise from spec.ttl
 * (or the default TTL), capped at maxTTL. An unparsable ttl falls back to the default with a note.
 */
export function decideExpiry(
  spec: { readonly ttl?: string; readonly expiresAt?: string },
  nowMs: number,
  cfg: { readonly defaultTtlMs: number; readonly maxTtlMs: number },
): ExpiryDecision {
  const cap = nowMs + cfg.maxTtlMs;
  const current = parseTimestamp(spec.expiresAt);
  if (current !== undefined) {
    if (current <= cap) return { expiresAt: rfc3339(current), writeSpec: false };
    return { expiresAt: rfc3339(cap), writeSpec: true, note: `expiresAt ${spec.expiresAt} is beyond the platform maximum of ${ttlText(cfg.maxTtlMs)} from now: clamped to ${rfc3339(cap)}` };
  }
  let ttl = cfg.defaultTtlMs;
  let note: string | undefined;
  if (spec.expiresAt) note = `expiresAt "${spec.expiresAt}" is not an RFC 3339 time: using the TTL instead`;
  if (spec.ttl) {
    const asked = parseDuration(spec.ttl);
    if (asked === undefined) note = `ttl "${spec.ttl}" is not a duration like 4h, 90m or 2d: using the default ${ttlText(cfg.defaultTtlMs)}`;
    else if (asked > cfg.maxTtlMs) {
      ttl = cfg.maxTtlMs;
      note = `ttl ${spec.ttl} is longer than the platform maximum ${ttlText(cfg.maxTtlMs)}: capped`;
    } else ttl = asked;
  }
  return note === undefined ? { expiresAt: rfc3339(nowMs + ttl), writeSpec: true } : { expiresAt: rfc3339(nowMs + ttl), writeSpec: true, note };
}

export function isExpired(expiresAt: string | undefined, nowMs: number): boolean {
  const t = parseTimestamp(expiresAt);
  return t !== undefined && t <= nowMs;
}
