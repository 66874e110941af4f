// The route lens's numbers and words: the nearest-rank p95 read off histogram buckets (small
// samples included), the lens title, and the comparison with the baseline shown only when the rank
// test finds a difference for the sample sizes, a warning only past the threshold.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { decodeMetricsJson } from '../../../../../src/core/telemetry/metrics/decode';
import { MetricStore } from '../../../../../src/core/telemetry/metrics/store';
import { comparisonSentence, errorSentence, isServerError, nearestRankBucketQuantile, routeLensTitle, routeMetrics, sideLine } from '../../../../../src/core/telemetry/metrics/routeLens';
import { RejectionCounter } from '../../../../../src/core/telemetry/rejections';
import { SOURCE_BASELINE } from '../../../../../src/core/telemetry/model';
import { percentChange } from '../../../../../src/core/telemetry/present';
import { type RoutePoint, routeHistogramPayload } from '../../../../support/routeHistograms';

const NOW = 1_800_000_000_000;
const KEY = { service: 'orders', method: 'POST', route: '/orders' };

function storeWith(mine: readonly RoutePoint[], baseline: readonly RoutePoint[] = []): MetricStore {
  const store = new MetricStore();
  for (const [points, base] of [[mine, false], [baseline, true]] as const) {
    if (points.length === 0) continue;
    const r = decodeMetricsJson(routeHistogramPayload('orders', points), { source: base ? SOURCE_BASELINE : 'slice', counter: new RejectionCounter() });
    assert.ok(r.ok);
    store.ingest(r.value, NOW);
  }
  return store;
}

const at = (minutesAgo: number, durationsMs: number[]): RoutePoint => ({ route: '/orders', method: 'POST', status: 201, timeMs: NOW - minutesAgo * 60_000, durationsMs });
const spread = (n: number, from: number, to: number) => Array.from({ length: n }, (_, i) => from + ((to - from) * i) / Math.max(1, n - 1));

test('nearest-rank p95 from buckets: the ⌈0.95·n⌉-th observation\'s bucket, interpolated by its rank in it', () => {
  const one = { lower: [-Infinity, 25, 50], upper: [25, 50, Infinity], counts: [0, 1, 0], count: 1 };
  assert.deepEqual(nearestRankBucketQuantile(one, 0.95), { value: 50, lower: 25, upper: 50 }, 'one request: its bucket\'s upper bound');
  const two = { lower: [-Infinity, 25, 50], upper: [25, 50, Infinity], counts: [1, 1, 0], count: 2 };
  assert.equal(nearestRankBucketQuantile(two, 0.95)?.value, 50, 'p95 of two is the larger (rank 2)');
  assert.equal(nearestRankBucketQuantile(two, 0.5)?.value, 25, 'p50 of two is the smaller (rank 1, the top of the first bucket)');
  const twenty = { lower: [0, 10], upper: [10, 20], counts: [10, 10], count: 20 };
  assert.equal(nearestRankBucketQuantile(twenty, 0.95)?.value, 19, 'rank 19 of 20: the 9th of 10 in (10, 20]');
  const open = { lower: [-Infinity, 10], upper: [10, Infinity], counts: [0, 3], count: 3 };
  assert.equal(nearestRankBucketQuantile(open, 0.95)?.value, 10, 'the open-ended bucket answers its finite edge');
  assert.equal(nearestRankBucketQuantile({ lower: [], upper: [], counts: [], count: 0 }, 0.95), undefined);
});

test('my slice alone: p95 with n below 20 requests, the request count from 20, no comparison', () => {
  const small = routeMetrics(storeWith([at(1, [30, 40])]), KEY, NOW, { windowMinutes: 5 });
  assert.ok(small?.mine);
  assert.equal(small.mine.n, 2);
  assert.equal(small.mine.p95.value, 50, 'both in (25, 50] ms: rank 2 of 2 is the bucket\'s top');
  assert.equal(routeLensTitle(small), '⏱ POST /orders · p95 50 ms · n=2 · 5 min (metrics)');
  assert.equal(small.compared, 'no-baseline');
  assert.equal(sideLine(small.mine), 'p95 ≈ 50 ms (in the 25 ms–50 ms bucket) · 2 requests');
  const big = routeMetrics(storeWith([at(1, spread(40, 30, 45))]), KEY, NOW, { windowMinutes: 5 });
  assert.equal(routeLensTitle(big!), '⏱ POST /orders · p95 49 ms · 40 requests · 5 min (metrics)');
  assert.equal(routeMetrics(storeWith([at(9, [30])]), KEY, NOW, { windowMinutes: 5 }), undefined, 'nothing in the window');
  assert.equal(routeMetrics(storeWith([at(1, [30])]), { ...KEY, method: 'GET' }, NOW, { windowMinutes: 5 }), undefined, 'another method is another handler');
});

