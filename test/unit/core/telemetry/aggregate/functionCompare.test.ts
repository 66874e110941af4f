// My slice against the baseline on a function's span lens: the aggregator's real windows (sketches
// per minute) for the same function in both sources, compared through the one comparison module;
// a shift shows on the lens, the same distribution does not, too few calls do not, and a rise in
// failed calls shows as errors (Fisher's exact test, p checked against SciPy).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { TelemetryAggregator } from '../../../../../src/core/telemetry/aggregate/aggregator';
import { compareFunction, functionComparisonSentence } from '../../../../../src/core/telemetry/aggregate/functionCompare';
import { type FunctionStats } from '../../../../../src/core/telemetry/aggregate/view';
import { Locator } from '../../../../../src/core/telemetry/locate';
import { PathMapper } from '../../../../../src/core/telemetry/pathMapping';
import { lensTitle } from '../../../../../src/core/telemetry/present';
import { type Span, type SourceTag, EMPTY_ATTRIBUTES, EMPTY_RESOURCE } from '../../../../../src/core/telemetry/model';

const T0 = 1_718_000_000_000;
/** SciPy 1.17.1: scipy.stats.fisher_exact([[9, 31], [0, 40]]).pvalue (two-sided), computed once. */
const FISHER_9_40_0_40 = 0.002358245188139414;

function span(source: SourceTag, durationMs: number, error = false, i = 0): Span {
  return {
    source, traceId: `t${source}${i}`, spanId: `s${i}`, parentSpanId: '', name: 'createOrder', kind: 1, startMs: T0 - 30_000, durationMs,
    status: { code: error ? 2 : 0, message: '' }, attributes: EMPTY_ATTRIBUTES,
    code: { file: '/app/src/orders.js', line: 12, column: undefined, function: 'createOrder' },
    events: [], exceptions: [], resource: EMPTY_RESOURCE, scope: '',
  };
}

/** The function's statistics in my slice and in the baseline, from the aggregator. */
function sides(mine: readonly number[], base: readonly number[], errors: { mine?: number; base?: number } = {}): { mine: FunctionStats; base: FunctionStats } {
  const agg = new TelemetryAggregator({ locator: new Locator(new PathMapper([{ containerPath: '/app', localPath: '/w' }])), now: () => T0 });
  agg.addSpans(mine.map((d, i) => span('slice', d, i < (errors.mine ?? 0), i)));
  agg.addSpans(base.map((d, i) => span('baseline', d, i < (errors.base ?? 0), i)));
  const fn = (s: SourceTag) => agg.query('/w/src/orders.js', s)!.functions.find((f) => f.function === 'createOrder')!;
  return { mine: fn('slice'), base: fn('baseline') };
}
const spread = (n: number, from: number, to: number) => Array.from({ length: n }, (_, i) => from + ((to - from) * i) / Math.max(1, n - 1));

test('a real shift: the span lens says my p95, the baseline\'s and the change, a warning past the threshold', () => {
  const { mine, base } = sides(spread(40, 30, 48), spread(40, 6, 11));
  const c = compareFunction(mine, base);
  assert.equal(c.latency.verdict, 'slower');
  assert.equal(c.latency.test, 'mann-whitney-u');
  assert.ok(c.latency.p < 0.01);
  assert.equal(c.significant, true);
  assert.equal(c.warning, true, 'more than +50 %');
  assert.match(lensTitle(mine, 5, { stale: false, compared: c }), /^⚠ p95 4\d ms · baseline 11 ms · \+3\d\d % · 40 calls · 5 min$/);
  assert.match(functionComparisonSentence(c), /^Slower than the baseline, p = .* \(past slice\.metrics\.regressionThreshold\) \(Mann–Whitney U on the durations\); errors 0 of 40 against 0 of 40: no significant difference \(two-sided, level 0\.01, at least 20 calls a side\)\.$/);
  const calm = compareFunction(mine, base, { regressionThreshold: 50 });
  assert.equal(calm.warning, false);
  assert.match(lensTitle(mine, 5, { stale: false, compared: calm }), /^⏱ p95 4\d ms · baseline 11 ms/);
});

test('no difference, or too few calls: nothing on the lens', () => {
  const same = sides(spread(40, 20, 45), spread(40, 21, 46));
  const c = compareFunction(same.mine, same.base);
  assert.equal(c.latency.verdict, 'no-difference');
  assert.equal(c.significant, false);
  assert.equal(lensTitle(same.mine, 5, { stale: false, compared: c }), lensTitle(same.mine, 5, { stale: false }));
  const few = sides(spread(10, 30, 48), spread(10, 6, 11));
  const f = compareFunction(few.mine, few.base);
  assert.equal(f.latency.verdict, 'too-few');
  assert.equal(f.significant, false);
  assert.match(functionComparisonSentence(f), /^Latency not compared: 10 calls in my slice and 10 in the baseline/);
});

test('failed calls: my error rate against the baseline\'s (Fisher\'s exact test below an expected count of 5), shown and warned', () => {
  const { mine, base } = sides(spread(40, 20, 45), spread(40, 21, 46), { mine: 9 });
  const c = compareFunction(mine, base);
  assert.equal(c.errors.verdict, 'more-errors');
  assert.equal(c.errors.test, 'fisher-exact');
  assert.ok(Math.abs(c.errors.p - FISHER_9_40_0_40) < 1e-9, `${c.errors.p} vs SciPy's ${FISHER_9_40_0_40}`);
  assert.equal(c.warning, true);
  assert.match(lensTitle(mine, 5, { stale: false, compared: c }), /^⚠ p95 \d+ ms · errors 23 % · baseline 0 % · 40 calls · 9 errors · 5 min$/);
});
