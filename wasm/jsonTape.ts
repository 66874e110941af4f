/**
 * A JSON structural scanner in AssemblyScript, compiled to WebAssembly (../scripts/build-wasm.mjs):
 * it checks a payload against the JSON grammar (RFC 8259, as `JSON.parse` reads it) and writes a
 * tape of its tokens for the OTLP/JSON decoder (src/core/telemetry/otlp/jsonTape/), which reads
 * the few fields it needs from the tape and the payload's text without building the whole tree.
 *
 * A token is four i32: kind | flags << 4, start, end, extra.
 *   OBJECT, ARRAY   start at the bracket, end after the closing one, extra = the tape index after the last token inside
 *   STRING          the content between the quotes; flag ESCAPED when it has a backslash. A string of at most
 *                   CACHED_MAX bytes without escapes also has its slot in the string cache (kind | slot << 8) and extra =
 *                   the version of that slot's content: two tokens of the same slot and version have the same
 *                   bytes (versions are never reused within an epoch, see epoch()); extra = 0 for other strings
 *   KEY             as STRING, followed by its value's token(s); extra = the id of a known key (1 + its index), 0 for others
 *   NUMBER, TRUE, FALSE, NULL   the literal's characters
 *
 * scan() answers the token count, INVALID (not JSON: the caller asks JSON.parse for its message), or
 * UNHANDLED (valid or not, read it with JSON.parse: a byte above 0x7F, so byte offsets are not
 * string indexes; a key with an escape; nesting deeper than MAX_DEPTH).
 */

const OBJECT: i32 = 1;
const ARRAY: i32 = 2;
const STRING: i32 = 3;
const NUMBER: i32 = 4;
const TRUE: i32 = 5;
const FALSE: i32 = 6;
const NULL: i32 = 7;
const KEY: i32 = 8;
const ESCAPED: i32 = 1 << 4;

const QUOTES: v128 = i8x16.splat(34);
const BACKSLASHES: v128 = i8x16.splat(92);
const SPACES: v128 = i8x16.splat(32);
const ZEROS: v128 = i8x16.splat(0);

const INVALID: i32 = -1;
const UNHANDLED: i32 = -2;

const MAX_DEPTH: i32 = 512;
/** The string cache: SLOTS slots of a length, a version and up to CACHED_MAX bytes. */
const CACHED_MAX: i32 = 64;
const SLOTS: i32 = 4096;
const SLOT_BYTES: usize = 8 + <usize>CACHED_MAX;
/** Known keys: a table of 512 slots (hash → 1 + index), their bytes and lengths. */
const KEY_SLOTS: i32 = 512;
const MAX_KEYS: i32 = 256;
const CACHE_VALUE: i32 = 1;

let keyTable: usize = 0; // KEY_SLOTS i32
let keyOffsets: usize = 0; // MAX_KEYS i32: offset of each key's bytes in keyBytes
let keyLengths: usize = 0; // MAX_KEYS i32
let keyFlags: usize = 0; // MAX_KEYS i32: CACHE_VALUE when the key's string value goes in the string cache
let keyBytes: usize = 0; // 8 KiB
let stack: usize = 0; // MAX_DEPTH i32: tape index of each open container
let slots: usize = 0; // SLOTS × SLOT_BYTES
let lastVersion: i32 = 0;
let epochs: i32 = 0;
let input: usize = 0;
let tapeStart: usize = 0;
let tapeEnd: usize = 0; // end of the tape's memory
let ready: bool = false;

function reserve(end: usize): void {
  const have = (<usize>memory.size()) << 16;
  if (end > have) {
    if (memory.grow(<i32>((end - have + 0xffff) >> 16)) < 0) unreachable();
  }
}

function layout(): void {
  const base = ((<usize>__heap_base) + 15) & ~(<usize>15);
  keyTable = base;
  keyOffsets = keyTable + (<usize>KEY_SLOTS << 2);
  keyLengths = keyOffsets + (<usize>MAX_KEYS << 2);
  keyFlags = keyLengths + (<usize>MAX_KEYS << 2);
  stack = keyFlags + (<usize>MAX_KEYS << 2);
  keyBytes = stack + (<usize>MAX_DEPTH << 2);
  slots = keyBytes + 8192;
  input = slots + <usize>SLOTS * SLOT_BYTES;
  reserve(input);
  ready = true;
}