test('the sparkline\'s p95 per minute: one a minute over 15 minutes, none where there was no request', () => {
  const r = routeMetrics(storeWith([at(1, [30, 40]), at(3, [8])]), KEY, NOW, { windowMinutes: 5 });
  assert.equal(r?.mine?.perMinute.length, 15);
  const perMinute = r.mine.perMinute;
  assert.equal(perMinute.filter((v) => v !== undefined).length, 2);
  assert.equal(perMinute[13], 50);
  assert.equal(perMinute[11], 10);
});

test('against the baseline: shown only when the rank test finds a difference for the sample sizes; a warning past the threshold', () => {
  const slow = spread(30, 30, 48);
  const fast = spread(30, 6, 11);
  const r = routeMetrics(storeWith([at(1, slow)], [at(1, fast)]), KEY, NOW, { windowMinutes: 5, regressionThreshold: 0.5 });
  assert.equal(r?.compared, 'significant');
  assert.equal(r.difference?.verdict, 'slower');
  assert.ok(r.difference.p < 0.01);
  assert.equal(routeLensTitle(r), `⚠ POST /orders · p95 ${Math.round(r.mine!.p95.value)} ms · baseline ${Math.round(r.baseline!.p95.value)} ms · ${percentChange(r.difference.change)} · 30 requests · 5 min (metrics)`);
  assert.match(comparisonSentence(r), /^Slower than the baseline, p = .* past the \+50 % threshold .*Mann–Whitney U .* level 0\.01, at least 20 requests a side/);

  const calm = routeMetrics(storeWith([at(1, slow)], [at(1, fast)]), KEY, NOW, { windowMinutes: 5, regressionThreshold: 50 });
  assert.ok(calm?.difference && !calm.difference.warning, 'significant but under a threshold of +5000 %: no warning');
  assert.match(routeLensTitle(calm), /^⏱ POST \/orders · p95 \d+ ms · baseline \d+ ms · \+\d+ %/);

  const few = routeMetrics(storeWith([at(1, slow.slice(0, 10))], [at(1, fast.slice(0, 10))]), KEY, NOW, { windowMinutes: 5 });
  assert.equal(few?.compared, 'too-few', '10 a side: under the 20 the test needs');
  assert.equal(few.difference, undefined);
  assert.doesNotMatch(routeLensTitle(few), /baseline/);
  assert.match(comparisonSentence(few), /^Not compared: 10 requests in my slice and 10 in the baseline/);

  const same = routeMetrics(storeWith([at(1, spread(30, 20, 45))], [at(1, spread(30, 21, 46))]), KEY, NOW, { windowMinutes: 5 });
  assert.equal(same?.compared, 'no-difference');
  assert.doesNotMatch(routeLensTitle(same), /baseline/);
});

test('percent change words', () => {
  assert.equal(percentChange(3), '+300 %');
  assert.equal(percentChange(-0.25), '−25 %');
  assert.equal(percentChange(NaN), '');
});

// Error rates from the route histograms: a point whose http.response.status_code is 500 or more
// counts its requests as server errors; a 4xx is the client's error (OpenTelemetry HTTP semconv).
/** SciPy 1.17.1: scipy.stats.fisher_exact([[9, 31], [0, 40]]).pvalue (two-sided), computed once. */
const FISHER_9_40_0_40 = 0.002358245188139414;

const withStatus = (status: number, minutesAgo: number, durationsMs: number[]): RoutePoint => ({ ...at(minutesAgo, durationsMs), status });

