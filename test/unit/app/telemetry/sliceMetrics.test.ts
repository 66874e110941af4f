import { test } from 'node:test';
import assert from 'node:assert/strict';
import { type ILogger, nullLogger } from '../../../../src/core/base/logger';
import { SliceMetrics } from '../../../../src/app/telemetry/sliceMetrics';
import { decodeMetricsJson } from '../../../../src/core/telemetry/metrics/decode';
import { RejectionCounter } from '../../../../src/core/telemetry/rejections';
import { routeHistogramPayload } from '../../../support/routeHistograms';

const NOW = 1_800_000_000_000;
const decoded = (routes: string[]) => {
  const r = decodeMetricsJson(routeHistogramPayload('orders', routes.map((route) => ({ route, method: 'GET', timeMs: NOW, durationsMs: [5] }))), { source: 'slice', counter: new RejectionCounter() });
  assert.ok(r.ok);
  return r.value;
};

test('the cardinality guard is a log line (once per metric and cap) and a note, not a silent cap', () => {
  const warnings: string[] = [];
  const logger: ILogger = { ...nullLogger, warn: (m: string) => warnings.push(m) };
  const metrics = new SliceMetrics(logger, { maxSeriesPerMetric: 2 });
  const report = metrics.ingest('slice-a', decoded(['/a', '/b', '/c', '/d']), NOW);
  assert.equal(report.refused, 2);
  assert.equal(warnings.length, 1);
  assert.match(warnings[0]!, /^metric http\.server\.request\.duration \(mine, slice slice-a\) passed the cap of 2 series for one metric: points of new attribute sets are not kept \(2 so far\)/);
  metrics.ingest('slice-a', decoded(['/e']), NOW);
  assert.equal(warnings.length, 1, 'said once');
  assert.deepEqual(metrics.notes(), warnings);
});

test('one store per slice; a slice that is gone takes its store with it', () => {
  const metrics = new SliceMetrics(nullLogger);
  metrics.ingest('slice-a', decoded(['/a']), NOW);
  metrics.ingest('slice-b', decoded(['/b']), NOW + 1);
  assert.deepEqual(metrics.stores().map((s) => s.slice), ['slice-b', 'slice-a'], 'newest data first');
  assert.equal(metrics.store('slice-a')?.seriesOf('slice', 'http.server.request.duration').length, 1);
  metrics.forget('slice-a');
  assert.equal(metrics.store('slice-a'), undefined);
  assert.deepEqual(metrics.stores().map((s) => s.slice), ['slice-b']);
});
