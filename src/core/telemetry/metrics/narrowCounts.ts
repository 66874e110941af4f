/**
 * Per-slot counts in the narrowest typed array that holds them (./series.ts keeps histogram bucket
 * counts and slot counts so): the delta counts of a 10 s slot are small non-negative integers, one
 * byte each, where a Float64Array spends eight. An array starts as Uint8Array and moves up to
 * Uint16Array, Uint32Array, then Float64Array (which holds anything: a count past 2^32, a
 * non-integer or negative count a producer sent) the first time a value does not fit; every value
 * it held is kept, so a read gives the same number a Float64Array would have.
 */

export type Counts = Uint8Array | Uint16Array | Uint32Array | Float64Array;

/** The narrowest kind of array that holds `v`: 0 Uint8, 1 Uint16, 2 Uint32, 3 Float64. */
function rank(v: number): number {
  if (!Number.isInteger(v) || v < 0) return 3;
  return v <= 0xff ? 0 : v <= 0xffff ? 1 : v <= 0xffffffff ? 2 : 3;
}

function rankOf(a: Counts): number {
  return a instanceof Uint8Array ? 0 : a instanceof Uint16Array ? 1 : a instanceof Uint32Array ? 2 : 3;
}

/** A zeroed array of kind `r` and `length`. */
export function countsOfRank(r: number, length: number): Counts {
  return r === 0 ? new Uint8Array(length) : r === 1 ? new Uint16Array(length) : r === 2 ? new Uint32Array(length) : new Float64Array(length);
}

/** A zeroed array of `a`'s kind and `length`. */
export function sameKind(a: Counts, length: number): Counts {
  return countsOfRank(rankOf(a), length);
}

/**
 * Sets `a[j] = v`; when `a` cannot hold `v`, answers a wider array with `a`'s values and `v` at `j`
 * (the caller keeps the answer in place of `a`). The write is checked by reading it back: a typed
 * integer array wraps or truncates what it cannot hold.
 */
export function put(a: Counts, j: number, v: number): Counts {
  a[j] = v;
  if (a[j] === v || a instanceof Float64Array) return a;
  const b = countsOfRank(Math.max(rankOf(a) + 1, rank(v)), a.length);
  b.set(a);
  b[j] = v;
  return b;
}
