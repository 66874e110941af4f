/**
 * A route's request duration from its histogram, as the editor shows it above the handler: the
 * p95 over the window, the sample size, a p95 per minute for the sparkline, and my slice against
 * the baseline when the rank test says they differ.
 *
 * Quantiles follow the project's definition (nearest rank, ../aggregate/quantiles.ts): the
 * q-quantile is the ⌈q·n⌉-th request. A histogram knows only which bucket that request fell in,
 * so the value is interpolated inside that bucket by the request's rank in it (the ⌈q·n⌉-th of n
 * requests all in one bucket is its upper bound), and the bucket is given beside it in the hover.
 * An open-ended bucket answers its finite edge.
 *
 * The comparison: {@link compareBuckets} (Mann–Whitney U on the two sides' bucket counts, at least
 * `minSamples` requests a side, two-sided level `alpha`) decides whether there is a difference;
 * the lens shows the two p95s and the change only then, and warns when my slice is slower by at
 * least `regressionThreshold` (0.5 = +50 %).
 *
 * Errors: a request whose point carries `http.response.status_code` (or the older
 * `http.status_code`) of 500 or more is a server error (OpenTelemetry's HTTP conventions: for a
 * server a 4xx is the client's error, not the server's). Each side's requests and errors over the
 * window are its histogram counts without and with that filter; the lens says `errors 3/40 (7.5 %)`
 * when there is any. My slice's error rate against the baseline's is {@link compareErrorRates}
 * (the same module, the same gate: at least `minSamples` requests a side, level `alpha`; the
 * two-proportion z-test when every expected count of the 2×2 table is at least 5, Fisher's exact
 * test below), shown only when significant, a warning when my rate is higher by at least
 * `errorRateThreshold` (0.05 = 5 percentage points, setting slice.metrics.errorRateThreshold).
 */
import { httpStatusValue } from '../attributes';
import { type Attributes, SOURCE_BASELINE, SOURCE_SLICE, type SourceTag } from '../model';
import { formatMs, percentChange, rateText } from '../present';
import { type Buckets, COMPARE_DEFAULTS, type ErrorComparison, type LatencyVerdict, compareBuckets, compareErrorRates } from './compare';
import { type Distribution, distribution } from './read';
import { type RouteKey } from './routeHandlers';
import { type MetricStore } from './store';

/** The route histograms, newest convention first (seconds), then the older one (milliseconds). */
export const ROUTE_DURATION_METRICS = ['http.server.request.duration', 'http.server.duration'] as const;

/** Minutes the sparkline covers, one point a minute. */
export const SPARK_MINUTES = 15;

/** Below this many requests, the lens says n= (as the span lens does, present.ts SMALL_SAMPLE). */
const SMALL = 20;

/** Milliseconds per unit of a duration metric (UCUM units, as OpenTelemetry writes them). */
export function msPerUnit(unit: string, metric: string): number {
  switch (unit) {
    case 's':
      return 1000;
    case 'ms':
      return 1;
    case 'us':
      return 1e-3;
    case 'ns':
      return 1e-6;
    default:
      return metric === 'http.server.request.duration' ? 1000 : 1;
  }
}

/** A quantile read off a histogram: the interpolated value and the bucket it lies in (ms). */
export interface BucketQuantile {
  readonly value: number;
  readonly lower: number;
  readonly upper: number;
}

/** The nearest-rank q-quantile of bucketed observations (see the file's comment); undefined without observations. */
export function nearestRankBucketQuantile(d: Buckets, q: number): BucketQuantile | undefined {
  if (!(d.count > 0)) return undefined;
  const k = Math.max(1, Math.min(d.count, Math.ceil(q * d.count - 1e-9)));
  let seen = 0;
  let last = -1;
  for (let i = 0; i < d.counts.length; i++) {
    const c = d.counts[i]!;
    if (c <= 0) continue;
    last = i;
    if (seen + c >= k) return within(d.lower[i]!, d.upper[i]!, (k - seen) / c);
    seen += c;
  }
  // counts that add up to less than count (should not happen): the last bucket with any
  return last < 0 ? undefined : within(d.lower[last]!, d.upper[last]!, 1);
}

function within(lower: number, upper: number, f: number): BucketQuantile {
  if (!Number.isFinite(upper)) return { value: lower, lower, upper };
  if (!Number.isFinite(lower)) return { value: upper, lower, upper };
  return { value: lower + (upper - lower) * f, lower, upper };
}

