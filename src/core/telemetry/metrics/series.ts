/**
 * One series of the metric store (./store.ts): a ring of `slots` slots of `resolutionMs` each, the
 * slot of absolute number s at position s mod slots. What a slot holds depends on the kind:
 * - counters (monotonic sums): the deltas that fell in the slot, added (rate = delta / slot length);
 * - gauges and non-monotonic sums: the last value in the slot;
 * - histograms: the slot's delta count, sum and bucket counts;
 * - exponential histograms (./expSeries.ts): the same, by bucket index at the series' scale (the
 *   lowest seen: earlier slots are merged down when a point comes at a lower scale);
 * - summaries: the slot's delta count and sum, and the last quantiles seen.
 * Cumulative points become deltas through ./temporality.ts; the ring is ./ring.ts.
 */
import { type HistogramPoint, type NumberPoint, type SummaryPoint, type Temporality } from './model';
import { type Counts, countsOfRank, put, sameKind } from './narrowCounts';
import { type HistogramTotals, type Previous, cumulativeDelta, sameBounds, subHistogram, subNumber } from './temporality';
import { BASELINE, type Ingested, LATE, Ring, STORED, STORED_RESET } from './ring';
import { type ExpSeries } from './expSeries';

export type NumberMode = 'counter' | 'gauge' | 'updown';

/** A sum or a gauge. */
export class NumberSeries extends Ring {
  readonly values: Float64Array;
  private prev: Previous<number> | undefined;
  /** Running total of a delta non-monotonic sum. */
  private total = 0;

  constructor(
    slots: number,
    readonly mode: NumberMode,
    private readonly temporality: Temporality,
  ) {
    super(slots);
    this.values = new Float64Array(slots);
  }

  protected clear(p: number): void {
    this.values[p] = this.mode === 'counter' ? 0 : NaN;
  }

  ingest(point: NumberPoint, slot: number): Ingested {
    if (Number.isNaN(point.value)) return BASELINE; // no recorded value (a stale marker)
    let value = point.value;
    let reset = false;
    if (this.mode === 'counter' && this.temporality !== 'delta') {
      const d = cumulativeDelta(this.prev, point.startMs, point.value, subNumber, point.timeMs);
      this.prev = { startMs: point.startMs, total: point.value };
      if (!d) return BASELINE;
      value = d.value;
      reset = d.reset;
    } else if (this.mode === 'updown' && this.temporality === 'delta') {
      this.total += point.value;
      value = this.total;
    }
    const p = this.at(slot);
    if (p < 0) return LATE;
    if (this.mode === 'counter') this.values[p]! += value;
    else this.values[p] = value;
    return reset ? STORED_RESET : STORED;
  }
}

/**
 * An explicit-bucket histogram, compact: a slot's count and bucket counts in the narrowest integer
 * arrays that hold them (./narrowCounts.ts), only the buckets from the lowest to the highest one
 * that ever had an observation (a latency histogram's observations fall in a few neighbouring
 * buckets; the range widens when a point has one outside it), and the sums only once a slot's sum
 * is not 0, in the narrowest array that holds them too. 10,000 series of 16 buckets over 180
 * slots (bench/metrics): 38 MB, ~50 MB when every slot's sum is a fraction (a Float64Array), where
 * Float64Arrays of every bucket took 279 MB. Read through {@link countAt}, {@link sumAt},
 * {@link addBuckets}.
 */
export class HistogramSeries extends Ring {
  /** The slot's delta sum, also in the narrowest array that holds it (a sum of integer milliseconds or bytes fits in one); undefined while every sum was 0. */
  private sums: Counts | undefined;
  /**
   * Row p (`1 + hi - lo` entries from `p * (1 + hi - lo)`) holds slot position p: its delta count,
   * then buckets lo to hi - 1 (buckets outside the range hold 0). The count is the row's largest
   * value, so it decides the array's width anyway.
   */
  private counts: Counts;
  private lo = 0;
  private hi = 0;
  bounds: readonly number[];
  private prev: Previous<HistogramTotals> | undefined;

  constructor(
    slots: number,
    private readonly temporality: Temporality,
    bounds: readonly number[],
  ) {
    super(slots);
    this.counts = countsOfRank(0, slots);
    this.bounds = bounds;
  }

  /** Buckets in all (bounds + 1). */
  get width(): number {
    return this.bounds.length + 1;
  }

  /** The delta count of slot position `p`. */
  countAt(p: number): number {
    return this.counts[p * (1 + this.hi - this.lo)]!;
  }

  /** The delta sum of slot position `p`. */
  sumAt(p: number): number {
    return this.sums ? this.sums[p]! : 0;
  }

  /** Adds the bucket counts of slot position `p` to `into` (one entry per bucket, {@link width} of them). */
  addBuckets(p: number, into: number[]): void {
    const w = this.hi - this.lo;
    for (let i = 0, base = p * (w + 1) + 1; i < w; i++) into[this.lo + i]! += this.counts[base + i]!;
  }

  protected clear(p: number): void {
    if (this.sums) this.sums[p] = 0;
    const w = 1 + this.hi - this.lo;
    this.counts.fill(0, p * w, (p + 1) * w);
  }

