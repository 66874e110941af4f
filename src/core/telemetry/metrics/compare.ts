/**
 * My slice against the baseline: is a function's (or a route's) latency or error rate in my fork
 * different from the same function's in the baseline, beyond what chance gives for the sample
 * sizes? The editor shows a difference only when the test says so.
 *
 * Latency: the Mann–Whitney U test (Wilcoxon rank-sum), two-sided, with the normal approximation,
 * the tie correction of the variance and a continuity correction. It compares whole distributions
 * without assuming a shape (span durations are skewed and heavy-tailed, so a t-test would be
 * misled by a few slow calls), and it needs only the ranks, so a constant factor such as units does
 * not change it. The normal approximation is sound from about 20 observations a side, hence
 * {@link COMPARE_DEFAULTS.minSamples}. For histograms (the route histograms, exponential or
 * explicit), the same test runs on the bucket counts: each bucket is a group of ties, so no
 * observation is invented inside a bucket; this needs both sides bucketed alike (the same
 * instrument and SDK on both sides gives that), else the answer is 'incomparable'.
 *
 * Error rate: the two-proportion z-test (pooled), two-sided, when each side has at least
 * {@link COMPARE_DEFAULTS.minSamples} calls and every expected count of the 2×2 table is at least 5
 * (the normal approximation's usual condition); below that, Fisher's exact test on the same table.
 *
 * Significance level {@link COMPARE_DEFAULTS.alpha} = 0.01 (two-sided): the editor runs one test per
 * function shown, so a stricter level than 0.05 keeps the false alarms across a file few. A
 * significant slowdown whose p95 grew by at least `warnIncrease` (a setting, default +50 %) is
 * flagged as a warning; so is a significant rise in the error rate by at least `warnErrorRise`
 * (default 5 points).
 */

export const COMPARE_DEFAULTS = {
  /** Fewest observations on each side before any test runs. */
  minSamples: 20,
  /** Two-sided significance level. */
  alpha: 0.01,
  /** Relative p95 increase (0.5 = +50 %) from which a significant slowdown is a warning. */
  warnIncrease: 0.5,
  /** Error-rate increase (0.05 = 5 percentage points) from which a significant rise is a warning. */
  warnErrorRise: 0.05,
} as const;

export interface CompareOptions {
  readonly minSamples?: number;
  readonly alpha?: number;
  readonly warnIncrease?: number;
  readonly warnErrorRise?: number;
}

/** The standard normal distribution's upper tail P(Z > z). */
export function normalUpperTail(z: number): number {
  return 0.5 * erfc(z / Math.SQRT2);
}

/** The complementary error function (Numerical Recipes' erfcc: Chebyshev fit, relative error < 1.2e-7). */
function erfc(x: number): number {
  const z = Math.abs(x);
  const t = 1 / (1 + 0.5 * z);
  const r =
    t *
    Math.exp(-z * z - 1.26551223 + t * (1.00002368 + t * (0.37409196 + t * (0.09678418 + t * (-0.18628806 + t * (0.27886807 + t * (-1.13520398 + t * (1.48851587 + t * (-0.82215223 + t * 0.17087277)))))))));
  return x >= 0 ? r : 2 - r;
}

/** A two-sided test's result. */
export interface TestResult {
  /** The standardised statistic (positive: my side is larger). */
  readonly z: number;
  /** Two-sided p-value. */
  readonly p: number;
}

/**
 * Mann–Whitney U on grouped observations: `mine[i]` and `base[i]` observations fall in group i,
 * groups in increasing order of value, ties within a group. Plain samples are the case of one value
 * per group. z > 0 when my observations tend to be larger.
 */