/** Where the caller writes the known keys' bytes (at most 8 KiB), before {@link setKeys}. */
export function keysPointer(): usize {
  if (!ready) layout();
  return keyBytes;
}

/** Takes the `count` known keys written at keysPointer(), back to back, of the given lengths (written at lengthsPointer()). */
export function lengthsPointer(): usize {
  if (!ready) layout();
  return keyLengths;
}

/** Where the caller writes each known key's flags (CACHE_VALUE), before {@link setKeys}. */
export function flagsPointer(): usize {
  if (!ready) layout();
  return keyFlags;
}

/**
 * A hash of `len` bytes at `at` (at most CACHED_MAX, or a key) for the key table and the string
 * cache, eight bytes at a time (strings that share their ends, like file paths, must not share a slot).
 */
@inline function hashOf(at: usize, len: i32): u32 {
  let h: u64 = <u64>len * 0x9e3779b97f4a7c15;
  let i: i32 = 0;
  for (; i + 8 <= len; i += 8) h = rotl<u64>((h ^ load<u64>(at + <usize>i)) * 0xff51afd7ed558ccd, 23);
  if (i < len) h = rotl<u64>((h ^ (load<u64>(at + <usize>i) & ((<u64>1 << (<u64>(len - i) << 3)) - 1))) * 0xff51afd7ed558ccd, 23);
  h ^= h >> 29;
  return <u32>(h ^ (h >> 32));
}

/** A cheaper hash for the key table: the first eight bytes and the length (the OTLP keys differ in those). */
@inline function keyHashOf(at: usize, len: i32): u32 {
  const w = len >= 8 ? load<u64>(at) : len == 0 ? 0 : load<u64>(at) & ((<u64>1 << (<u64>len << 3)) - 1);
  const h = (w ^ <u64>len) * 0x9e3779b97f4a7c15;
  return <u32>(h >> 32);
}

/** `len` bytes at `a` and at `b` are the same (eight at a time). */
@inline function same(a: usize, b: usize, len: i32): bool {
  let i: i32 = 0;
  for (; i + 8 <= len; i += 8) if (load<u64>(a + <usize>i) != load<u64>(b + <usize>i)) return false;
  for (; i < len; i++) if (load<u8>(a + <usize>i) != load<u8>(b + <usize>i)) return false;
  return true;
}

export function setKeys(count: i32): void {
  memory.fill(keyTable, 0, <usize>KEY_SLOTS << 2);
  let offset: i32 = 0;
  for (let i: i32 = 0; i < count && i < MAX_KEYS; i++) {
    const len = load<i32>(keyLengths + (<usize>i << 2));
    store<i32>(keyOffsets + (<usize>i << 2), offset);
    const h = keyHashOf(keyBytes + <usize>offset, len);
    let slot = <i32>(h & <u32>(KEY_SLOTS - 1));
    while (load<i32>(keyTable + (<usize>slot << 2)) != 0) slot = (slot + 1) & (KEY_SLOTS - 1);
    store<i32>(keyTable + (<usize>slot << 2), i + 1);
    offset += len;
  }
}

/** Makes room for a payload of `length` bytes; answers where to write it. */
export function prepare(length: i32): usize {
  if (!ready) layout();
  tapeStart = (input + <usize>length + 16) & ~(<usize>15);
  // a guess at the tape's size (SDK payloads make a token per ~10 bytes); it grows when short
  tapeEnd = tapeStart + ((<usize>length >> 2) + 64) * 16;
  reserve(tapeEnd);
  return input;
}

/**
 * Bumped when the versions start again from 1 (after 2^31 - 1 of them): the caller then forgets the
 * strings it keeps by slot and version.
 */
export function epoch(): i32 {
  return epochs;
}

/** The slot of a string (its bytes at `start`, `len` of them, hash `h`) and its version, in the cache; the string goes in when not there. */
function cached(start: usize, len: i32, t: usize): void {
  const slot = <i32>(hashOf(start, len) & <u32>(SLOTS - 1));
  const at = slots + <usize>slot * SLOT_BYTES;
  let version = load<i32>(at, 4);
  if (load<i32>(at) != len || version == 0 || !same(at + 8, start, len)) {
    if (lastVersion == 0x7fffffff) {
      lastVersion = 0;
      epochs++;
      memory.fill(slots, 0, <usize>SLOTS * SLOT_BYTES);
    }
    version = ++lastVersion;
    store<i32>(at, len);
    store<i32>(at, version, 4);
    for (let i: usize = 0; i < <usize>len; i += 8) store<u64>(at + 8 + i, load<u64>(start + i));
  }
  store<i32>(t, STRING | (slot << 8));
  store<i32>(t, version, 12);
}

