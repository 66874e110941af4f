/**
 * The protobufjs reader the OTLP decoders read with: protobufjs's own reader of the payload (the
 * Buffer reader for Buffers), with two changes that do not change what is decoded:
 * - short ASCII strings (attribute keys, routes, file paths, function and service names: the same
 *   few strings in every span) come from a small cache of earlier results, checked byte for byte,
 *   instead of a native UTF-8 decode and a new string each time. ASCII decodes to the same string
 *   whichever way; anything else (longer, non-ASCII, cut short) goes to protobufjs's own `string()`.
 *   Repeated strings are then also one object, so maps keyed by them (the aggregator's) hash once.
 * - unknown fields are skipped without keeping their raw bytes (`$unknowns`, which nothing reads).
 */
import { Reader } from 'protobufjs/light';

const CACHE_BITS = 12;
const CACHE_MASK = (1 << CACHE_BITS) - 1;
/** Longest string taken from the cache, in bytes. */
const CACHE_MAX_LENGTH = 64;
/** Decoded strings by a hash of their bytes: direct-mapped, shared by all payloads, bounded (4,096 × 64 characters). */
const cache: (string | undefined)[] = new Array<string | undefined>(CACHE_MASK + 1).fill(undefined);

type StringReader = (this: Reader) => string;

/** A protobufjs reader of `payload` that reads strings through the cache. */
export function internReader(payload: Uint8Array): Reader {
  const r = Reader.create(payload);
  const original = (Object.getPrototypeOf(r) as { string: StringReader }).string;
  r.discardUnknown = true;
  r.string = function cachedString(this: Reader): string {
    const buf = this.buf;
    const at = this.pos;
    const len = this.size();
    const start = this.pos;
    const end = start + len;
    if (len > CACHE_MAX_LENGTH || end > this.len) {
      this.pos = at;
      return original.call(this);
    }
    let h = len;
    for (let i = start; i < end; i++) {
      const b = buf[i]!;
      if (b >= 128) {
        this.pos = at;
        return original.call(this);
      }
      h = Math.imul(h ^ b, 16777619);
    }
    const slot = (h ^ (h >>> 15)) & CACHE_MASK;
    const hit = cache[slot];
    if (hit !== undefined && hit.length === len) {
      let i = 0;
      while (i < len && hit.charCodeAt(i) === buf[start + i]) i++;
      if (i === len) {
        this.pos = end;
        return hit;
      }
    }
    this.pos = at;
    const s = original.call(this);
    cache[slot] = s;
    return s;
  };
  return r;
}
