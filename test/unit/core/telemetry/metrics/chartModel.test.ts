// The metrics view's model: a chart per metric of my slice (per service and route), the baseline's
// same metric beside it on one time axis, p95 and request rate for histograms, exemplars on their
// step in the chart's unit, bounded sizes; and the updates that carry only the new points.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { decodeMetricsJson } from '../../../../../src/core/telemetry/metrics/decode';
import { MetricStore } from '../../../../../src/core/telemetry/metrics/store';
import { ExemplarLog } from '../../../../../src/core/telemetry/metrics/exemplars';
import { CHART_LIMITS, applyUpdate, chartModel, chartStepMs, chartUpdate } from '../../../../../src/core/telemetry/metrics/chartModel';
import { type Metric } from '../../../../../src/core/telemetry/metrics/model';
import { RejectionCounter } from '../../../../../src/core/telemetry/rejections';
import { SOURCE_BASELINE } from '../../../../../src/core/telemetry/model';
import { type RoutePoint, routeHistogramPayload } from '../../../../support/routeHistograms';
import { fixtureText } from './fixtures';

const NOW = 1_800_000_000_000;

function decode(json: string, baseline = false): Metric[] {
  const r = decodeMetricsJson(json, { source: baseline ? SOURCE_BASELINE : 'slice', counter: new RejectionCounter() });
  assert.ok(r.ok);
  return r.value;
}

const at = (secondsAgo: number, durationsMs: number[], route = '/orders'): RoutePoint => ({ route, method: 'GET', timeMs: NOW - secondsAgo * 1000, durationsMs });

/** A payload with an exemplar on its first point (OTLP/JSON: hex ids, nanosecond time). */
function withExemplar(json: string, timeMs: number, valueS: number, traceId: string): string {
  const o = JSON.parse(json) as { resourceMetrics: { scopeMetrics: { metrics: { histogram: { dataPoints: Record<string, unknown>[] } }[] }[] }[] };
  o.resourceMetrics[0]!.scopeMetrics[0]!.metrics[0]!.histogram.dataPoints[0]!.exemplars = [{ timeUnixNano: `${BigInt(timeMs) * 1_000_000n}`, asDouble: valueS, traceId, spanId: '00000000000000a1' }];
  return JSON.stringify(o);
}

test('the step is whole slots, about 60 a window, never more than the cap', () => {
  assert.equal(chartStepMs(5 * 60_000, 10_000), 10_000);
  assert.equal(chartStepMs(15 * 60_000, 10_000), 20_000);
  assert.equal(chartStepMs(30 * 60_000, 10_000), 30_000);
  assert.ok((24 * 60 * 60_000) / chartStepMs(24 * 60 * 60_000, 10_000) <= CHART_LIMITS.points);
});

test('a route histogram: p95 and request rate of my slice with the baseline beside it, on one time axis', () => {
  const store = new MetricStore();
  const log = new ExemplarLog();
  const mine = decode(withExemplar(routeHistogramPayload('orders', [at(65, [30, 32, 34, 36, 38, 40, 42, 44]), at(25, [30, 32, 34, 36, 38, 40, 42, 44])]), NOW - 70_000, 0.0431, 'ab'.repeat(16)));
  const base = decode(routeHistogramPayload('orders', [at(65, [6, 6, 7, 7, 8, 8, 9, 9]), at(25, [6, 6, 7, 7, 8, 8, 9, 9])], { baseline: true }), true);
  store.ingest([...mine, ...base], NOW);
  log.add([...mine, ...base]);
  const model = chartModel(store, { slice: 'alice-shop', windowMinutes: 15, nowMs: NOW, exemplars: log });
  assert.equal(model.stepSeconds, 20);
  assert.equal(model.x.length, 45);
  assert.equal(model.x.at(-1), Math.floor(NOW / 20_000) * 20);
  assert.deepEqual(model.charts.map((c) => c.title), ['http.server.request.duration · orders GET /orders · p95 (ms)', 'http.server.request.duration · orders GET /orders · requests (/s)']);
  const [p95, rate] = model.charts;
  for (const c of [p95!, rate!]) {
    assert.equal(c.mine.length, model.x.length);
    assert.equal(c.baseline?.length, model.x.length);
  }
  // 8 requests in (25, 50] ms: the 8th of 8 is the bucket's top; the baseline's in (5, 10]
  const idx = (secondsAgo: number) => model.x.indexOf(Math.floor((NOW - secondsAgo * 1000) / 20_000) * 20);
  assert.equal(p95!.mine[idx(65)], 50);
  assert.equal(p95!.baseline![idx(65)], 10);
  assert.equal(rate!.mine[idx(25)], 8 / 20);
  assert.equal(rate!.baseline![idx(25)], 8 / 20);
  assert.equal(p95!.mine.filter((v) => v !== null).length, 2, 'steps without a point are gaps, not zeros');
  assert.deepEqual(p95!.exemplars, [{ index: idx(70), y: 43.1, traceId: 'ab'.repeat(16), side: 'mine' }], 'the exemplar on its step, in ms');
  assert.equal(rate!.exemplars[0]?.y, rate!.mine[idx(70)] ?? undefined, 'on a rate chart the exemplar sits on the line');
});