/** Where the tape starts (after scan()). */
export function tape(): usize {
  return tapeStart;
}

function grow(): void {
  const size = tapeEnd - tapeStart;
  tapeEnd = tapeStart + size * 2;
  reserve(tapeEnd);
}

/**
 * Inside a string: the first byte from `q` that is a quote, a backslash, a control or a non-ASCII
 * byte, sixteen bytes at a time (SIMD); a position within the last fifteen bytes when none is found
 * before them (the caller reads those one by one).
 */
@inline function plainUpTo(q: usize, end: usize): usize {
  while (q + 16 <= end) {
    const v = v128.load(q);
    const mask = i8x16.bitmask(v128.or(v128.or(i8x16.eq(v, QUOTES), i8x16.eq(v, BACKSLASHES)), v128.or(i8x16.lt_u(v, SPACES), i8x16.lt_s(v, ZEROS))));
    if (mask != 0) return q + <usize>ctz<i32>(mask);
    q += 16;
  }
  return q;
}

@inline function ws(c: u32): bool {
  return c == 32 || c == 10 || c == 13 || c == 9;
}

function keyId(start: usize, end: usize): i32 {
  const len = <i32>(end - start);
  const h = keyHashOf(start, len);
  let slot = <i32>(h & <u32>(KEY_SLOTS - 1));
  for (;;) {
    const id = load<i32>(keyTable + (<usize>slot << 2));
    if (id == 0) return 0;
    if (load<i32>(keyLengths + (<usize>(id - 1) << 2)) == len) {
      const k = keyBytes + <usize>load<i32>(keyOffsets + (<usize>(id - 1) << 2));
      if (same(k, start, len)) return id;
    }
    slot = (slot + 1) & (KEY_SLOTS - 1);
  }
  return 0;
}

