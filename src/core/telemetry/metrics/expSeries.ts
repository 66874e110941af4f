/** An exponential histogram series of the metric store (the ring: ./ring.ts; the other kinds: ./series.ts). */
import { type ExpHistogramPoint, type Temporality } from './model';
import { type Counts, countsOfRank, put } from './narrowCounts';
import { BASELINE, type Ingested, LATE, Ring, STORED, STORED_RESET } from './ring';
import { type ExpTotals, type Previous, atScale, bucketMap, cumulativeDelta, subExp } from './temporality';

/** An exponential histogram; its counts, sums and bucket counts in the narrowest arrays that hold them (./narrowCounts.ts). */
export class ExpSeries extends Ring {
  count: Counts;
  sum: Counts;
  zero: Counts;
  /** Bucket index to its count per slot position. */
  positive = new Map<number, Counts>();
  negative = new Map<number, Counts>();
  scale: number;
  private prev: Previous<ExpTotals> | undefined;

  constructor(
    slots: number,
    private readonly temporality: Temporality,
    scale: number,
  ) {
    super(slots);
    this.count = countsOfRank(0, slots);
    this.sum = countsOfRank(0, slots);
    this.zero = countsOfRank(0, slots);
    this.scale = scale;
  }

  protected clear(p: number): void {
    this.count[p] = 0;
    this.sum[p] = 0;
    this.zero[p] = 0;
    for (const a of this.positive.values()) a[p] = 0;
    for (const a of this.negative.values()) a[p] = 0;
  }

  ingest(point: ExpHistogramPoint, slot: number): Ingested {
    const totals: ExpTotals = {
      scale: point.scale,
      count: point.count,
      sum: point.sum,
      zeroCount: point.zeroCount,
      positive: bucketMap(point.positive, point.scale, point.scale),
      negative: bucketMap(point.negative, point.scale, point.scale),
    };
    let delta = totals;
    let reset = false;
    if (this.temporality !== 'delta') {
      const d = cumulativeDelta(this.prev, point.startMs, totals, subExp, point.timeMs);
      this.prev = { startMs: point.startMs, total: totals };
      if (!d) return BASELINE;
      delta = d.value;
      reset = d.reset;
    }
    if (delta.scale < this.scale) this.downscaleTo(delta.scale);
    delta = atScale(delta, this.scale);
    const p = this.at(slot);
    if (p < 0) return LATE;
    if (delta.count !== 0) this.count = put(this.count, p, this.count[p]! + delta.count);
    if (delta.sum !== 0 && !Number.isNaN(delta.sum)) this.sum = put(this.sum, p, this.sum[p]! + delta.sum);
    if (delta.zeroCount !== 0) this.zero = put(this.zero, p, this.zero[p]! + delta.zeroCount);
    this.add(this.positive, delta.positive, p);
    this.add(this.negative, delta.negative, p);
    return reset ? STORED_RESET : STORED;
  }

  private add(side: Map<number, Counts>, buckets: ReadonlyMap<number, number>, p: number): void {
    for (const [i, c] of buckets) {
      if (c === 0) continue;
      const a = side.get(i) ?? countsOfRank(0, this.slots);
      const b = put(a, p, a[p]! + c);
      if (b !== a || !side.has(i)) side.set(i, b);
    }
  }

  private downscaleTo(scale: number): void {
    const shift = this.scale - scale;
    const merge = (side: Map<number, Counts>): Map<number, Counts> => {
      const out = new Map<number, Counts>();
      for (const [i, a] of side) {
        const j = i >> shift;
        let b = out.get(j);
        if (!b) out.set(j, a);
        else {
          for (let k = 0; k < a.length; k++) if (a[k] !== 0) b = put(b, k, b[k]! + a[k]!);
          out.set(j, b);
        }
      }
      return out;
    };
    this.positive = merge(this.positive);
    this.negative = merge(this.negative);
    this.scale = scale;
  }
}