test('the recorded metrics of the sample app: a chart per metric, counters as rates, no baseline where it sent none', () => {
  const store = new MetricStore();
  const all = ['cumulative.1.json', 'cumulative.2.json', 'cumulative.3.json'].map((f) => decode(fixtureText(f)));
  const newest = Math.max(...all.flat().flatMap((m) => m.points.map((p) => p.timeMs)));
  for (const batch of all) store.ingest(batch, newest);
  const model = chartModel(store, { slice: 's', windowMinutes: 30, nowMs: newest });
  assert.ok(model.charts.length > 0 && model.charts.length <= CHART_LIMITS.charts);
  assert.equal(model.charts.length + model.omitted, new Set(model.charts.map((c) => c.id)).size + model.omitted);
  assert.ok(model.charts.every((c) => c.baseline === undefined));
  assert.ok(model.charts.every((c) => c.mine.length === model.x.length));
  assert.equal(model.charts[0]?.metric, 'http.server.request.duration', 'the route durations first');
  const heap = model.charts.find((c) => c.metric === 'v8js.memory.heap.used');
  assert.equal(heap?.unit, 'MiB');
  assert.ok(heap.mine.some((v) => v !== null && v > 0 && v < 4096), 'bytes shown in MiB');
  assert.ok(model.charts.some((c) => c.measure === 'rate' && c.mine.some((v) => v !== null && v > 0)));
});

test('bounded: past the chart cap the rest are counted, not drawn', () => {
  const store = new MetricStore();
  const routes = Array.from({ length: 30 }, (_, i) => at(30, [5, 6], `/r${String(i).padStart(2, '0')}`));
  store.ingest(decode(routeHistogramPayload('orders', routes)), NOW);
  const model = chartModel(store, { slice: 's', windowMinutes: 15, nowMs: NOW });
  assert.equal(model.charts.length, CHART_LIMITS.charts);
  assert.equal(model.omitted, 60 - CHART_LIMITS.charts);
});

test('updates carry only the new points: the window slides, the last step fills in, applying them gives the new model', () => {
  const store = new MetricStore();
  const feed = (secondsAgo: number, durations: number[], now: number, baseline = false) => store.ingest(decode(routeHistogramPayload('orders', [{ route: '/orders', method: 'GET', timeMs: now - secondsAgo * 1000, durationsMs: durations }], { baseline }), baseline), now);
  feed(40, [10, 12], NOW);
  feed(40, [8, 9], NOW, true);
  const m1 = chartModel(store, { slice: 's', windowMinutes: 5, nowMs: NOW });
  assert.equal(chartUpdate(m1, chartModel(store, { slice: 's', windowMinutes: 5, nowMs: NOW })), undefined, 'nothing new: nothing sent');

  const later = NOW + 20_000;
  feed(1, [11, 13, 200], later);
  const m2 = chartModel(store, { slice: 's', windowMinutes: 5, nowMs: later });
  const u = chartUpdate(m1, m2);
  assert.equal(u?.type, 'append');
  if (u?.type !== 'append') return;
  assert.equal(u.drop, m2.x.length === m1.x.length ? Math.round((m2.x[0]! - m1.x[0]!) / m1.stepSeconds) : u.drop);
  assert.ok(u.x.length <= 3, `only the steps at the end travel (${u.x.length})`);
  assert.ok(u.charts.every((c) => c.mine.length === u.x.length && c.baseline?.length === u.x.length));
  assert.deepEqual(applyUpdate(m1, u), m2);

  assert.equal(chartUpdate(m2, chartModel(store, { slice: 's', windowMinutes: 15, nowMs: later }))?.type, 'model', 'another window: the whole model');
  feed(1, [5], later + 1000, false);
  store.ingest(decode(routeHistogramPayload('orders', [at(1, [5], '/new')])), later);
  assert.equal(chartUpdate(m2, chartModel(store, { slice: 's', windowMinutes: 5, nowMs: later }))?.type, 'model', 'a new chart: the whole model');
  assert.equal(chartUpdate(undefined, m2)?.type, 'model');
});
