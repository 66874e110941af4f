/**
 * Reading the metric store: a series' values over time (rates for counters, values for gauges,
 * observations per second for histograms and summaries), and the distribution of a histogram
 * metric over a window, merged across the series that match (e.g. one `http.route` over every
 * instance), as buckets for ./compare.ts.
 */
import { type Attributes, type SourceTag } from '../model';
import { type CompareOptions, type LatencyComparison, compareBuckets } from './compare';
import { ExpSeries } from './expSeries';
import { HistogramSeries, NumberSeries } from './series';
import { type MetricStore, type SlotValue } from './store';
import { downscale } from './temporality';

/** The values of a series from `fromMs` to `toMs`, one per slot that holds data, oldest first. */
export function seriesValues(store: MetricStore, key: string, fromMs: number, toMs: number): SlotValue[] {
  const s = store.data(key);
  if (!s) return [];
  const seconds = store.resolutionMs / 1000;
  return s.held(store.slotOf(fromMs), store.slotOf(toMs)).flatMap(({ slot, p }) => {
    const timeMs = slot * store.resolutionMs;
    if (s instanceof NumberSeries) {
      const v = s.values[p]!;
      if (Number.isNaN(v)) return [];
      return [{ timeMs, value: s.mode === 'counter' ? v / seconds : v }];
    }
    return [{ timeMs, value: (s instanceof HistogramSeries ? s.countAt(p) : s.count[p]!) / seconds }];
  });
}

/** A distribution as buckets: `counts[i]` observations in `(lower[i], upper[i]]`, buckets in increasing order (what ./compare.ts compares; its bucketQuantile reads quantiles of it). */
export interface Distribution {
  readonly lower: readonly number[];
  readonly upper: readonly number[];
  readonly counts: readonly number[];
  /** Observations in all. */
  readonly count: number;
  /** Their sum (NaN when the producer did not give it). */
  readonly sum: number;
}

/**
 * The distribution of histogram metric `name` of `source` over the slots from `fromMs` to `toMs`,
 * summed over the series whose attributes `match` (and, when given, of producer `service`). Explicit histograms merge when their bounds are
 * the same (series with other bounds are left out); exponential ones at the lowest scale among
 * them. Undefined when no matching series holds an observation in the window.
 */
export function distribution(store: MetricStore, source: SourceTag, name: string, fromMs: number, toMs: number, match?: (a: Attributes) => boolean, service?: string): Distribution | undefined {
  const from = store.slotOf(fromMs);
  const to = store.slotOf(toMs);
  const series = store.matching(source, name, match).flatMap((s) => (service === undefined || s.info.service === service ? [s.data] : []));
  const explicit = series.filter((s): s is HistogramSeries => s instanceof HistogramSeries);
  const exp = series.filter((s): s is ExpSeries => s instanceof ExpSeries);
  if (explicit.length > 0) return explicitDistribution(explicit, from, to);
  if (exp.length > 0) return expDistribution(exp, from, to);
  return undefined;
}

function explicitDistribution(series: readonly HistogramSeries[], from: number, to: number): Distribution | undefined {
  const bounds = series[0]!.bounds;
  const width = bounds.length + 1;
  const counts = new Array<number>(width).fill(0);
  let count = 0;
  let sum = 0;
  for (const s of series) {
    if (s.bounds.length !== bounds.length || s.bounds.some((b, i) => b !== bounds[i])) continue;
    for (const { p } of s.held(from, to)) {
      count += s.countAt(p);
      sum += s.sumAt(p);
      s.addBuckets(p, counts);
    }
  }
  if (count === 0) return undefined;
  return { lower: [-Infinity, ...bounds], upper: [...bounds, Infinity], counts, count, sum };
}

function expDistribution(series: readonly ExpSeries[], from: number, to: number): Distribution | undefined {
  const scale = Math.min(...series.map((s) => s.scale));
  let positive = new Map<number, number>();
  let negative = new Map<number, number>();
  let zero = 0;
  let count = 0;
  let sum = 0;
  for (const s of series) {
    const held = s.held(from, to);
    const side = (m: ReadonlyMap<number, ArrayLike<number>>): Map<number, number> => {
      const out = new Map<number, number>();
      for (const [i, a] of m) {
        let c = 0;
        for (const { p } of held) c += a[p]!;
        if (c > 0) out.set(i, c);
      }
      return downscale(out, s.scale - scale);
    };
    const add = (into: Map<number, number>, m: Map<number, number>) => {
      for (const [i, c] of m) into.set(i, (into.get(i) ?? 0) + c);
    };
    add(positive, side(s.positive));
    add(negative, side(s.negative));
    for (const { p } of held) {
      zero += s.zero[p]!;
      count += s.count[p]!;
      sum += s.sum[p]!;
    }
  }
  if (count === 0) return undefined;
  positive = new Map([...positive].sort((a, b) => a[0] - b[0]));
  negative = new Map([...negative].sort((a, b) => b[0] - a[0]));
  const base = 2 ** (2 ** -scale);
  const lower: number[] = [];
  const upper: number[] = [];
  const counts: number[] = [];
  for (const [i, c] of negative) {
    lower.push(-(base ** (i + 1)));
    upper.push(-(base ** i));
    counts.push(c);
  }
  if (zero > 0) {
    lower.push(0);
    upper.push(0);
    counts.push(zero);
  }
  for (const [i, c] of positive) {
    lower.push(base ** i);
    upper.push(base ** (i + 1));
    counts.push(c);
  }
  return { lower, upper, counts, count, sum };
}


/** One route's latency in my slice against the baseline's. */
export interface RouteComparison {
  readonly route: string;
  readonly comparison: LatencyComparison;
}

/**
 * The route histograms of my slice against the baseline's over a window: for each `http.route`
 * (or another attribute) both sources have observations of, the distributions merged over
 * instances and the other attributes, compared by {@link compareBuckets}. Routes seen on one side
 * only are left out.
 */
export function compareRoutes(store: MetricStore, metric: string, mine: SourceTag, baseline: SourceTag, fromMs: number, toMs: number, options: CompareOptions = {}, attribute = 'http.route'): RouteComparison[] {
  const routes = (source: SourceTag) => new Set(store.seriesOf(source, metric).flatMap((s) => (typeof s.attributes[attribute] === 'string' ? [s.attributes[attribute]] : [])));
  const theirs = routes(baseline);
  const out: RouteComparison[] = [];
  for (const route of [...routes(mine)].sort()) {
    if (!theirs.has(route)) continue;
    const match = (a: Attributes) => a[attribute] === route;
    const a = distribution(store, mine, metric, fromMs, toMs, match);
    const b = distribution(store, baseline, metric, fromMs, toMs, match);
    if (a && b) out.push({ route, comparison: compareBuckets(a, b, options) });
  }
  return out;
}
