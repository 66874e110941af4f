import { test } from 'node:test';
import assert from 'node:assert/strict';
import { TelemetryAggregator } from '../../../../../src/core/telemetry/aggregate/aggregator';
import { unionQuantiles } from '../../../../../src/core/telemetry/aggregate/quantiles';
import { BIN_LIMIT, WindowedStats, mergeAll, newSketch } from '../../../../../src/core/telemetry/aggregate/window';
import { Locator } from '../../../../../src/core/telemetry/locate';
import { EMPTY_ATTRIBUTES, EMPTY_RESOURCE } from '../../../../../src/core/telemetry/model';
import { PathMapper } from '../../../../../src/core/telemetry/pathMapping';

/** The window's summary walks its minute sketches once instead of merging them: the answers must be the merged sketch's, exactly. */

/** A deterministic pseudo-random sequence (mulberry32). */
function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** The q of DDSketch's getValueAtQuantile (lower rank q·(n−1)) that answers the nearest-rank q-quantile x(⌈q·n⌉). */
const nearestQ = (q: number, n: number) => (n <= 1 ? 0 : Math.min(1, (Math.max(1, Math.ceil(q * n - 1e-9)) - 0.5) / (n - 1)));

const merged = (values: number[][]) => {
  const sketches = values.map((vs) => {
    const s = newSketch();
    for (const v of vs) s.accept(v);
    return s;
  });
  const m = mergeAll(sketches);
  const n = m.count;
  // the top rank is the maximum, exactly; nothing above it
  const at = (q: number) => (Math.ceil(q * n - 1e-9) >= n ? m.max : Math.min(m.getValueAtQuantile(nearestQ(q, n)), m.max));
  return { sketches, expected: { p50: at(0.5), p95: at(0.95), p99: at(0.99), maxMs: m.max } };
};

test('union quantiles: equal to merging the sketches, for 1 to 5 sketches of random latencies', () => {
  const rnd = random(42);
  for (let round = 0; round < 200; round++) {
    const k = 1 + (round % 5);
    const values = Array.from({ length: k }, () => Array.from({ length: 1 + Math.floor(rnd() * 300) }, () => 0.05 + Math.exp(rnd() * 9)));
    const { sketches, expected } = merged(values);
    assert.deepStrictEqual(unionQuantiles(sketches, BIN_LIMIT, () => mergeAll(sketches)), expected, `round ${round}`);
  }
});

test('union quantiles: nearest rank, x(ceil(q*n)) within 1%, for small and large samples (two calls: p95 is the slower one)', () => {
  const close = (got: number, want: number, what: string) => assert.ok(Math.abs(got - want) <= want * 0.0101, `${what}: ${got} vs ${want}`);
  const two = merged([[1.9, 0.46]]);
  const q2 = unionQuantiles(two.sketches, BIN_LIMIT, () => mergeAll(two.sketches));
  close(q2.p50, 0.46, 'p50 of two');
  close(q2.p95, 1.9, 'p95 of two');
  close(q2.p99, 1.9, 'p99 of two');
  assert.equal(q2.maxMs, 1.9);
  const rnd = random(11);
  for (let round = 0; round < 100; round++) {
    const n = 1 + Math.floor(rnd() * (round < 50 ? 25 : 400));
    const values = Array.from({ length: n }, () => 0.05 + Math.exp(rnd() * 9));
    const sorted = [...values].sort((a, b) => a - b);
    const at = (q: number) => sorted[Math.max(1, Math.ceil(q * n - 1e-9)) - 1]!;
    const split = [values.slice(0, n >> 1), values.slice(n >> 1)].filter((v) => v.length > 0);
    const { sketches } = merged(split);
    const got = unionQuantiles(sketches, BIN_LIMIT, () => mergeAll(sketches));
    close(got.p50, at(0.5), `round ${round} p50 of ${n}`);
    close(got.p95, at(0.95), `round ${round} p95 of ${n}`);
    close(got.p99, at(0.99), `round ${round} p99 of ${n}`);
  }
});