/** A distribution with its bucket edges in milliseconds. */
function scaled(d: Distribution, factor: number): Distribution {
  if (factor === 1) return d;
  return { lower: d.lower.map((x) => x * factor), upper: d.upper.map((x) => x * factor), counts: d.counts, count: d.count, sum: d.sum * factor };
}

/** One side of a route: its requests over the window. */
export interface RouteSide {
  readonly n: number;
  /** Requests answered with a server error (status 500 or more). */
  readonly errors: number;
  readonly p95: BucketQuantile;
  /** p95 per minute, oldest first, {@link SPARK_MINUTES} of them (undefined: no request that minute). */
  readonly perMinute: readonly (number | undefined)[];
}

/** The comparison shown: only a significant one. */
export interface RouteDifference {
  readonly verdict: Extract<LatencyVerdict, 'slower' | 'faster'>;
  /** (my p95 − baseline p95) / baseline p95; NaN when the baseline's p95 is 0. */
  readonly change: number;
  readonly p: number;
  readonly warning: boolean;
}

/** The error-rate comparison shown: only a significant one. */
export interface RouteErrorDifference {
  readonly verdict: Extract<ErrorComparison['verdict'], 'more-errors' | 'fewer-errors'>;
  readonly test: ErrorComparison['test'];
  readonly p: number;
  readonly warning: boolean;
}

/** What the editor shows of a route. */
export interface RouteMetrics {
  readonly key: RouteKey;
  readonly metric: string;
  readonly windowMinutes: number;
  readonly mine: RouteSide | undefined;
  readonly baseline: RouteSide | undefined;
  /** Why there is no difference shown: too few requests on a side, not comparable, or no significant difference. */
  readonly compared: 'too-few' | 'incomparable' | 'no-difference' | 'significant' | 'no-baseline';
  readonly difference: RouteDifference | undefined;
  /** The same for the error rates (a z-test or Fisher's exact test: see the file's comment). */
  readonly errorsCompared: 'too-few' | 'no-difference' | 'significant' | 'no-baseline';
  readonly errorDifference: RouteErrorDifference | undefined;
  readonly minSamples: number;
  readonly alpha: number;
  readonly threshold: number;
  /** Error-rate rise (0.05 = 5 points) from which a significant rise is a warning. */
  readonly errorThreshold: number;
}

export interface RouteMetricsOptions {
  readonly windowMinutes: number;
  /** Relative p95 increase from which a significant slowdown is a warning (setting slice.metrics.regressionThreshold). */
  readonly regressionThreshold?: number;
  /** Error-rate rise (0.05 = 5 percentage points) from which a significant rise is a warning (setting slice.metrics.errorRateThreshold). */
  readonly errorRateThreshold?: number;
  readonly minSamples?: number;
  readonly alpha?: number;
  readonly mine?: SourceTag;
  readonly baseline?: SourceTag;
}

/** The attribute filter of a route's series: its route, and its method when both sides say one. */
export function routeFilter(key: RouteKey): (a: Attributes) => boolean {
  return (a) => {
    if (a['http.route'] !== key.route) return false;
    const m = a['http.request.method'] ?? a['http.method'];
    return key.method === '' || m === undefined || m === key.method;
  };
}

/** Whether a point's attributes say a server error: `http.response.status_code` (or `http.status_code`) 500 or more. */
export function isServerError(a: Attributes): boolean {
  const status = httpStatusValue(a['http.response.status_code'] ?? a['http.status_code']);
  return status !== undefined && status >= 500;
}

/**
 * The route's request durations in the store over the window ending at `nowMs`, my slice's from
 * producer `key.service` and the baseline's from the service of the same name; undefined when
 * neither side has a request in the window.
 */
