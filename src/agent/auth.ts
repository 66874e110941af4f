import { createHash, timingSafeEqual } from 'node:crypto';

/**
 * Compares a presented bearer token with the slice's token in constant time. Both are hashed first,
 * so neither their contents nor their lengths leak through timing.
 */
export function tokenMatches(presented: string | undefined, expected: string): boolean {
  if (!expected) return false;
  const a = createHash('sha256').update(presented ?? '').digest();
  const b = createHash('sha256').update(expected).digest();
  return timingSafeEqual(a, b) && presented !== undefined;
}

/** The token from an `Authorization: Bearer …` header, or undefined. */
export function bearerToken(header: string | undefined): string | undefined {
  if (!header) return undefined;
  const m = /^Bearer\s+(\S+)\s*$/i.exec(header);
  return m?.[1];
}
