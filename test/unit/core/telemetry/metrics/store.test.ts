// The metric store: temporality (cumulative to delta, counter resets, start-time changes, delta
// as it is), gauges, histograms and exponential histograms (on the SDK's real payloads too), the
// cardinality guard, late points, retention, and reading rates and distributions.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { decodeMetricsJson, decodeMetricsProto } from '../../../../../src/core/telemetry/metrics/decode';
import { type HistogramPoint, type Metric, type NumberPoint, type Temporality } from '../../../../../src/core/telemetry/metrics/model';
import { compareRoutes, distribution, seriesValues } from '../../../../../src/core/telemetry/metrics/read';
import { MetricStore } from '../../../../../src/core/telemetry/metrics/store';
import { bucketQuantile } from '../../../../../src/core/telemetry/metrics/compare';
import { EMPTY_RESOURCE, type Attributes } from '../../../../../src/core/telemetry/model';
import { fixtureBytes, fixtureText } from './fixtures';

const T0 = 1_796_000_000_000; // a slot boundary at 10 s resolution
const resource = { ...EMPTY_RESOURCE, serviceName: 'orders' };
const head = { source: 'slice', resource, scope: 's', unit: '1', description: '' };
const np = (timeMs: number, value: number, startMs = T0 - 60_000, attributes: Attributes = {}): NumberPoint => ({ attributes, startMs, timeMs, value, exemplars: [], flags: 0 });
const sum = (points: NumberPoint[], temporality: Temporality = 'cumulative', monotonic = true, name = 'c'): Metric => ({ ...head, name, kind: 'sum', temporality, monotonic, points });

function values(store: MetricStore, name = 'c'): number[] {
  const [s] = store.seriesOf('slice', name);
  assert.ok(s, `a series of ${name}`);
  return seriesValues(store, s.key, T0 - 3_600_000, T0 + 3_600_000).map((v) => v.value);
}

test('cumulative counter: the first point with a start time counts from it, then differences; rates per second', () => {
  const store = new MetricStore();
  const r = store.ingest([sum([np(T0 + 1000, 10), np(T0 + 11_000, 15), np(T0 + 21_000, 25)])]);
  assert.deepEqual({ stored: r.stored, resets: r.resets }, { stored: 3, resets: 0 });
  assert.deepEqual(values(store), [1, 0.5, 1]); // 10, 5 and 10 over 10 s slots
});

test('counter reset: a total that goes down, or a new start time, restarts the series from the new total', () => {
  const store = new MetricStore();
  store.ingest([sum([np(T0 + 1000, 100), np(T0 + 11_000, 120)])]);
  const down = store.ingest([sum([np(T0 + 21_000, 7)])]); // same start, lower total: restarted without saying so
  const restarted = store.ingest([sum([np(T0 + 31_000, 30, T0 + 25_000)])]); // new start time, higher total than before: still a restart
  assert.equal(down.resets, 1);
  assert.equal(restarted.resets, 1);
  assert.deepEqual(values(store), [10, 2, 0.7, 3]);
  const after = store.ingest([sum([np(T0 + 41_000, 45, T0 + 25_000)])]);
  assert.equal(after.resets, 0);
  assert.deepEqual(values(store).slice(-1), [1.5]);
});

test('a first cumulative point without a start time only sets the baseline', () => {
  const store = new MetricStore();
  const r = store.ingest([sum([np(T0 + 1000, 50, 0), np(T0 + 11_000, 60, 0)])]);
  assert.deepEqual({ stored: r.stored, baseline: r.baseline }, { stored: 1, baseline: 1 });
  assert.deepEqual(values(store), [1]);
});

test('delta sums are their own deltas; gauges and cumulative up-down sums keep the last value of a slot; delta up-down sums add up', () => {
  const store = new MetricStore();
  store.ingest([
    sum([np(T0 + 1000, 4), np(T0 + 2000, 6), np(T0 + 11_000, 1)], 'delta'),
    { ...head, name: 'g', kind: 'gauge', points: [np(T0 + 1000, 3), np(T0 + 9000, 5), np(T0 + 15_000, 2)] },
    sum([np(T0 + 1000, 8), np(T0 + 11_000, 6)], 'cumulative', false, 'u'),
    sum([np(T0 + 1000, 8), np(T0 + 11_000, -3)], 'delta', false, 'ud'),
  ]);
  assert.deepEqual(values(store), [1, 0.1]);
  assert.deepEqual(values(store, 'g'), [5, 2]);
  assert.deepEqual(values(store, 'u'), [8, 6]);
  assert.deepEqual(values(store, 'ud'), [8, 5]);
});