export function routeMetrics(store: MetricStore, key: RouteKey, nowMs: number, o: RouteMetricsOptions): RouteMetrics | undefined {
  const mineTag = o.mine ?? SOURCE_SLICE;
  const baseTag = o.baseline ?? SOURCE_BASELINE;
  const minSamples = o.minSamples ?? COMPARE_DEFAULTS.minSamples;
  const alpha = o.alpha ?? COMPARE_DEFAULTS.alpha;
  const threshold = o.regressionThreshold ?? COMPARE_DEFAULTS.warnIncrease;
  const errorThreshold = o.errorRateThreshold ?? COMPARE_DEFAULTS.warnErrorRise;
  const known = new Set(store.metricList().map((m) => m.name));
  const metric = ROUTE_DURATION_METRICS.find((m) => known.has(m));
  if (!metric) return undefined;
  const units = new Map(store.metricList().filter((m) => m.name === metric).map((m) => [m.source, msPerUnit(m.unit, metric)]));
  const match = routeFilter(key);
  const service = key.service === '' ? undefined : key.service;
  const from = nowMs - o.windowMinutes * 60_000;
  const matchErrors = (a: Attributes) => match(a) && isServerError(a);
  const read = (tag: SourceTag, a: number, b: number) => {
    const d = distribution(store, tag, metric, a, b, match, service);
    return d && scaled(d, units.get(tag) ?? 1);
  };
  const side = (tag: SourceTag): { side: RouteSide; d: Distribution } | undefined => {
    const d = read(tag, from, nowMs);
    const p95 = d && nearestRankBucketQuantile(d, 0.95);
    if (!d || !p95) return undefined;
    const minute = Math.floor(nowMs / 60_000) * 60_000;
    const perMinute: (number | undefined)[] = [];
    for (let i = SPARK_MINUTES - 1; i >= 0; i--) {
      const start = minute - i * 60_000;
      const m = read(tag, start, start + 60_000 - 1);
      perMinute.push(m && nearestRankBucketQuantile(m, 0.95)?.value);
    }
    const errors = distribution(store, tag, metric, from, nowMs, matchErrors, service)?.count ?? 0;
    return { side: { n: d.count, errors, perMinute, p95 }, d };
  };
  const mine = side(mineTag);
  const base = side(baseTag);
  if (!mine && !base) return undefined;
  let compared: RouteMetrics['compared'];
  let difference: RouteDifference | undefined;
  if (mine && base) {
    const c = compareBuckets(mine.d, base.d, { minSamples, alpha, warnIncrease: threshold });
    if (c.verdict === 'slower' || c.verdict === 'faster') {
      compared = 'significant';
      const b = base.side.p95.value;
      const change = b > 0 ? (mine.side.p95.value - b) / b : NaN;
      difference = { verdict: c.verdict, change, p: c.p, warning: c.verdict === 'slower' && change >= threshold };
    } else compared = c.verdict;
  } else if (!base) compared = 'no-baseline';
  else compared = 'too-few';
  let errorsCompared: RouteMetrics['errorsCompared'] = !base ? 'no-baseline' : 'too-few';
  let errorDifference: RouteErrorDifference | undefined;
  if (mine && base) {
    const e = compareErrorRates(mine.side.errors, mine.side.n, base.side.errors, base.side.n, { minSamples, alpha, warnErrorRise: errorThreshold });
    if (e.verdict === 'more-errors' || e.verdict === 'fewer-errors') {
      errorsCompared = 'significant';
      errorDifference = { verdict: e.verdict, test: e.test, p: e.p, warning: e.warning };
    } else errorsCompared = e.verdict;
  }
  return { key, metric, windowMinutes: o.windowMinutes, mine: mine?.side, baseline: base?.side, compared, difference, errorsCompared, errorDifference, minSamples, alpha, threshold, errorThreshold };
}

/** `POST /orders`. */
export function routeName(key: RouteKey): string {
  return key.method ? `${key.method} ${key.route}` : key.route;
}

/**
 * The lens: `⏱ POST /orders · p95 48 ms · 120 requests · 5 min (metrics)`; below 20 requests
 * `· n=2 ·`; with a significant difference `p95 48 ms · baseline 12 ms · +300 %`, `⚠` first past
 * the threshold. My slice's numbers when it has any, else the baseline's (said so).
 */
export function routeLensTitle(r: RouteMetrics): string {
  const own = r.mine ?? r.baseline!;
  const who = r.mine ? '' : 'baseline: ';
  const parts = [`p95 ${formatMs(own.p95.value)}`];
  if (r.difference && r.baseline) parts.push(`baseline ${formatMs(r.baseline.p95.value)}`, ...(Number.isFinite(r.difference.change) ? [percentChange(r.difference.change)] : []));
  if (own.errors > 0 || r.errorDifference) parts.push(errorsText(own));
  if (r.errorDifference && r.baseline) parts.push(`baseline ${rateText(r.baseline.errors, r.baseline.n)}`);
  parts.push(own.n < SMALL ? `n=${own.n}` : `${own.n} requests`, `${r.windowMinutes} min`);
  return `${r.difference?.warning || r.errorDifference?.warning ? '⚠ ' : '⏱ '}${routeName(r.key)} · ${who}${parts.join(' · ')} (metrics)`;
}

