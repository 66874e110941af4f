// A producer that has run for hours (the baseline, relayed by its collector; a fork the editor
// connects to late) sends as its first cumulative point everything since it started: that total
// must not land in one slot as if it were the last ten seconds' requests.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { MetricStore } from '../../../../../src/core/telemetry/metrics/store';
import { distribution } from '../../../../../src/core/telemetry/metrics/read';
import { type HistogramMetric } from '../../../../../src/core/telemetry/metrics/model';
import { EMPTY_RESOURCE } from '../../../../../src/core/telemetry/model';

const T0 = 1_800_000_000_000;
const histogram = (startMs: number, points: [number, number[]][]): HistogramMetric => ({
  kind: 'histogram',
  temporality: 'cumulative',
  source: 'baseline',
  resource: EMPTY_RESOURCE,
  scope: 's',
  name: 'http.server.request.duration',
  unit: 's',
  description: '',
  points: points.map(([timeMs, counts]) => ({ attributes: { 'http.route': '/orders' }, startMs, timeMs, exemplars: [], flags: 0, count: counts.reduce((a, b) => a + b, 0), sum: NaN, min: NaN, max: NaN, bounds: [0.01, 0.1], counts })),
});

test('a first cumulative point that started hours ago only sets the baseline; the next one counts its difference', () => {
  const store = new MetricStore();
  const r = store.ingest([histogram(T0 - 3 * 3600_000, [[T0, [5000, 3000, 10]], [T0 + 10_000, [5003, 3001, 10]]])]);
  assert.deepEqual({ stored: r.stored, baseline: r.baseline }, { stored: 1, baseline: 1 });
  const d = distribution(store, 'baseline', 'http.server.request.duration', T0 - 60_000, T0 + 60_000);
  assert.equal(d?.count, 4, 'the last 10 s: 4 requests, not 8,014');
});

test('a first cumulative point of a process that started a minute ago counts whole (a fork\'s first export)', () => {
  const store = new MetricStore();
  store.ingest([histogram(T0 - 60_000, [[T0, [2, 1, 0]]])]);
  assert.equal(distribution(store, 'baseline', 'http.server.request.duration', T0 - 60_000, T0 + 60_000)?.count, 3);
});