const hp = (timeMs: number, counts: number[], bounds = [10, 100], startMs = T0 - 60_000, attributes: Attributes = {}): HistogramPoint => ({
  attributes,
  startMs,
  timeMs,
  exemplars: [],
  flags: 0,
  count: counts.reduce((a, b) => a + b, 0),
  sum: 0,
  min: NaN,
  max: NaN,
  bounds,
  counts,
});

test('cumulative histograms become per-slot bucket deltas; a bucket that goes down is a reset', () => {
  const store = new MetricStore();
  const h = (points: HistogramPoint[]): Metric => ({ ...head, name: 'h', kind: 'histogram', temporality: 'cumulative', points });
  store.ingest([h([hp(T0 + 1000, [1, 2, 0]), hp(T0 + 11_000, [3, 2, 1])])]);
  const d = distribution(store, 'slice', 'h', T0 + 10_000, T0 + 19_999)!;
  assert.deepEqual(d.counts, [2, 0, 1]);
  assert.deepEqual(distribution(store, 'slice', 'h', T0, T0 + 19_999)!.counts, [3, 2, 1]);
  const r = store.ingest([h([hp(T0 + 21_000, [1, 0, 0])])]);
  assert.equal(r.resets, 1);
  assert.deepEqual(distribution(store, 'slice', 'h', T0 + 20_000, T0 + 29_999)!.counts, [1, 0, 0]);
});

test('the sample app\'s cumulative exports: each slot holds what happened between two exports', () => {
  const ms = [1, 2, 3].map((n) => decodeMetricsJson(fixtureText(`cumulative.${n}.json`), { source: 'slice' })).map((r) => (r.ok ? r.value : []));
  const store = new MetricStore({ resolutionMs: 1000 });
  for (const m of ms) store.ingest(m);
  const http = (i: number) => ms[i]!.find((m) => m.name === 'http.server.request.duration')!.points as readonly HistogramPoint[];
  const total = (i: number) => http(i).reduce((a, p) => a + p.count, 0);
  const d = distribution(store, 'slice', 'http.server.request.duration', T0 - 1e12, T0 + 1e12)!;
  assert.equal(d.count, total(2), 'the deltas add up to the last cumulative total (the first export counts from its start time)');
  assert.equal(d.counts.reduce((a, b) => a + b, 0), d.count);
  const route = distribution(store, 'slice', 'http.server.request.duration', T0 - 1e12, T0 + 1e12, (a) => a['http.route'] === '/orders')!;
  assert.equal(route.count, http(2).filter((p) => p.attributes['http.route'] === '/orders').reduce((a, p) => a + p.count, 0));
  assert.ok(bucketQuantile(route, 0.95) > 0);
  const created = store.seriesOf('slice', 'shop.orders.created');
  assert.equal(created.length, 2);
});

test('exponential histograms from the SDK: the second cumulative export adds only its own observations, at the lower scale', () => {
  const store = new MetricStore({ resolutionMs: 1000 });
  const one = decodeMetricsProto(fixtureBytes('exponential.1.pb'), { source: 'slice' });
  const two = decodeMetricsProto(fixtureBytes('exponential.2.pb'), { source: 'slice' });
  assert.ok(one.ok && two.ok);
  store.ingest(one.value);
  const r = store.ingest(two.value);
  assert.equal(r.resets, 0);
  const fast = (a: Attributes) => a.error === false;
  const all = distribution(store, 'slice', 'shop.checkout.duration', 0, T0 * 2, fast)!;
  assert.equal(all.count, 300); // 200 in the first export, 100 more in the second
  assert.equal(all.counts.reduce((a, b) => a + b, 0), 300);
  const p95 = bucketQuantile(all, 0.95);
  assert.ok(p95 > 25 && p95 < 40, `p95 ${p95}`);
  const errors = distribution(store, 'slice', 'shop.checkout.duration', 0, T0 * 2, (a) => a.error === true)!;
  assert.equal(errors.count, 10);
  // recorded 410..500 ms: the buckets around them, no wider than one bucket on either side
  assert.ok(errors.lower[0]! <= 410 && errors.lower[0]! > 380 && errors.upper[errors.upper.length - 1]! >= 500 && errors.upper[errors.upper.length - 1]! < 530);
});