/** The sentence that says how the comparison was made and what it found. */
export function comparisonSentence(r: RouteMetrics): string {
  const how = `Mann–Whitney U test on the histogram buckets, two-sided, level ${r.alpha}, at least ${r.minSamples} requests a side`;
  switch (r.compared) {
    case 'no-baseline':
      return `No baseline requests for this route in the window (${how}).`;
    case 'too-few':
      return `Not compared: ${r.mine?.n ?? 0} requests in my slice and ${r.baseline?.n ?? 0} in the baseline (${how}).`;
    case 'incomparable':
      return `Not compared: the two sides' histograms have different buckets.`;
    case 'no-difference':
      return `No significant difference from the baseline (${how}).`;
    case 'significant': {
      const d = r.difference!;
      const warn = d.warning ? ` — a slowdown past the ${percentChange(r.threshold)} threshold (setting slice.metrics.regressionThreshold)` : '';
      return `${d.verdict === 'slower' ? 'Slower' : 'Faster'} than the baseline, p = ${d.p < 0.0001 ? d.p.toExponential(1) : d.p.toFixed(4)}${warn} (${how}).`;
    }
  }
}

/** `errors 3/40 (7.5 %)`. */
export function errorsText(s: Pick<RouteSide, 'errors' | 'n'>): string {
  return `errors ${s.errors}/${s.n} (${rateText(s.errors, s.n)})`;
}

/** The sentence that says how the error rates were compared and what was found. */
export function errorSentence(r: RouteMetrics): string {
  const how = `server errors are responses with status 500 or more; two-proportion z-test, or Fisher's exact test when an expected count of the 2×2 table is under 5; two-sided, level ${r.alpha}, at least ${r.minSamples} requests a side`;
  const mine = r.mine ? `${r.mine.errors} of ${r.mine.n}` : '0';
  const base = r.baseline ? `${r.baseline.errors} of ${r.baseline.n}` : '0';
  switch (r.errorsCompared) {
    case 'no-baseline':
      return `Errors: ${mine} requests in my slice; no baseline requests to compare with (${how}).`;
    case 'too-few':
      return `Errors not compared: ${r.mine?.n ?? 0} requests in my slice and ${r.baseline?.n ?? 0} in the baseline (${how}).`;
    case 'no-difference':
      return `Errors: ${mine} in my slice, ${base} in the baseline: no significant difference (${how}).`;
    case 'significant': {
      const d = r.errorDifference!;
      const warn = d.warning ? ` — past the ${Math.round(r.errorThreshold * 1000) / 10}-point threshold (setting slice.metrics.errorRateThreshold)` : '';
      const test = d.test === 'fisher-exact' ? "Fisher's exact test" : 'two-proportion z-test';
      return `${d.verdict === 'more-errors' ? 'More' : 'Fewer'} server errors than the baseline: ${mine} (${rateText(r.mine!.errors, r.mine!.n)}) against ${base} (${rateText(r.baseline!.errors, r.baseline!.n)}), ${test} p = ${d.p < 0.0001 ? d.p.toExponential(1) : d.p.toFixed(4)}${warn} (${how}).`;
    }
  }
}

/** `p95 ≈ 48 ms (in the 25–50 ms bucket) · 120 requests`. */
export function sideLine(s: RouteSide): string {
  const q = s.p95;
  const bucket = Number.isFinite(q.lower) && Number.isFinite(q.upper) ? `in the ${formatMs(q.lower)}–${formatMs(q.upper)} bucket` : Number.isFinite(q.lower) ? `above ${formatMs(q.lower)}` : `at most ${formatMs(q.upper)}`;
  return `p95 ≈ ${formatMs(q.value)} (${bucket}) · ${s.n === 1 ? '1 request' : `${s.n} requests`}${s.errors > 0 ? ` · ${errorsText(s)}` : ''}`;
}