export function mannWhitneyGrouped(mine: readonly number[], base: readonly number[]): TestResult & { readonly u: number } {
  let n1 = 0;
  let n2 = 0;
  for (let i = 0; i < mine.length; i++) {
    n1 += mine[i]!;
    n2 += base[i]!;
  }
  const n = n1 + n2;
  let before = 0;
  let r1 = 0;
  let ties = 0;
  for (let i = 0; i < mine.length; i++) {
    const t = mine[i]! + base[i]!;
    if (t === 0) continue;
    r1 += mine[i]! * (before + (t + 1) / 2);
    ties += t * t * t - t;
    before += t;
  }
  const u = r1 - (n1 * (n1 + 1)) / 2;
  const mean = (n1 * n2) / 2;
  const variance = n > 1 ? ((n1 * n2) / 12) * (n + 1 - ties / (n * (n - 1))) : 0;
  if (!(variance > 0)) return { u, z: 0, p: 1 };
  const d = u - mean;
  const z = (d === 0 ? 0 : d - Math.sign(d) * 0.5) / Math.sqrt(variance);
  return { u, z, p: Math.min(1, 2 * normalUpperTail(Math.abs(z))) };
}

/** Mann–Whitney U of two samples (see {@link mannWhitneyGrouped}). */
export function mannWhitney(mine: readonly number[], base: readonly number[]): TestResult & { readonly u: number } {
  const all: [number, number][] = [];
  for (const v of mine) all.push([v, 0]);
  for (const v of base) all.push([v, 1]);
  all.sort((a, b) => a[0] - b[0]);
  const a: number[] = [];
  const b: number[] = [];
  for (let i = 0; i < all.length; ) {
    let j = i;
    let x = 0;
    let y = 0;
    while (j < all.length && all[j]![0] === all[i]![0]) {
      if (all[j]![1] === 0) x++;
      else y++;
      j++;
    }
    a.push(x);
    b.push(y);
    i = j;
  }
  return mannWhitneyGrouped(a, b);
}

/** The q quantile (0..1) of a sample, linearly interpolated between order statistics (R's type 7, numpy's default). */
export function sampleQuantile(values: readonly number[], q: number): number {
  if (values.length === 0) return NaN;
  const s = [...values].sort((x, y) => x - y);
  const h = (s.length - 1) * q;
  const lo = Math.floor(h);
  return s[lo]! + (h - lo) * ((s[Math.min(lo + 1, s.length - 1)] ?? s[lo]!) - s[lo]!);
}

export type LatencyVerdict = 'too-few' | 'incomparable' | 'no-difference' | 'slower' | 'faster';

/** The latency comparison of one function or route. */
export interface LatencyComparison {
  readonly verdict: LatencyVerdict;
  readonly test: 'mann-whitney-u';
  readonly mine: { readonly n: number; readonly p95: number };
  readonly baseline: { readonly n: number; readonly p95: number };
  /** (my p95 − baseline p95) / baseline p95; NaN when the baseline's p95 is 0. */
  readonly change: number;
  readonly z: number;
  readonly p: number;
  /** A significant slowdown of at least `warnIncrease`. */
  readonly warning: boolean;
}

function latencyVerdict(n1: number, n2: number, p95a: number, p95b: number, t: TestResult, o: CompareOptions): LatencyComparison {
  const minSamples = o.minSamples ?? COMPARE_DEFAULTS.minSamples;
  const alpha = o.alpha ?? COMPARE_DEFAULTS.alpha;
  const change = p95b > 0 ? (p95a - p95b) / p95b : NaN;
  const verdict: LatencyVerdict = n1 < minSamples || n2 < minSamples ? 'too-few' : t.p >= alpha ? 'no-difference' : t.z > 0 ? 'slower' : 'faster';
  const warning = verdict === 'slower' && change >= (o.warnIncrease ?? COMPARE_DEFAULTS.warnIncrease);
  return { verdict, test: 'mann-whitney-u', mine: { n: n1, p95: p95a }, baseline: { n: n2, p95: p95b }, change, z: t.z, p: t.p, warning };
}

