/**
 * My slice against the baseline on a function's span lens (issue 23): the same function's calls in
 * my fork and in the baseline over the window, compared by the one comparison module
 * (../metrics/compare.ts), with the same gate as the route lens — at least `minSamples` calls a
 * side, two-sided level `alpha`:
 *
 * - latency: Mann–Whitney U on the two windows' DDSketch bins (`compareBuckets` of `sketchBuckets`:
 *   two sketches of the same accuracy have the same bins, so no raw durations are kept);
 * - errors: `compareErrorRates` on calls and failed calls (Fisher's exact test below an expected
 *   count of 5, else the two-proportion z-test).
 *
 * Only a significant difference is shown; a warning when my p95 is slower by at least
 * `regressionThreshold` or my error rate higher by at least `errorRateThreshold`.
 */
import { COMPARE_DEFAULTS, type ErrorComparison, type LatencyComparison, compareBuckets, compareErrorRates } from '../metrics/compare';
import { type FunctionStats } from './view';

export interface FunctionCompareOptions {
  /** Relative p95 increase (0.5 = +50 %) from which a significant slowdown is a warning (slice.metrics.regressionThreshold). */
  readonly regressionThreshold?: number;
  /** Error-rate rise (0.05 = 5 points) from which a significant rise is a warning (slice.metrics.errorRateThreshold). */
  readonly errorRateThreshold?: number;
  readonly minSamples?: number;
  readonly alpha?: number;
}

/** A function in my slice against the same function in the baseline. */
export interface FunctionComparison {
  /** The rank test on the durations; its verdict 'incomparable' when either side has no duration. */
  readonly latency: LatencyComparison;
  readonly errors: ErrorComparison;
  /** The baseline's p95 as its own lens says it (nearest rank). */
  readonly baselineP95: number;
  /** (my p95 − baseline p95) / baseline p95 by the lenses' own p95s; NaN when the baseline's is 0 or unknown. */
  readonly change: number;
  /** A significant difference in latency or errors: the lens shows it. */
  readonly significant: boolean;
  readonly warning: boolean;
  readonly minSamples: number;
  readonly alpha: number;
  readonly regressionThreshold: number;
  readonly errorRateThreshold: number;
}

/** Compares a function's window in my slice with the baseline's. */
export function compareFunction(mine: FunctionStats, baseline: FunctionStats, o: FunctionCompareOptions = {}): FunctionComparison {
  const minSamples = o.minSamples ?? COMPARE_DEFAULTS.minSamples;
  const alpha = o.alpha ?? COMPARE_DEFAULTS.alpha;
  const regressionThreshold = o.regressionThreshold ?? COMPARE_DEFAULTS.warnIncrease;
  const errorRateThreshold = o.errorRateThreshold ?? COMPARE_DEFAULTS.warnErrorRise;
  const a = mine.durationBuckets?.();
  const b = baseline.durationBuckets?.();
  const latency: LatencyComparison = a && b
    ? compareBuckets(a, b, { minSamples, alpha, warnIncrease: regressionThreshold })
    : { verdict: mine.calls < minSamples || baseline.calls < minSamples ? 'too-few' : 'incomparable', test: 'mann-whitney-u', mine: { n: mine.calls, p95: mine.p95 }, baseline: { n: baseline.calls, p95: baseline.p95 }, change: NaN, z: 0, p: 1, warning: false };
  // errors beyond calls (a throw site, an error log) are not failed calls: the rate is of calls
  const errors = compareErrorRates(Math.min(mine.errors, mine.calls), mine.calls, Math.min(baseline.errors, baseline.calls), baseline.calls, { minSamples, alpha, warnErrorRise: errorRateThreshold });
  const change = baseline.p95 > 0 && Number.isFinite(mine.p95) ? (mine.p95 - baseline.p95) / baseline.p95 : NaN;
  const slowerOrFaster = latency.verdict === 'slower' || latency.verdict === 'faster';
  const errorsDiffer = errors.verdict === 'more-errors' || errors.verdict === 'fewer-errors';
  const warning = (latency.verdict === 'slower' && change >= regressionThreshold) || errors.warning;
  return { latency, errors, baselineP95: baseline.p95, change, significant: slowerOrFaster || errorsDiffer, warning, minSamples, alpha, regressionThreshold, errorRateThreshold };
}

/** How the comparison was made and what it found, for the lens's tooltip. */
export function functionComparisonSentence(c: FunctionComparison): string {
  const gate = `two-sided, level ${c.alpha}, at least ${c.minSamples} calls a side`;
  const p = (x: number) => (x < 0.0001 ? x.toExponential(1) : x.toFixed(4));
  const latency = (() => {
    switch (c.latency.verdict) {
      case 'too-few':
        return `Latency not compared: ${c.latency.mine.n} calls in my slice and ${c.latency.baseline.n} in the baseline`;
      case 'incomparable':
        return 'Latency not compared: a side has no durations';
      case 'no-difference':
        return 'Latency: no significant difference from the baseline';
      default:
        return `${c.latency.verdict === 'slower' ? 'Slower' : 'Faster'} than the baseline, p = ${p(c.latency.p)}${c.latency.verdict === 'slower' && c.change >= c.regressionThreshold ? ' (past slice.metrics.regressionThreshold)' : ''}`;
    }
  })();
  const e = c.errors;
  const errors = e.verdict === 'too-few'
    ? 'errors not compared'
    : e.verdict === 'no-difference'
      ? `errors ${e.mine.errors} of ${e.mine.n} against ${e.baseline.errors} of ${e.baseline.n}: no significant difference`
      : `${e.verdict === 'more-errors' ? 'more' : 'fewer'} errors than the baseline, ${e.mine.errors} of ${e.mine.n} against ${e.baseline.errors} of ${e.baseline.n}, ${e.test === 'fisher-exact' ? "Fisher's exact test" : 'two-proportion z-test'} p = ${p(e.p)}${e.warning ? ' (past slice.metrics.errorRateThreshold)' : ''}`;
  return `${latency} (Mann–Whitney U on the durations); ${errors} (${gate}).`;
}
