/**
 * SHA-256 for names that must stay distinct even when someone picks their input to collide with
 * another's (owner slugs, database names): a 32-bit hash can be brute-forced in seconds, a 64-bit
 * prefix of SHA-256 cannot be matched to a given name (second preimage) in any useful time.
 */
import { sha256 } from '@noble/hashes/sha2.js';
import { bytesToHex, utf8ToBytes } from '@noble/hashes/utils.js';

/** The first `hexChars` hex digits of SHA-256 over the UTF-8 bytes of `s`. */
export function digestHex(s: string, hexChars = 16): string {
  return bytesToHex(sha256(utf8ToBytes(s))).slice(0, hexChars);
}