test('errors from the histograms: 5xx points are server errors, 4xx are not; the lens and hover say errors n/N (rate)', () => {
  const r = routeMetrics(storeWith([at(1, spread(33, 20, 40)), withStatus(500, 1, [30, 35, 38]), withStatus(404, 2, [5, 6, 7, 8])]), KEY, NOW, { windowMinutes: 5 });
  assert.ok(r?.mine);
  assert.equal(r.mine.n, 40);
  assert.equal(r.mine.errors, 3, 'the three 500s; the four 404s are not server errors');
  assert.match(routeLensTitle(r), /^⏱ POST \/orders · p95 \d+ ms · errors 3\/40 \(7\.5 %\) · 40 requests · 5 min \(metrics\)$/);
  assert.match(sideLine(r.mine), / · 40 requests · errors 3\/40 \(7\.5 %\)$/);
  assert.equal(r.errorsCompared, 'no-baseline');
  assert.match(errorSentence(r), /^Errors: 3 of 40 requests in my slice; no baseline requests/);
  const clean = routeMetrics(storeWith([at(1, [30, 40])]), KEY, NOW, { windowMinutes: 5 });
  assert.doesNotMatch(routeLensTitle(clean!), /errors/, 'no error: nothing said');
  const old = { ...withStatus(503, 1, [30]) };
  assert.equal(isServerError({ 'http.status_code': 503 }), true, 'the older key');
  assert.equal(isServerError({ 'http.response.status_code': '502' }), true, 'an int as a string');
  assert.equal(isServerError({ 'http.response.status_code': 499 }), false);
  assert.equal(isServerError({}), false);
  assert.equal(routeMetrics(storeWith([old]), KEY, NOW, { windowMinutes: 5 })?.mine?.errors, 1);
});

test('error rate against the baseline: shown only when significant for the sample sizes; a warning past slice.metrics.errorRateThreshold', () => {
  // a real shift: 9 of 40 against 0 of 40 (Fisher's exact test: an expected count of 4.5, under 5)
  const upMine = [at(1, spread(31, 20, 40)), withStatus(500, 1, spread(9, 20, 40))];
  const upBase = [at(1, spread(40, 20, 40))];
  const up = routeMetrics(storeWith(upMine, upBase), KEY, NOW, { windowMinutes: 5 });
  assert.equal(up?.compared, 'no-difference', 'the latencies are alike');
  assert.equal(up.errorsCompared, 'significant');
  assert.equal(up.errorDifference?.verdict, 'more-errors');
  assert.equal(up.errorDifference.test, 'fisher-exact');
  assert.ok(Math.abs(up.errorDifference.p - FISHER_9_40_0_40) < 1e-9, `p ${up.errorDifference.p} vs SciPy's ${FISHER_9_40_0_40}`);
  assert.equal(up.errorDifference.warning, true, '22.5 % against 0 %: past 5 points');
  assert.match(routeLensTitle(up), /^⚠ POST \/orders · p95 \d+ ms · errors 9\/40 \(23 %\) · baseline 0 % · 40 requests · 5 min \(metrics\)$/);
  assert.match(errorSentence(up), /^More server errors than the baseline: 9 of 40 \(23 %\) against 0 of 40 \(0 %\), Fisher's exact test p = 0\.0\d+ — past the 5-point threshold .*level 0\.01, at least 20 requests a side/);
  const calm = routeMetrics(storeWith(upMine, upBase), KEY, NOW, { windowMinutes: 5, errorRateThreshold: 0.5 });
  assert.equal(calm?.errorDifference?.warning, false, 'a 22.5-point rise is under a 50-point threshold');
  assert.match(routeLensTitle(calm), /^⏱ /);

  // no difference: 2 of 40 against 1 of 40
  const same = routeMetrics(storeWith([at(1, spread(38, 20, 40)), withStatus(500, 1, [30, 31])], [at(1, spread(39, 20, 40)), withStatus(500, 1, [30])]), KEY, NOW, { windowMinutes: 5 });
  assert.equal(same?.errorsCompared, 'no-difference');
  assert.equal(same.errorDifference, undefined);
  assert.doesNotMatch(routeLensTitle(same), /baseline/);
  assert.match(routeLensTitle(same), /errors 2\/40 \(5 %\)/, 'my errors are still said');

  // too few: 5 of 10 against 0 of 10, however different it looks
  const few = routeMetrics(storeWith([at(1, spread(5, 20, 40)), withStatus(500, 1, spread(5, 20, 40))], [at(1, spread(10, 20, 40))]), KEY, NOW, { windowMinutes: 5 });
  assert.equal(few?.errorsCompared, 'too-few');
  assert.doesNotMatch(routeLensTitle(few), /baseline/);
  assert.match(errorSentence(few), /^Errors not compared: 10 requests in my slice and 10 in the baseline/);
});
