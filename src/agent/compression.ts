import { deflateRawSync } from 'node:zlib';

/** Payloads below this size travel uncompressed: deflate costs more than the bytes it saves. */
export const COMPRESS_THRESHOLD = 16 * 1024;

/** Deflates a payload when it is large and the result is meaningfully smaller. */
export function deflateIfWorthIt(payload: Uint8Array): { payload: Uint8Array; compressed: boolean } {
  if (payload.length < COMPRESS_THRESHOLD) return { payload, compressed: false };
  const packed = deflateRawSync(payload, { level: 1 });
  return packed.length < payload.length * 0.9 ? { payload: packed, compressed: true } : { payload, compressed: false };
}
