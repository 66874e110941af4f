/**
 * OTLP scalars: trace/span ids (hex in OTLP/JSON, base64 in the proto3 JSON of other tools, bytes in
 * protobuf), int64 (string or number in JSON, Long or number from protobufjs) and nanosecond times.
 */

const HEX = '0123456789abcdef';
const HEX_CODE: readonly number[] = Array.from(HEX, (c) => c.charCodeAt(0));
const CODES_16: number[] = new Array<number>(32).fill(48);
const CODES_8: number[] = new Array<number>(16).fill(48);

/** Bytes as lowercase hex; '' when the length is not `expected` (16 for trace ids, 8 for span ids) or all zero. */
export function bytesToHexId(b: Uint8Array | null | undefined, expected: number): string {
  if (!b || b.length !== expected) return '';
  // one flat string from char codes (no chain of 16 concatenations to flatten later, e.g. as a Map key)
  const codes = expected === 16 ? CODES_16 : expected === 8 ? CODES_8 : new Array<number>(expected * 2);
  let any = 0;
  for (let i = 0; i < expected; i++) {
    const v = b[i]!;
    any |= v;
    codes[2 * i] = HEX_CODE[v >> 4]!;
    codes[2 * i + 1] = HEX_CODE[v & 15]!;
  }
  return any === 0 ? '' : String.fromCharCode.apply(null, codes);
}


/** Per ASCII char code: 0 for a lowercase hex digit, 1 for an uppercase one, -1 for anything else. */
const HEX_CLASS: Int8Array = (() => {
  const t = new Int8Array(128).fill(-1);
  for (let c = 48; c <= 57; c++) t[c] = 0;
  for (let c = 97; c <= 102; c++) t[c] = 0;
  for (let c = 65; c <= 70; c++) t[c] = 1;
  return t;
})();

/**
 * An id from OTLP/JSON: hex of `bytes` bytes (any case), or base64 of them. Returns lowercase hex,
 * or '' when empty, invalid or all zero.
 */
export function jsonId(v: unknown, bytes: number): string {
  if (typeof v !== 'string' || v.length === 0) return '';
  if (v.length !== bytes * 2) return base64Id(v, bytes);
  const hex = hexIn(v, 0, v.length);
  if (hex === NOT_HEX) return base64Id(v, bytes);
  if (hex === ZERO_HEX) return '';
  return hex === LOWER_HEX ? v : v.toLowerCase();
}

const NOT_HEX = -1;
const ZERO_HEX = 0;
const LOWER_HEX = 1;
const MIXED_HEX = 2;

/**
 * What `text.slice(start, end)` is as hex, read in place: not hex, all zeros, lowercase, or with
 * uppercase digits. One pass without branches per char: OR the classes (negative once any char is
 * not hex) and the digits' distance from '0' (zero only when every char is '0').
 */
function hexIn(text: string, start: number, end: number): typeof NOT_HEX | typeof ZERO_HEX | typeof LOWER_HEX | typeof MIXED_HEX {
  let cls = 0;
  let nonZero = 0;
  for (let i = start; i < end; i++) {
    const c = text.charCodeAt(i);
    cls |= c < 128 ? HEX_CLASS[c]! : -1;
    nonZero |= c ^ 48;
  }
  if (cls < 0) return NOT_HEX;
  if (nonZero === 0) return ZERO_HEX;
  return cls === 0 ? LOWER_HEX : MIXED_HEX;
}

function base64Id(v: string, bytes: number): string {
  const b = base64ToBytes(v);
  return b ? bytesToHexId(b, bytes) : '';
}

const B64: Int8Array = (() => {
  const t = new Int8Array(128).fill(-1);
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
  for (let i = 0; i < alphabet.length; i++) t[alphabet.charCodeAt(i)] = i;
  t['-'.charCodeAt(0)] = 62; // base64url
  t['_'.charCodeAt(0)] = 63;
  return t;
})();

