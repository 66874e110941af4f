import { test } from 'node:test';
import assert from 'node:assert/strict';
import { nullLogger } from '../../../../src/core/base/logger';
import { InlineDecoder } from '../../../../src/core/telemetry/decodePayload';
import { TelemetryPipeline, type TelemetryPipelineHost } from '../../../../src/app/telemetry/telemetryPipeline';

/** The workspace as the pipeline's host shows it: no file to read (the data is then never stale), settings as defaults. */
const host: TelemetryPipelineHost = {
  files: { isFile: () => Promise.resolve(true), readText: () => Promise.reject(new Error('not read in this test')) },
  windowMinutes: () => 5,
  source: () => 'mine',
};

const str = (key: string, v: string) => ({ key, value: { stringValue: v } });
const int = (key: string, v: number) => ({ key, value: { intValue: String(v) } });
const T = 1_718_000_000_000_000_000n;
const ns = (ms: number) => String(T + BigInt(ms) * 1_000_000n);

/** One request of the orders service: GET /orders/:id, whose handler throws HttpError(404) that the server answers. */
function request(traceId: string, status: number): string {
  const handler = {
    traceId,
    spanId: '00000000000000a1',
    parentSpanId: '00000000000000b1',
    name: 'getOrder',
    kind: 1,
    startTimeUnixNano: ns(0),
    endTimeUnixNano: ns(2),
    attributes: [str('code.function.name', 'getOrder'), str('code.file.path', '/app/src/handlers.js'), int('code.line.number', 30)],
    events: [{ name: 'exception', timeUnixNano: ns(1), attributes: [str('exception.type', 'HttpError'), str('exception.message', 'no order 9'), str('exception.stacktrace', 'HttpError: no order 9\n    at getOrder (/app/src/handlers.js:31:25)')] }],
    status: { code: 2, message: 'no order 9' },
  };
  const server = {
    traceId,
    spanId: '00000000000000b1',
    name: 'GET',
    kind: 2,
    startTimeUnixNano: ns(0),
    endTimeUnixNano: ns(3),
    attributes: [str('http.request.method', 'GET'), str('http.route', '/orders/:id'), int('http.response.status_code', status)],
    status: {},
  };
  return JSON.stringify({ resourceSpans: [{ resource: { attributes: [str('service.name', 'orders')] }, scopeSpans: [{ scope: { name: 'shop' }, spans: [handler, server] }] }] });
}

test('issue 20 item 8, through the pipeline: a 404 answered on purpose is no error anywhere (line, recent errors); a 500 is; the trace row has method, route and status', async () => {
  const pipeline = new TelemetryPipeline(nullLogger, host, [{ containerPath: '/app', localPath: '/w' }], new InlineDecoder());
  try {
    assert.deepEqual(await pipeline.ingest({ kind: 'traces', encoding: 'json', body: request('0'.repeat(31) + '1', 404), source: 'mine' }), { spans: 2, logs: 0 });
    const line = pipeline.views('/w/src/handlers.js', undefined)[0]?.lines.find((l) => l.line === 30);
    assert.equal(line?.errors, 0);
    assert.equal(line?.lastError?.answered, 404);
    assert.deepEqual(pipeline.errors.list(), [], 'not in Recent Errors');
    const [row] = pipeline.traces.recent(1);
    assert.deepEqual([row?.method, row?.route, row?.status], ['GET', '/orders/:id', 404]);

    await pipeline.ingest({ kind: 'traces', encoding: 'json', body: request('0'.repeat(31) + '2', 500), source: 'mine' });
    const after = pipeline.views('/w/src/handlers.js', undefined)[0]?.lines.find((l) => l.line === 30);
    assert.equal(after?.errors, 1, 'a 5xx is an error');
    assert.equal(pipeline.errors.list().length, 1);
  } finally {
    pipeline.dispose();
  }
});