/** Compares two samples of durations (e.g. a function's span durations in my fork and in the baseline). */
export function compareDurations(mine: readonly number[], baseline: readonly number[], options: CompareOptions = {}): LatencyComparison {
  const t = mine.length > 0 && baseline.length > 0 ? mannWhitney(mine, baseline) : { z: 0, p: 1 };
  return latencyVerdict(mine.length, baseline.length, sampleQuantile(mine, 0.95), sampleQuantile(baseline, 0.95), t, options);
}

/** A bucketed distribution as ./read.ts gives it. */
export interface Buckets {
  readonly lower: readonly number[];
  readonly upper: readonly number[];
  readonly counts: readonly number[];
  readonly count: number;
}

/** The q quantile of bucketed observations, interpolated inside its bucket (an open-ended bucket answers its finite edge). */
export function bucketQuantile(d: Buckets, q: number): number {
  const rank = q * d.count;
  let seen = 0;
  for (let i = 0; i < d.counts.length; i++) {
    const c = d.counts[i]!;
    if (c === 0) continue;
    if (seen + c >= rank) {
      const lo = d.lower[i]!;
      const hi = d.upper[i]!;
      if (!Number.isFinite(hi)) return lo;
      if (!Number.isFinite(lo)) return hi;
      return lo + ((hi - lo) * (rank - seen)) / c;
    }
    seen += c;
  }
  return d.upper[d.upper.length - 1] ?? NaN;
}

/** The two sides' counts over the union of their buckets; undefined when a bucket of one overlaps a different bucket of the other. */
function aligned(a: Buckets, b: Buckets): { x: number[]; y: number[] } | undefined {
  const edges = new Map<string, { lo: number; hi: number; x: number; y: number }>();
  const add = (d: Buckets, side: 'x' | 'y') => {
    for (let i = 0; i < d.counts.length; i++) {
      const k = `${d.lower[i]}:${d.upper[i]}`;
      const e = edges.get(k) ?? { lo: d.lower[i]!, hi: d.upper[i]!, x: 0, y: 0 };
      e[side] += d.counts[i]!;
      edges.set(k, e);
    }
  };
  add(a, 'x');
  add(b, 'y');
  const list = [...edges.values()].sort((p, q) => p.lo - q.lo || p.hi - q.hi);
  for (let i = 1; i < list.length; i++) if (list[i]!.lo < list[i - 1]!.hi || (list[i]!.lo === list[i - 1]!.lo && list[i]!.hi === list[i - 1]!.hi)) return undefined;
  return { x: list.map((e) => e.x), y: list.map((e) => e.y) };
}

/** Compares two bucketed distributions (e.g. a route's duration histogram in my fork and in the baseline). */
export function compareBuckets(mine: Buckets, baseline: Buckets, options: CompareOptions = {}): LatencyComparison {
  const groups = aligned(mine, baseline);
  const p95a = bucketQuantile(mine, 0.95);
  const p95b = bucketQuantile(baseline, 0.95);
  if (!groups) return { ...latencyVerdict(mine.count, baseline.count, p95a, p95b, { z: 0, p: 1 }, options), verdict: 'incomparable', warning: false };
  return latencyVerdict(mine.count, baseline.count, p95a, p95b, mannWhitneyGrouped(groups.x, groups.y), options);
}

export type ErrorVerdict = 'too-few' | 'no-difference' | 'more-errors' | 'fewer-errors';

/** The error-rate comparison of one function or route. */
export interface ErrorComparison {
  readonly verdict: ErrorVerdict;
  readonly test: 'two-proportion-z' | 'fisher-exact';
  readonly mine: { readonly n: number; readonly errors: number; readonly rate: number };
  readonly baseline: { readonly n: number; readonly errors: number; readonly rate: number };
  readonly p: number;
  /** A significant rise of at least `warnErrorRise`. */
  readonly warning: boolean;
}

