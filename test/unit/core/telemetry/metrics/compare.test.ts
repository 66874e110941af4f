// The comparison tests' decisions on synthetic samples (no difference, a real shift, too few
// samples, heavy ties, histograms, error rates), and their statistics against SciPy's on the same
// samples (fixtures/compare-cases.json, made by fixtures/make-compare-cases.py).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  COMPARE_DEFAULTS,
  compareBuckets,
  compareDurations,
  compareErrorRates,
  fisherExact,
  mannWhitney,
  mannWhitneyGrouped,
  sampleQuantile,
  sketchBuckets,
} from '../../../../../src/core/telemetry/metrics/compare';
import { newSketch } from '../../../../../src/core/telemetry/aggregate/window';
import { fixtureText } from './fixtures';

interface SampleCase {
  name: string;
  kind: 'samples';
  mine: number[];
  base: number[];
  u: number;
  p: number;
  p95mine: number;
  p95base: number;
}
interface BucketCase {
  name: string;
  kind: 'buckets';
  x: number[];
  y: number[];
  u: number;
  p: number;
}
interface ErrorCase {
  name: string;
  kind: 'errors';
  a: number;
  n1: number;
  b: number;
  n2: number;
  fisher: number;
  ztest: number;
}
type Case = SampleCase | BucketCase | ErrorCase;

const cases = (JSON.parse(fixtureText('compare-cases.json')) as { cases: Case[] }).cases;
const sample = (name: string) => cases.find((c): c is SampleCase => c.kind === 'samples' && c.name === name)!;
const close = (actual: number, expected: number, what: string) => assert.ok(Math.abs(actual - expected) <= 1e-5 * Math.max(expected, 1e-300) + 1e-12, `${what}: ${actual} vs SciPy's ${expected}`);

test('Mann–Whitney U and its p-value (normal approximation, tie and continuity corrections) match SciPy on every sample case', () => {
  for (const c of cases) {
    if (c.kind === 'samples') {
      const r = mannWhitney(c.mine, c.base);
      assert.equal(r.u, c.u, c.name);
      close(r.p, c.p, c.name);
      close(sampleQuantile(c.mine, 0.95), c.p95mine, `${c.name} p95`);
    } else if (c.kind === 'buckets') {
      const r = mannWhitneyGrouped(c.x, c.y);
      assert.equal(r.u, c.u, c.name);
      close(r.p, c.p, c.name);
    } else {
      close(fisherExact(c.a, c.n1, c.b, c.n2), c.fisher, `${c.name} (Fisher)`);
    }
  }
});

test('no difference: samples of one distribution are not flagged', () => {
  const c = sample('same distribution');
  const r = compareDurations(c.mine, c.base);
  assert.equal(r.verdict, 'no-difference');
  assert.equal(r.warning, false);
  assert.equal(r.test, 'mann-whitney-u');
});

test('a real shift: 30 % slower is flagged as slower, and a warning only past the threshold', () => {
  const c = sample('a real shift (x1.3)');
  const r = compareDurations(c.mine, c.base);
  assert.equal(r.verdict, 'slower');
  assert.ok(r.z > 0 && r.p < COMPARE_DEFAULTS.alpha);
  assert.ok(Math.abs(r.change - (c.p95mine - c.p95base) / c.p95base) < 1e-9);
  assert.equal(r.warning, false, 'a +29 % p95 is under the default +50 % warning');
  assert.equal(compareDurations(c.mine, c.base, { warnIncrease: 0.2 }).warning, true);
  assert.equal(compareDurations(sample('faster (x0.7)').mine, sample('faster (x0.7)').base).verdict, 'faster');
});

test('too few samples: no verdict, however different they look', () => {
  const c = sample('too few');
  assert.ok(mannWhitney(c.mine, c.base).p < 0.01, 'the test alone would call it');
  const r = compareDurations(c.mine, c.base);
  assert.equal(r.verdict, 'too-few');
  assert.equal(r.warning, false);
  assert.equal(compareDurations([], c.base).verdict, 'too-few');
});

