import { test } from 'node:test';
import assert from 'node:assert/strict';
import { RouteHandlers } from '../../../../../src/core/telemetry/metrics/routeHandlers';
import { decodeTracesJson } from '../../../../../src/core/telemetry/otlp/decodeJson';
import { RejectionCounter } from '../../../../../src/core/telemetry/rejections';

const str = (key: string, v: string) => ({ key, value: { stringValue: v } });
const int = (key: string, v: number) => ({ key, value: { intValue: String(v) } });

function spans(list: object[]) {
  const r = decodeTracesJson(JSON.stringify({ resourceSpans: [{ resource: { attributes: [str('service.name', 'orders')] }, scopeSpans: [{ scope: { name: 's' }, spans: list }] }] }), { source: 'slice', counter: new RejectionCounter() });
  assert.ok(r.ok);
  return r.value;
}

const trace = 'ab'.repeat(16);
const server = (id: string, route: string, extra: object[] = []) => ({ traceId: trace, spanId: id, name: 'POST', kind: 2, startTimeUnixNano: '1', endTimeUnixNano: '3', attributes: [str('http.request.method', 'POST'), str('http.route', route), ...extra] });
const handler = (id: string, parent: string, line: number) => ({ traceId: trace, spanId: id, parentSpanId: parent, name: 'createOrder', kind: 1, startTimeUnixNano: '1', endTimeUnixNano: '2', attributes: [str('code.function.name', 'createOrder'), str('code.file.path', '/app/src/orders.js'), int('code.line.number', line)] });

test('a route\'s handler is the server span\'s child with a code location, whichever arrives first, in one batch or two', () => {
  const r = new RouteHandlers();
  r.observe(spans([handler('00000000000000a1', '00000000000000b1', 12)]));
  assert.deepEqual(r.all(), [], 'the child alone says no route');
  r.observe(spans([server('00000000000000b1', '/orders')]));
  assert.deepEqual(r.all().map((h) => [h.service, h.method, h.route, h.code.file, h.code.line]), [['orders', 'POST', '/orders', '/app/src/orders.js', 12]]);
  const g = r.generation;
  r.observe(spans([server('00000000000000b2', '/orders'), handler('00000000000000a2', '00000000000000b2', 12)]));
  assert.equal(r.generation, g, 'the same handler again changes nothing');
  r.observe(spans([server('00000000000000b3', '/orders'), handler('00000000000000a3', '00000000000000b3', 20)]));
  assert.equal(r.all()[0]?.code.line, 20, 'the handler moved (an edit): the newest place wins');
  assert.ok(r.generation > g);
});

test('a server span with its own code location maps at once; a span with no route or code maps nothing', () => {
  const r = new RouteHandlers();
  r.observe(spans([server('00000000000000c1', '/items/:id', [str('code.function.name', 'getItem'), str('code.file.path', '/app/src/items.js'), int('code.line.number', 7)])]));
  r.observe(spans([{ traceId: trace, spanId: '00000000000000c2', name: 'GET', kind: 2, startTimeUnixNano: '1', endTimeUnixNano: '2', attributes: [str('http.request.method', 'GET')] }]));
  assert.deepEqual(r.all().map((h) => [h.route, h.code.function]), [['/items/:id', 'getItem']]);
  r.clear();
  assert.deepEqual(r.all(), []);
});
