// Through the pipeline: spans say which handler serves POST /orders, a relayed metrics payload of
// a slice brings its route histogram; the handler's file then has a route view with the p95 (no
// span needed in the window), and it goes when the slice is gone.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { nullLogger } from '../../../../src/core/base/logger';
import { InlineDecoder } from '../../../../src/core/telemetry/decodePayload';
import { TelemetryPipeline, type TelemetryPipelineHost } from '../../../../src/app/telemetry/telemetryPipeline';
import { routeLensTitle } from '../../../../src/core/telemetry/metrics/routeLens';
import { routeHistogramPayload } from '../../../support/routeHistograms';

const host: TelemetryPipelineHost = {
  files: { isFile: () => Promise.resolve(true), readText: () => Promise.reject(new Error('not read in this test')) },
  windowMinutes: () => 5,
  source: () => 'mine',
};
const NOW = Date.now();
const str = (key: string, v: string) => ({ key, value: { stringValue: v } });
const int = (key: string, v: number) => ({ key, value: { intValue: String(v) } });
const ns = (ms: number) => `${BigInt(ms) * 1_000_000n}`;

function request(): string {
  const traceId = 'cd'.repeat(16);
  const handler = { traceId, spanId: '00000000000000a1', parentSpanId: '00000000000000b1', name: 'createOrder', kind: 1, startTimeUnixNano: ns(NOW - 60_000), endTimeUnixNano: ns(NOW - 59_990), attributes: [str('code.function.name', 'createOrder'), str('code.file.path', '/app/src/orders.js'), int('code.line.number', 12)] };
  const server = { traceId, spanId: '00000000000000b1', name: 'POST', kind: 2, startTimeUnixNano: ns(NOW - 60_000), endTimeUnixNano: ns(NOW - 59_989), attributes: [str('http.request.method', 'POST'), str('http.route', '/orders'), int('http.response.status_code', 201)] };
  return JSON.stringify({ resourceSpans: [{ resource: { attributes: [str('service.name', 'orders')] }, scopeSpans: [{ scope: { name: 'shop' }, spans: [handler, server] }] }] });
}

test('a relayed metrics payload of a slice gives the handler of its route a view with the histogram p95; the slice gone, it goes', async () => {
  const pipeline = new TelemetryPipeline(nullLogger, host, [{ containerPath: '/app', localPath: '/w' }], new InlineDecoder());
  try {
    assert.deepEqual(await pipeline.ingest({ kind: 'traces', encoding: 'json', body: request(), source: 'mine' }), { spans: 2, logs: 0 });
    const changed: (ReadonlySet<string> | undefined)[] = [];
    pipeline.onDidChange((f) => changed.push(f));
    const body = routeHistogramPayload('orders', [{ route: '/orders', method: 'POST', status: 201, timeMs: NOW - 30_000, durationsMs: [30, 40] }]);
    const r = await pipeline.ingest({ kind: 'metrics', encoding: 'json', body, source: 'slice', slice: 'slice-alice-1' });
    assert.equal(r.rejected, undefined);
    assert.equal(r.metrics, 1);
    assert.ok(changed.some((f) => f?.has('/w/src/orders.js')), 'the handler\'s file is told');
    const [view, ...more] = pipeline.routeViews.forFile('/w/src/orders.js');
    assert.equal(more.length, 0);
    assert.equal(view?.slice, 'slice-alice-1');
    assert.deepEqual([view?.location.line, view?.handler.route], [12, '/orders']);
    assert.equal(routeLensTitle(view.metrics), '⏱ POST /orders · p95 50 ms · n=2 · 5 min (metrics)');
    pipeline.sliceEnded('slice-alice-1');
    assert.deepEqual(pipeline.routeViews.forFile('/w/src/orders.js'), []);
  } finally {
    pipeline.dispose();
  }
});

test('a metrics payload that changes no route lens tells no file (a change event per export kept VS Code from drawing any lens of the file)', async () => {
  const pipeline = new TelemetryPipeline(nullLogger, host, [{ containerPath: '/app', localPath: '/w' }], new InlineDecoder());
  try {
    await pipeline.ingest({ kind: 'traces', encoding: 'json', body: request(), source: 'mine' });
    const changed: (ReadonlySet<string> | undefined)[] = [];
    pipeline.onDidChange((f) => changed.push(f));
    const body = routeHistogramPayload('orders', [{ route: '/orders', method: 'POST', status: 201, timeMs: NOW - 30_000, durationsMs: [30, 40] }]);
    await pipeline.ingest({ kind: 'metrics', encoding: 'json', body, source: 'slice', slice: 'slice-alice-1' });
    assert.equal(changed.length, 1, 'the first histogram changes the lens');
    // the next export of a process without new requests (delta temporality: an empty point)
    const idle = routeHistogramPayload('orders', [{ route: '/orders', method: 'POST', status: 201, timeMs: NOW - 20_000, durationsMs: [] }]);
    await pipeline.ingest({ kind: 'metrics', encoding: 'json', body: idle, source: 'slice', slice: 'slice-alice-1' });
    assert.equal(changed.length, 1, 'nothing new on the lens: no change event');
  } finally {
    pipeline.dispose();
  }
});
