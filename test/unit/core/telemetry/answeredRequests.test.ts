import { test } from 'node:test';
import assert from 'node:assert/strict';
import { TelemetryAggregator } from '../../../../src/core/telemetry/aggregate/aggregator';
import { Locator } from '../../../../src/core/telemetry/locate';
import { PathMapper } from '../../../../src/core/telemetry/pathMapping';
import { type Attributes, type Span, EMPTY_ATTRIBUTES, EMPTY_RESOURCE } from '../../../../src/core/telemetry/model';

/**
 * Issue 20 item 8: a handler that throws HttpError(404) to answer "not found" (the sample shop's
 * orders and inventory do) leaves an exception and an ERROR status on its own span, while the
 * request's SERVER span answers 404 with its status unset. OpenTelemetry's HTTP conventions: for a
 * server, a 4xx is not an error unless the server span says so; a 5xx is.
 */
const T0 = 1_718_000_000_000;
const resource = { ...EMPTY_RESOURCE, serviceName: 'orders' };

function handlerSpan(traceId: string): Span {
  return {
    source: 'slice',
    traceId,
    spanId: 'a1',
    parentSpanId: 'b1',
    name: 'getOrder',
    kind: 1,
    startMs: T0,
    durationMs: 2,
    status: { code: 2, message: 'no order 9' },
    attributes: EMPTY_ATTRIBUTES,
    code: { file: '/app/src/handlers.js', line: 30, column: 3, function: 'getOrder' },
    events: [],
    exceptions: [{ type: 'HttpError', message: 'no order 9', stacktrace: 'HttpError: no order 9\n    at getOrder (/app/src/handlers.js:31:25)', timeMs: T0 + 1 }],
    resource,
    scope: 'slice-sample-shop',
  };
}

function serverSpan(traceId: string, status: number, statusCode: 0 | 2 = 0): Span {
  const attributes: Attributes = { 'http.request.method': 'GET', 'http.route': '/orders/:id', 'http.response.status_code': status };
  return { ...handlerSpan(traceId), spanId: 'b1', parentSpanId: '', name: 'GET', kind: 2, status: { code: statusCode, message: '' }, attributes, httpStatus: status, code: undefined, exceptions: [] };
}

function setup() {
  const agg = new TelemetryAggregator({ locator: new Locator(new PathMapper([{ containerPath: '/app', localPath: '/w' }])), now: () => T0 });
  const line = () => agg.query('/w/src/handlers.js', 'slice')?.lines.find((l) => l.line === 30);
  const fn = () => agg.query('/w/src/handlers.js', 'slice')?.functions[0];
  return { agg, line, fn };
}

test('a 404 the server answered on purpose: the handler span that threw it is no error (not counted, its sample says how it was answered)', () => {
  const { agg, line, fn } = setup();
  agg.addSpans([handlerSpan('t1'), serverSpan('t1', 404)]);
  assert.equal(line()?.calls, 1);
  assert.equal(line()?.errors, 0, 'the line counts no error');
  assert.equal(fn()?.errors, 0, 'nor does the function');
  assert.equal(line()?.lastError?.answered, 404, 'the exception is kept, marked as the answer it was');
  assert.equal(line()?.lastError?.type, 'HttpError');
});

test('the server span in a later batch takes the error back too', () => {
  const { agg, line } = setup();
  agg.addSpans([handlerSpan('t2')]);
  assert.equal(line()?.errors, 1, 'until the request is answered, the throw is an error');
  agg.addSpans([serverSpan('t2', 404)]);
  assert.equal(line()?.errors, 0);
  assert.equal(line()?.lastError?.answered, 404);
});

test('a 5xx, or a 4xx whose server span set status ERROR, stays an error; another trace is not touched', () => {
  for (const [status, code] of [[500, 0], [503, 2], [404, 2]] as const) {
    const { agg, line } = setup();
    agg.addSpans([handlerSpan('t3'), serverSpan('t3', status, code)]);
    assert.equal(line()?.errors, 1, `${status} status code ${code}`);
    assert.equal(line()?.lastError?.answered, undefined);
  }
  const { agg, line } = setup();
  agg.addSpans([handlerSpan('t4'), serverSpan('t5', 404)]);
  assert.equal(line()?.errors, 1, "another request's 404 says nothing of this one");
});