test('union quantiles: with fewer than 20 calls p95 is the maximum itself, not its bin (two calls of 44.6 and 45.3 ms: p95 45.3, not 44)', () => {
  for (const values of [[[44.6, 45.3]], [[44.6], [45.3]], [[1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19.7]]]) {
    const { sketches } = merged(values);
    const q = unionQuantiles(sketches, BIN_LIMIT, () => mergeAll(sketches));
    assert.equal(q.p95, q.maxMs, JSON.stringify(values));
    assert.equal(q.p99, q.maxMs);
    assert.ok(q.p50 <= q.maxMs);
  }
});

test('union quantiles: ties, one value, and sketches with disjoint ranges', () => {
  const cases = [[[5]], [[5, 5, 5], [5]], [[0.01, 0.02], [5000, 6000]], [[1], [], [2]].filter((v) => v.length > 0), [[3, 3, 3, 3, 100]]];
  for (const values of cases) {
    const { sketches, expected } = merged(values);
    assert.deepStrictEqual(unionQuantiles(sketches, BIN_LIMIT, () => mergeAll(sketches)), expected, JSON.stringify(values));
  }
});

test('union quantiles: keys wider than the bin limit and zero or negative values go through a real merge (same answer)', () => {
  const wide = [[0.001, 0.002, 0.5], [3_600_000, 1_000_000, 2]];
  const withZero = [[0, 0, 4, 8], [16]];
  const negative = [[-3, 4], [5]];
  for (const values of [wide, withZero, negative]) {
    const { sketches, expected } = merged(values);
    let mergedCalls = 0;
    const got = unionQuantiles(sketches, BIN_LIMIT, () => (mergedCalls++, mergeAll(sketches)));
    assert.deepStrictEqual(got, expected, JSON.stringify(values));
    assert.equal(mergedCalls, 1, 'fell back to a merge');
  }
});

test('windowed stats: the summary over sliding minutes is the merged sketch of the minutes in the window', () => {
  const rnd = random(7);
  const w = new WindowedStats(5);
  const perMinute = new Map<number, number[]>();
  for (let minute = 100; minute < 112; minute++) {
    const vs = Array.from({ length: 20 + Math.floor(rnd() * 50) }, () => Math.exp(rnd() * 8));
    perMinute.set(minute, vs);
    for (const v of vs) w.record(minute, v, rnd() < 0.1);
    const inWindow = [...perMinute].filter(([m]) => m > minute - 5).map(([, vs]) => vs);
    const { expected } = merged(inWindow);
    const s = w.summary(minute);
    assert.deepStrictEqual({ p50: s.p50, p95: s.p95, p99: s.p99, maxMs: s.maxMs }, expected, `minute ${minute}`);
    assert.equal(s.calls, inWindow.reduce((n, vs) => n + vs.length, 0));
  }
  assert.ok(Number.isNaN(w.summary(200).p95), 'nothing in the window');
});

test("line statistics: their quantiles, read on demand, are the window's summary at the view's minute, like the function's", () => {
  let now = 1_718_000_000_000;
  const agg = new TelemetryAggregator({ locator: new Locator(new PathMapper([{ containerPath: '/app', localPath: '/w' }])), now: () => now });
  const rnd = random(3);
  for (let minute = 0; minute < 7; minute++) {
    for (let i = 0; i < 40; i++) {
      const durationMs = Math.exp(rnd() * 7);
      agg.addSpan({
        source: 'slice',
        traceId: 't',
        spanId: 's',
        parentSpanId: '',
        name: 'f',
        kind: 1,
        startMs: now,
        durationMs,
        status: { code: 0, message: '' },
        attributes: EMPTY_ATTRIBUTES,
        code: { file: '/app/a.js', line: 3, column: undefined, function: 'f' },
        events: [],
        exceptions: [],
        resource: EMPTY_RESOURCE,
        scope: '',
      });
    }
    if (minute < 6) now += 60_000;
  }
  const view = agg.query('/w/a.js', 'slice')!;
  const line = view.lines[0]!;
  const fn = view.functions[0]!;
  assert.equal(line.calls, 5 * 40, 'the last five minutes');
  assert.deepStrictEqual([line.p50, line.p95, line.p99, line.maxMs], [fn.p50, fn.p95, fn.p99, fn.maxMs]);
  assert.equal(line.p95, line.p95, 'computed once');
  assert.ok(line.p50 < line.p95 && line.p95 <= line.p99 && line.p99 <= line.maxMs * 1.02);
});