/** Scans the `length` bytes written at prepare()'s pointer. */
export function scan(length: i32): i32 {
  const end = input + <usize>length;
  let p = input;
  let t: usize = tapeStart; // next token's address
  let depth: i32 = 0;
  let afterKey = false;
  let cacheNext = false;
  while (p < end && ws(load<u8>(p))) p++;
  for (;;) {
    // a value at p
    if (p >= end) return INVALID;
    if (t + 32 > tapeEnd) grow();
    const c = <u32>load<u8>(p);
    const at = <i32>(p - input);
    if (c == 34) {
      let q = p + 1;
      let flags: i32 = STRING;
      for (;;) {
        q = plainUpTo(q, end);
        if (q >= end) return INVALID;
        const d = <u32>load<u8>(q);
        if (d == 34) break;
        if (d < 32) return INVALID;
        if (d >= 128) return UNHANDLED;
        if (d == 92) {
          flags |= ESCAPED;
          q++;
          if (q >= end) return INVALID;
          const e = <u32>load<u8>(q);
          if (e == 117) {
            if (q + 4 >= end) return INVALID;
            for (let k = 1; k <= 4; k++) {
              const x = <u32>load<u8>(q + k) | 32;
              if (!((x >= 48 && x <= 57) || (x >= 97 && x <= 102))) return INVALID;
            }
            q += 4;
          } else if (!(e == 34 || e == 92 || e == 47 || e == 98 || e == 102 || e == 110 || e == 114 || e == 116)) return INVALID;
        }
        q++;
      }
      const len = <i32>(q - p - 1);
      if (flags == STRING && cacheNext && len <= CACHED_MAX) cached(p + 1, len, t);
      else {
        store<i32>(t, flags);
        store<i32>(t, 0, 12);
      }
      store<i32>(t, at + 1, 4);
      store<i32>(t, <i32>(q - input), 8);
      t += 16;
      p = q + 1;
      cacheNext = false; // only a key's own value: not the strings of an array after it
    } else if (c == 123 || c == 91) {
      if (depth >= MAX_DEPTH) return UNHANDLED;
      cacheNext = false;
      store<i32>(t, c == 123 ? OBJECT : ARRAY);
      store<i32>(t, at, 4);
      store<i32>(stack + (<usize>depth << 2), <i32>((t - tapeStart) >> 4));
      depth++;
      t += 16;
      p++;
      while (p < end && ws(load<u8>(p))) p++;
      if (p < end && <u32>load<u8>(p) == c + 2) {
        // empty: closed below
      } else if (c == 123) {
        afterKey = true;
      } else continue;
    } else if (c == 116) {
      if (p + 4 > end || load<u32>(p) != 0x65757274) return INVALID;
      store<i32>(t, TRUE);
      store<i32>(t, at, 4);
      store<i32>(t, at + 4, 8);
      t += 16;
      p += 4;
    } else if (c == 102) {
      if (p + 5 > end || load<u32>(p + 1) != 0x65736c61) return INVALID;
      store<i32>(t, FALSE);
      store<i32>(t, at, 4);
      store<i32>(t, at + 5, 8);
      t += 16;
      p += 5;
    } else if (c == 110) {
      if (p + 4 > end || load<u32>(p) != 0x6c6c756e) return INVALID;
      store<i32>(t, NULL);
      store<i32>(t, at, 4);
      store<i32>(t, at + 4, 8);
      t += 16;
      p += 4;
    } else {
      let q = p;
      if (c == 45) q++;
      if (q >= end) return INVALID;
      const d = <u32>load<u8>(q);
      if (d == 48) q++;
      else if (d >= 49 && d <= 57) {
        q++;
        while (q < end && <u32>load<u8>(q) - 48 < 10) q++;
      } else return INVALID;
      if (q < end && load<u8>(q) == 46) {
        q++;
        if (q >= end || <u32>load<u8>(q) - 48 >= 10) return INVALID;
        while (q < end && <u32>load<u8>(q) - 48 < 10) q++;
      }
      if (q < end && (<u32>load<u8>(q) | 32) == 101) {
        q++;
        if (q < end && (load<u8>(q) == 43 || load<u8>(q) == 45)) q++;
        if (q >= end || <u32>load<u8>(q) - 48 >= 10) return INVALID;
        while (q < end && <u32>load<u8>(q) - 48 < 10) q++;
      }
      store<i32>(t, NUMBER);
      store<i32>(t, at, 4);
      store<i32>(t, <i32>(q - input), 8);
      t += 16;
      p = q;
    }
    // after a value (or at the first key of an object): a comma, a closing bracket, or the end
    for (;;) {
      while (p < end && ws(load<u8>(p))) p++;
      if (!afterKey) {
        if (depth == 0) return p == end ? <i32>((t - tapeStart) >> 4) : INVALID;
        if (p >= end) return INVALID;
        const open = tapeStart + (<usize>load<i32>(stack + (<usize>(depth - 1) << 2)) << 4);
        const inObject = load<i32>(open) == OBJECT;
        const d = <u32>load<u8>(p);
        if (d == (inObject ? 125 : 93)) {
          p++;
          store<i32>(open, <i32>(p - input), 8);
          store<i32>(open, <i32>((t - tapeStart) >> 4), 12);
          depth--;
          continue;
        }
        if (d != 44) return INVALID;
        p++;
        while (p < end && ws(load<u8>(p))) p++;
        if (!inObject) break;
      }
      afterKey = false;
      // a key: "..." then ':'
      if (p >= end || load<u8>(p) != 34) return INVALID;
      if (t + 32 > tapeEnd) grow();
      let q = p + 1;
      for (;;) {
        q = plainUpTo(q, end);
        if (q >= end) return INVALID;
        const d = <u32>load<u8>(q);
        if (d == 34) break;
        if (d == 92) return UNHANDLED;
        if (d < 32) return INVALID;
        if (d >= 128) return UNHANDLED;
        q++;
      }
      store<i32>(t, KEY);
      store<i32>(t, <i32>(p + 1 - input), 4);
      store<i32>(t, <i32>(q - input), 8);
      const id = keyId(p + 1, q);
      cacheNext = id != 0 && (load<i32>(keyFlags + (<usize>(id - 1) << 2)) & CACHE_VALUE) != 0;
      store<i32>(t, id, 12);
      t += 16;
      p = q + 1;
      while (p < end && ws(load<u8>(p))) p++;
      if (p >= end || load<u8>(p) != 58) return INVALID;
      p++;
      while (p < end && ws(load<u8>(p))) p++;
      break;
    }
  }
  return INVALID;
}