test('heavy ties (durations in whole milliseconds) and a small shift: no difference at the 1 % level', () => {
  const c = sample('heavy ties (whole ms)');
  assert.equal(compareDurations(c.mine, c.base).verdict, 'no-difference');
});

test('histograms: the rank test on bucket counts, a shift flagged and equal ones not; different bucket layouts are not compared', () => {
  const bounds = [1, 2, 5, 10, 20, 50];
  const lower = [-Infinity, ...bounds];
  const upper = [...bounds, Infinity];
  const of = (counts: number[]) => ({ lower, upper, counts, count: counts.reduce((a, b) => a + b, 0) });
  const shift = cases.find((c): c is BucketCase => c.name === 'histogram shift')!;
  const same = cases.find((c): c is BucketCase => c.name === 'histogram same')!;
  const r = compareBuckets(of(shift.x), of(shift.y));
  assert.equal(r.verdict, 'slower');
  close(r.p, shift.p, 'histogram p');
  assert.ok(r.mine.p95 > r.baseline.p95);
  assert.equal(compareBuckets(of(same.x), of(same.y)).verdict, 'no-difference');
  const other = { lower: [-Infinity, 1.5, 3], upper: [1.5, 3, Infinity], counts: [40, 40, 20], count: 100 };
  assert.equal(compareBuckets(of(shift.x), other).verdict, 'incomparable');
  assert.equal(compareBuckets(of([1, 2, 3, 0, 0, 0, 0]), of(shift.y)).verdict, 'too-few');
});

test('error rates: the z-test with enough expected counts, Fisher\'s exact test below, each matching SciPy', () => {
  const up = cases.find((c): c is ErrorCase => c.name === 'error rate up')!;
  const r = compareErrorRates(up.a, up.n1, up.b, up.n2);
  assert.equal(r.test, 'two-proportion-z');
  assert.equal(r.verdict, 'more-errors');
  close(r.p, up.ztest, 'z-test p');
  assert.equal(r.warning, true, '15 % against 2 % is past the 5-point warning');
  const same = cases.find((c): c is ErrorCase => c.name === 'error rate same')!;
  assert.equal(compareErrorRates(same.a, same.n1, same.b, same.n2).verdict, 'no-difference');
  const rare = cases.find((c): c is ErrorCase => c.name === 'rare errors')!;
  const f = compareErrorRates(rare.a, rare.n1, rare.b, rare.n2);
  assert.equal(f.test, 'fisher-exact');
  close(f.p, rare.fisher, 'Fisher p');
  assert.equal(f.verdict, 'more-errors');
  assert.equal(compareErrorRates(3, 10, 0, 500).verdict, 'too-few');
  assert.equal(compareErrorRates(0, 100, 0, 100).verdict, 'no-difference');
});

test('the function comparison on the aggregator\'s sketches: a real shift flagged, the same distribution not, as on the raw samples', () => {
  const sketch = (values: readonly number[]) => {
    const s = newSketch();
    for (const v of values) s.accept(v);
    return s;
  };
  for (const [name, verdict] of [
    ['same distribution', 'no-difference'],
    ['a real shift (x1.3)', 'slower'],
    ['faster (x0.7)', 'faster'],
    ['too few', 'too-few'],
  ] as const) {
    const c = sample(name);
    const r = compareBuckets(sketchBuckets(sketch(c.mine)), sketchBuckets(sketch(c.base)));
    assert.equal(r.verdict, verdict, name);
    assert.equal(r.verdict, compareDurations(c.mine, c.base).verdict, `${name}: as on the raw samples`);
    // with 150+ samples the sketch's p95 is the samples' within a few % (with 10, quantile conventions differ by a whole sample)
    if (c.mine.length >= 100) assert.ok(Math.abs(r.mine.p95 - c.p95mine) / c.p95mine < 0.03, `${name}: p95 ${r.mine.p95} vs ${c.p95mine}`);
  }
});