  ingest(point: HistogramPoint, slot: number): Ingested {
    let delta: HistogramTotals = point;
    let reset = false;
    if (this.temporality !== 'delta') {
      const prev = this.prev;
      // the totals only (the point's attributes and exemplars are not kept)
      this.prev = { startMs: point.startMs, total: { count: point.count, sum: point.sum, bounds: point.bounds, counts: point.counts } };
      // the common case, without making the delta: same stream, same layout, every count grew or stayed
      if (prev && (point.startMs === prev.startMs || !(point.startMs > 0)) && this.grew(prev.total, point)) return this.add(slot, point, prev.total, STORED);
      const d = cumulativeDelta(prev, point.startMs, point as HistogramTotals, subHistogram, point.timeMs);
      if (!d) return BASELINE;
      delta = d.value;
      reset = d.reset;
    }
    if (delta.counts.length > 0 && !sameBounds(delta.bounds, this.bounds)) this.relayout(delta.bounds);
    return this.add(slot, delta, undefined, reset ? STORED_RESET : STORED);
  }

  /** Is `b` a later total of the same layout as `a` and the series' own (no count went down)? */
  private grew(a: HistogramTotals, b: HistogramTotals): boolean {
    if (b.count < a.count || a.counts.length !== b.counts.length || !sameBounds(a.bounds, b.bounds) || (b.counts.length > 0 && !sameBounds(b.bounds, this.bounds))) return false;
    for (let i = 0; i < b.counts.length; i++) if (b.counts[i]! < a.counts[i]!) return false;
    return true;
  }

  /** Adds `b - a` (`b` when `a` is undefined: what {@link subHistogram} answers, without making it) to the slot. */
  private add(slot: number, b: HistogramTotals, a: HistogramTotals | undefined, stored: Ingested): Ingested {
    const p = this.at(slot);
    if (p < 0) return LATE;
    const sum = a ? b.sum - a.sum : b.sum;
    if (sum !== 0 && !Number.isNaN(sum)) {
      const sums = (this.sums ??= countsOfRank(0, this.slots));
      this.sums = put(sums, p, sums[p]! + sum);
    }
    const bc = b.counts;
    const ac = a?.counts;
    const n = Math.min(bc.length, this.width);
    // the buckets with observations outside the range held so far widen it
    let lo = this.lo;
    let hi = this.hi;
    for (let i = 0; i < n; i++) {
      if (i === this.lo && this.lo < this.hi) i = this.hi;
      if (i >= n) break;
      if ((ac ? bc[i]! - ac[i]! : bc[i]!) === 0) continue;
      if (lo === hi) {
        lo = i;
        hi = i + 1;
      } else if (i < lo) lo = i;
      else if (i >= hi) hi = i + 1;
    }
    if (lo !== this.lo || hi !== this.hi) this.widen(lo, hi);
    let c = this.counts;
    const row = p * (1 + hi - lo);
    const count = a ? b.count - a.count : b.count;
    if (count !== 0) c = put(c, row, c[row]! + count);
    for (let i = lo, end = Math.min(hi, n), j = row + 1; i < end; i++, j++) {
      const d = ac ? bc[i]! - ac[i]! : bc[i]!;
      if (d !== 0) c = put(c, j, c[j]! + d);
    }
    this.counts = c;
    return stored;
  }

  /** Holds buckets `lo` to `hi - 1` from now on (a range that includes the one held). */
  private widen(lo: number, hi: number): void {
    const w = 1 + hi - lo;
    const old = 1 + this.hi - this.lo;
    const from = this.counts;
    const counts = sameKind(from, this.slots * w);
    for (let p = 0; p < this.slots; p++) {
      counts[p * w] = from[p * old]!;
      if (old > 1) counts.set(from.subarray(p * old + 1, (p + 1) * old), p * w + 1 + this.lo - lo);
    }
    this.counts = counts;
    this.lo = lo;
    this.hi = hi;
  }

  /** New bounds: the slots held so far are dropped (their buckets do not map onto the new ones). */
  private relayout(bounds: readonly number[]): void {
    this.bounds = bounds;
    this.counts = countsOfRank(0, this.slots);
    this.lo = 0;
    this.hi = 0;
    this.forget();
    this.sums = undefined;
  }
}

/** A summary: delta count and sum per slot (from its cumulative totals), and its last quantiles. */
export class SummarySeries extends Ring {
  readonly count: Float64Array;
  readonly sum: Float64Array;
  quantiles: SummaryPoint['quantiles'] = [];
  private prev: Previous<{ count: number; sum: number }> | undefined;

  constructor(slots: number) {
    super(slots);
    this.count = new Float64Array(slots);
    this.sum = new Float64Array(slots);
  }

  protected clear(p: number): void {
    this.count[p] = 0;
    this.sum[p] = 0;
  }

  ingest(point: SummaryPoint, slot: number): Ingested {
    this.quantiles = point.quantiles;
    const d = cumulativeDelta(this.prev, point.startMs, { count: point.count, sum: point.sum }, (a, b) => (a.count >= b.count ? { count: a.count - b.count, sum: a.sum - b.sum } : undefined), point.timeMs);
    this.prev = { startMs: point.startMs, total: { count: point.count, sum: point.sum } };
    if (!d) return BASELINE;
    const p = this.at(slot);
    if (p < 0) return LATE;
    this.count[p]! += d.value.count;
    this.sum[p]! += d.value.sum;
    return d.reset ? STORED_RESET : STORED;
  }
}

export type Series = NumberSeries | HistogramSeries | ExpSeries | SummarySeries;