/** Fisher's exact test, two-sided (the tables at most as likely as the observed one), for a errors of n1 against b of n2. */
export function fisherExact(a: number, n1: number, b: number, n2: number): number {
  const k = a + b;
  const n = n1 + n2;
  const lf: number[] = [0];
  for (let i = 1; i <= n; i++) lf.push(lf[i - 1]! + Math.log(i));
  const logP = (x: number) => lf[k]! + lf[n - k]! + lf[n1]! + lf[n2]! - lf[n]! - lf[x]! - lf[k - x]! - lf[n1 - x]! - lf[n2 - k + x]!;
  const observed = logP(a);
  let p = 0;
  for (let x = Math.max(0, k - n2); x <= Math.min(k, n1); x++) {
    const lp = logP(x);
    if (lp <= observed + 1e-7) p += Math.exp(lp);
  }
  return Math.min(1, p);
}

/** Compares error counts: `errors` of `n` calls in my fork against the baseline's. */
export function compareErrorRates(errors: number, n: number, baseErrors: number, baseN: number, options: CompareOptions = {}): ErrorComparison {
  const minSamples = options.minSamples ?? COMPARE_DEFAULTS.minSamples;
  const alpha = options.alpha ?? COMPARE_DEFAULTS.alpha;
  const rate = n > 0 ? errors / n : 0;
  const baseRate = baseN > 0 ? baseErrors / baseN : 0;
  const mine = { n, errors, rate };
  const baseline = { n: baseN, errors: baseErrors, rate: baseRate };
  if (n < minSamples || baseN < minSamples) return { verdict: 'too-few', test: 'two-proportion-z', mine, baseline, p: 1, warning: false };
  const pooled = (errors + baseErrors) / (n + baseN);
  const expected = Math.min(n * pooled, n * (1 - pooled), baseN * pooled, baseN * (1 - pooled));
  let p: number;
  let test: ErrorComparison['test'];
  if (expected >= 5) {
    test = 'two-proportion-z';
    const se = Math.sqrt(pooled * (1 - pooled) * (1 / n + 1 / baseN));
    p = se > 0 ? Math.min(1, 2 * normalUpperTail(Math.abs(rate - baseRate) / se)) : 1;
  } else {
    test = 'fisher-exact';
    p = fisherExact(errors, n, baseErrors, baseN);
  }
  const verdict: ErrorVerdict = p >= alpha ? 'no-difference' : rate > baseRate ? 'more-errors' : 'fewer-errors';
  const warning = verdict === 'more-errors' && rate - baseRate >= (options.warnErrorRise ?? COMPARE_DEFAULTS.warnErrorRise);
  return { verdict, test, mine, baseline, p, warning };
}

/** The parts of a DDSketch (@datadog/sketches-js, what the aggregator keeps per function and minute) that {@link sketchBuckets} reads. */
export interface SketchLike {
  readonly mapping: { value(key: number): number };
  readonly store: { readonly bins: readonly number[]; readonly offset: number; readonly minKey: number; readonly maxKey: number };
  readonly zeroCount: number;
}

/**
 * A sketch's bins as buckets for {@link compareBuckets}: each non-empty bin a point at its
 * representative value (within the sketch's relative accuracy of every value in it). Two sketches
 * of the same accuracy have the same bins, so the rank test groups alike on both sides: the
 * function comparison (my fork's durations against the baseline's) runs on the aggregator's
 * sketches without keeping raw samples. Durations only: a sketch's negative values are not read.
 */
export function sketchBuckets(s: SketchLike): Buckets {
  const lower: number[] = [];
  const counts: number[] = [];
  let count = 0;
  if (s.zeroCount > 0) {
    lower.push(0);
    counts.push(s.zeroCount);
    count += s.zeroCount;
  }
  const { bins, offset, minKey, maxKey } = s.store;
  for (let k = minKey; k <= maxKey; k++) {
    const c = bins[k - offset] ?? 0;
    if (c <= 0) continue;
    lower.push(s.mapping.value(k));
    counts.push(c);
    count += c;
  }
  return { lower, upper: lower, counts, count };
}