/** Decodes standard or URL-safe base64 (padding optional); undefined when invalid. */
export function base64ToBytes(s: string): Uint8Array | undefined {
  let end = s.length;
  while (end > 0 && s.charCodeAt(end - 1) === 61) end--; // '='
  if (end % 4 === 1) return undefined;
  const out = new Uint8Array(Math.floor((end * 3) / 4));
  let acc = 0;
  let bits = 0;
  let o = 0;
  for (let i = 0; i < end; i++) {
    const c = s.charCodeAt(i);
    const v = c < 128 ? B64[c]! : -1;
    if (v < 0) return undefined;
    acc = ((acc << 6) | v) & 0xffffff;
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out[o++] = (acc >> bits) & 0xff;
    }
  }
  return out;
}

/** A Long as protobufjs returns it when long.js is present. */
export interface LongLike {
  readonly low: number;
  readonly high: number;
  readonly unsigned: boolean;
}

function isLong(v: unknown): v is LongLike {
  return typeof v === 'object' && v !== null && typeof (v as LongLike).low === 'number' && typeof (v as LongLike).high === 'number';
}

/** An int64/uint64 as a number (precision is lost above 2^53); NaN when not an integer. */
export function int64ToNumber(v: unknown): number {
  if (typeof v === 'number') return Number.isFinite(v) ? Math.trunc(v) : NaN;
  if (typeof v === 'string') {
    if (v.length === 0 || v.length > 21) return NaN;
    const n = Number(v);
    return Number.isFinite(n) ? Math.trunc(n) : NaN;
  }
  if (isLong(v)) {
    const lo = v.low >>> 0;
    if (v.unsigned || v.high >= 0) return (v.high >>> 0) * 4294967296 + lo;
    return v.high * 4294967296 + lo;
  }
  return NaN;
}

/**
 * Unix nanoseconds (decimal string, number or Long) as Unix milliseconds; 0 when absent or invalid.
 * Strings and Longs are split exactly into whole milliseconds and the rest, so the result is the
 * double nearest to the true value (a plain `Number(ns) / 1e6` is off by up to ~0.2 µs).
 */
export function nanosToMs(v: unknown): number {
  if (typeof v === 'string') return decimalNanosToMs(v);
  if (isLong(v)) {
    const high = v.high >>> 0;
    if (!v.unsigned && v.high < 0) return 0;
    // value = high * 2^32 + low, and 2^32 = 4294 * 1e6 + 967296
    const t = high * 967296 + (v.low >>> 0); // < 2^53: exact
    const rest = t % 1e6;
    return high * 4294 + (t - rest) / 1e6 + rest / 1e6;
  }
  const n = int64ToNumber(v);
  return n > 0 ? n / 1e6 : 0;
}

function decimalNanosToMs(s: string): number {
  return decimalRangeNanosToMs(s, 0, s.length);
}

/**
 * {@link nanosToMs} of the decimal string `text.slice(start, end)`, read in place (the OTLP/JSON
 * scanner calls it on the payload without cutting the string out).
 */
export function decimalRangeNanosToMs(text: string, start: number, end: number): number {
  const len = end - start;
  if (len === 0 || len > 20) return 0;
  let whole = 0;
  let frac = 0;
  const split = end - 6;
  for (let i = start; i < end; i++) {
    const d = text.charCodeAt(i) - 48;
    if (d < 0 || d > 9) {
      const n = Number(text.slice(start, end));
      return Number.isFinite(n) && n > 0 ? n / 1e6 : 0;
    }
    if (i < split) whole = whole * 10 + d;
    else frac = frac * 10 + d;
  }
  return whole + frac / 1e6;
}

/**
 * How {@link jsonId} reads `text.slice(start, end)`, checked in place: 1 when it is lowercase hex
 * of `bytes` bytes (the id is that text as it is), 0 when that hex is all zeros (no id), -1 for
 * anything else (uppercase, base64, another length), which the caller hands to {@link jsonId}.
 */
export function lowerHexIdIn(text: string, start: number, end: number, bytes: number): -1 | 0 | 1 {
  if (end - start !== 2 * bytes) return -1;
  const hex = hexIn(text, start, end);
  return hex === ZERO_HEX ? 0 : hex === LOWER_HEX ? 1 : -1;
}