test('the cardinality guard caps series per metric and in all, and reports each cap with the points it refused', () => {
  const store = new MetricStore({ maxSeriesPerMetric: 3, maxSeries: 5 });
  const many = (name: string, n: number) => sum(Array.from({ length: n }, (_, i) => np(T0 + 1000, 1, T0, { user: `u${i}` })), 'delta', true, name);
  const r = store.ingest([many('a', 5), many('b', 4)]);
  assert.equal(r.refused, 2 + 2); // a: 3 of 5 (per metric); b: 2 of 4, the total of 5 reached
  assert.equal(store.seriesTotal, 5);
  const g = store.guard();
  assert.deepEqual(
    g.capped.map((c) => [c.name, c.cap, c.refusedPoints]),
    [
      ['a', 'per-metric', 2],
      ['b', 'total', 2],
    ],
  );
  // points of series already admitted are still stored
  assert.equal(store.ingest([many('a', 3)]).refused, 0);
});

test('points older than the retention are dropped as late; series silent for the whole retention are dropped, freeing room', () => {
  const store = new MetricStore({ resolutionMs: 1000, retentionMs: 10_000, maxSeries: 2 });
  store.ingest([sum([np(T0 + 20_000, 1)], 'delta', true, 'old')]);
  const late = store.ingest([sum([np(T0 + 5_000, 1)], 'delta', true, 'x')]);
  assert.equal(late.late, 1);
  store.ingest([sum([np(T0 + 40_000, 1)], 'delta', true, 'new')]);
  assert.equal(store.seriesOf('slice', 'old').length, 0);
  assert.equal(store.ingest([sum([np(T0 + 41_000, 1)], 'delta', true, 'another')]).refused, 0);
});

test('a name seen with another kind is counted as a conflict, not mixed in', () => {
  const store = new MetricStore();
  store.ingest([sum([np(T0 + 1000, 1)], 'delta')]);
  const r = store.ingest([{ ...head, name: 'c', kind: 'gauge', points: [np(T0 + 2000, 1)] }]);
  assert.equal(r.conflicts, 1);
});

test('one attribute set sent in two orders is one series', () => {
  const store = new MetricStore();
  store.ingest([sum([np(T0 + 1000, 1, T0, { a: 'x', b: 2 })], 'delta')]);
  store.ingest([sum([np(T0 + 2000, 1, T0, { b: 2, a: 'x' }), np(T0 + 3000, 1, T0, { a: 'x', b: '2' })], 'delta')]);
  assert.equal(store.seriesOf('slice', 'c').length, 2, "{a: 'x', b: 2} in either order, and b: '2' apart");
});

test('a point stamped far in the future is refused when the caller gives its clock, so it cannot push every later point out', () => {
  const store = new MetricStore();
  const r = store.ingest([sum([np(T0 + 86_400_000 * 365, 1)], 'delta')], T0);
  assert.equal(r.future, 1);
  assert.equal(store.ingest([sum([np(T0 + 1000, 1)], 'delta')], T0).stored, 1);
  // without the clock the store cannot tell: the year-ahead point is taken, and the present is late
  const blind = new MetricStore();
  blind.ingest([sum([np(T0 + 86_400_000 * 365, 1)], 'delta')]);
  assert.equal(blind.ingest([sum([np(T0 + 1000, 1)], 'delta', true, 'd')]).late, 1);
});

test('route histograms, my slice against the baseline: the slower route flagged, the same one not, a route on one side only left out', () => {
  const store = new MetricStore();
  const bounds = [5, 10, 25, 50, 100];
  const route = (source: string, r: string, counts: number[]): Metric => ({ ...head, source, name: 'http.server.request.duration', kind: 'histogram', temporality: 'delta', points: [hp(T0 + 1000, counts, bounds, T0, { 'http.route': r })] });
  store.ingest([
    route('slice', '/orders', [0, 5, 20, 30, 10, 1]),
    route('baseline', '/orders', [10, 30, 20, 5, 1, 0]),
    route('slice', '/stock/:sku', [5, 20, 20, 5, 0, 0]),
    route('baseline', '/stock/:sku', [6, 19, 21, 4, 0, 0]),
    route('slice', '/new', [5, 20, 20, 5, 0, 0]),
  ]);
  const r = compareRoutes(store, 'http.server.request.duration', 'slice', 'baseline', T0, T0 + 60_000);
  assert.deepEqual(r.map((x) => [x.route, x.comparison.verdict]), [['/orders', 'slower'], ['/stock/:sku', 'no-difference']]);
});
