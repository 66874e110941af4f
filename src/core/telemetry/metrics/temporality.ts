/**
 * Temporality: what each point of a series adds over its interval (its delta), whichever
 * temporality it was exported in.
 *
 * - Delta points are their own delta.
 * - A cumulative point is the total since its start time. Its delta is its difference from the
 *   series' previous point, unless the series restarted:
 *   - the start time changed (the process restarted, or the SDK reset the stream), or
 *   - the total went down (a counter reset the producer did not mark with a new start time), or
 *   - (histograms) the bucket layout changed, or a bucket's count went down.
 *   Then the point's whole total is its delta (counted from the new start), and the restart is
 *   counted as a reset.
 * - The first cumulative point of a series: its total is its delta when it has a start time at most
 *   {@link FIRST_POINT_MAX_SPAN_MS} before it (the total since then: a fork's first export after it
 *   started), else it only sets the baseline (no start time, or a producer that has run for long).
 * - 'unspecified' is read as cumulative (what producers that leave it out mean in practice).
 *
 * Rates are deltas over time: a slot's delta divided by the slot's length (./store.ts).
 */
import { type ExpBuckets } from './model';

/** What one point of a series added, or undefined when it only set the baseline. */
export type Delta<T> = { readonly value: T; readonly reset: boolean } | undefined;

/** The state a cumulative series keeps between points. */
export interface Previous<T> {
  readonly startMs: number;
  readonly total: T;
}

/**
 * How long before its own time a series' first cumulative point may have started and still count
 * whole in its slot. A producer that has run for hours (the baseline, or a fork the editor connects
 * to late) sends a first total of everything since it started: put in one slot, it would read as
 * hours of requests in the last ten seconds. Such a point only sets the baseline.
 */
export const FIRST_POINT_MAX_SPAN_MS = 5 * 60_000;

/**
 * The delta of a cumulative point `total` (start time `startMs`, time `timeMs`) after `prev`; `sub`
 * answers `total - prev.total`, or undefined when that is not a delta (it went down, or the layouts
 * differ). A first point counts from its start time when it has one within {@link FIRST_POINT_MAX_SPAN_MS}.
 */
export function cumulativeDelta<T>(prev: Previous<T> | undefined, startMs: number, total: T, sub: (a: T, b: T) => T | undefined, timeMs = startMs): Delta<T> {
  if (!prev) return startMs > 0 && timeMs - startMs <= FIRST_POINT_MAX_SPAN_MS ? { value: total, reset: false } : undefined;
  if (startMs !== prev.startMs && startMs > 0) return { value: total, reset: true };
  const d = sub(total, prev.total);
  return d === undefined ? { value: total, reset: true } : { value: d, reset: false };
}

/** `a - b` for counters: undefined when it went down. */
export function subNumber(a: number, b: number): number | undefined {
  return a >= b ? a - b : undefined;
}

/** An explicit-bucket histogram's totals. */
export interface HistogramTotals {
  readonly count: number;
  /** NaN when not given. */
  readonly sum: number;
  readonly bounds: readonly number[];
  readonly counts: readonly number[];
}

/** Are the two lists of bounds the same? */
export function sameBounds(a: readonly number[], b: readonly number[]): boolean {
  if (a === b) return true; // the decoders share one array between equal bounds
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** `a - b` bucket by bucket: undefined when the bounds differ or any count went down. */
export function subHistogram(a: HistogramTotals, b: HistogramTotals): HistogramTotals | undefined {
  if (a.count < b.count || !sameBounds(a.bounds, b.bounds) || a.counts.length !== b.counts.length) return undefined;
  const counts = new Array<number>(a.counts.length);
  for (let i = 0; i < counts.length; i++) {
    const d = a.counts[i]! - b.counts[i]!;
    if (d < 0) return undefined;
    counts[i] = d;
  }
  return { count: a.count - b.count, sum: a.sum - b.sum, bounds: a.bounds, counts };
}

/** An exponential histogram's totals as a map of bucket index to count, at one scale. */
export interface ExpTotals {
  readonly scale: number;
  readonly count: number;
  readonly sum: number;
  readonly zeroCount: number;
  readonly positive: ReadonlyMap<number, number>;
  readonly negative: ReadonlyMap<number, number>;
}

/** The buckets of one side as index → count, at `scale` (`from` ≥ `scale`: each bucket index shifted down by the difference, so buckets merge). */
export function bucketMap(b: ExpBuckets, from: number, scale: number): Map<number, number> {
  const shift = from - scale;
  const out = new Map<number, number>();
  for (let i = 0; i < b.counts.length; i++) {
    const c = b.counts[i]!;
    if (c === 0) continue;
    const index = (b.offset + i) >> shift; // arithmetic shift: floor division by 2^shift, as the spec's downscaling
    out.set(index, (out.get(index) ?? 0) + c);
  }
  return out;
}

/** A map of index → count downscaled by `shift`. */
export function downscale(m: ReadonlyMap<number, number>, shift: number): Map<number, number> {
  const out = new Map<number, number>();
  for (const [i, c] of m) {
    const index = i >> shift;
    out.set(index, (out.get(index) ?? 0) + c);
  }
  return out;
}

/** The totals at the lower of the two scales. */
export function atScale(t: ExpTotals, scale: number): ExpTotals {
  if (t.scale === scale) return t;
  const shift = t.scale - scale;
  return { ...t, scale, positive: downscale(t.positive, shift), negative: downscale(t.negative, shift) };
}

function subMap(a: ReadonlyMap<number, number>, b: ReadonlyMap<number, number>): Map<number, number> | undefined {
  const out = new Map<number, number>();
  for (const [i, c] of a) {
    const d = c - (b.get(i) ?? 0);
    if (d < 0) return undefined;
    if (d > 0) out.set(i, d);
  }
  for (const i of b.keys()) if (!a.has(i)) return undefined;
  return out;
}

/** `a - b` at the lower of their scales: undefined when any count went down. */
export function subExp(a: ExpTotals, b: ExpTotals): ExpTotals | undefined {
  const scale = Math.min(a.scale, b.scale);
  const x = atScale(a, scale);
  const y = atScale(b, scale);
  if (x.count < y.count || x.zeroCount < y.zeroCount) return undefined;
  const positive = subMap(x.positive, y.positive);
  const negative = subMap(x.negative, y.negative);
  if (!positive || !negative) return undefined;
  return { scale, count: x.count - y.count, sum: x.sum - y.sum, zeroCount: x.zeroCount - y.zeroCount, positive, negative };
}
