import { test } from 'node:test';
import assert from 'node:assert/strict';
import { decodeLogsJson, decodeTracesJson } from '../../../../../src/core/telemetry/otlp/decodeJson';
import { RejectionCounter } from '../../../../../src/core/telemetry/rejections';
import { getAttr } from '../../../../../src/core/telemetry/attributes';
import { fixtureText } from '../fixtures';

test('OTLP/JSON traces of the Node SDK: ids, kinds, times, both code.* generations, exceptions', () => {
  const counter = new RejectionCounter();
  const r = decodeTracesJson(fixtureText('otlp-traces-node-sdk.json'), { source: 'slice', counter });
  assert.ok(r.ok);
  const [server, internal, client] = r.value;
  assert.equal(r.value.length, 3);
  assert.equal(server!.source, 'slice');
  assert.equal(server!.traceId, '4bf92f3577b34da6a3ce929d0e0e4736');
  assert.equal(server!.spanId, '00f067aa0ba902b7');
  assert.equal(server!.parentSpanId, '');
  assert.equal(server!.kind, 2);
  assert.equal(server!.durationMs, 47);
  assert.ok(Math.abs(server!.startMs - 1718000000123.4568) < 0.001);
  assert.deepEqual(server!.code, { file: '/app/dist/routes/orders.js', line: 18, column: undefined, function: 'getOrder' });
  assert.equal(server!.resource.serviceName, 'orders');
  assert.equal(server!.resource.namespace, 'slice-alice');
  assert.equal(server!.resource.podName, 'orders-6c9b8d7f5-x2k4q');
  assert.equal(getAttr(server!.resource.attributes, 'process.pid'), 1);
  assert.equal(server!.scope, '@opentelemetry/instrumentation-express');
  assert.deepEqual(server!.status, { code: 0, message: '' });

  // old generation, int64 line as a string, namespace-qualified function, file:// URL kept as reported
  assert.deepEqual(internal!.code, { file: 'file:///app/dist/services/orderService.js', line: 42, column: undefined, function: 'OrderService.loadOrder' });
  assert.deepEqual(internal!.status, { code: 2, message: 'order 17 not found' });
  assert.equal(internal!.events.length, 0);
  assert.equal(internal!.exceptions.length, 1);
  assert.equal(internal!.exceptions[0]!.type, 'Error');
  assert.match(internal!.exceptions[0]!.stacktrace, /at async getOrder/);
  assert.equal(internal!.exceptions[0]!.timeMs, 1718000000168);

  // uppercase hex id, number time, empty status object, array attribute
  assert.equal(client!.traceId, '4bf92f3577b34da6a3ce929d0e0e4736');
  assert.equal(client!.durationMs, 40);
  assert.equal(client!.code, undefined);
  assert.deepEqual(getAttr(client!.attributes, 'db.params'), ['17']);
  assert.equal(getAttr(client!.attributes, 'sampling.weight'), 1.5);
  assert.equal(counter.total, 0);
});

test('OTLP/JSON logs of the Python SDK: severities (number and enum name), observed time fallback, exceptions, kvlist body', () => {
  const r = decodeLogsJson(fixtureText('otlp-logs-python-sdk.json'), { source: 'baseline' });
  assert.ok(r.ok);
  const [info, error, warn] = r.value;
  assert.equal(info!.source, 'baseline');
  assert.equal(info!.severityNumber, 9);
  assert.equal(info!.body, 'computing total for cart c-9');
  assert.deepEqual(info!.code, { file: '/srv/app/pricing.py', line: 15, column: undefined, function: 'compute_total' });
  assert.equal(info!.traceId, '0af7651916cd43dd8448eb211c80319c');
  assert.equal(info!.spanId, 'b7ad6b7169203331');
  assert.equal(info!.exception, undefined);
  assert.equal(error!.severityNumber, 17);
  assert.equal(error!.timeMs, 1718000001500);
  assert.equal(error!.code?.line, 19);
  assert.equal(error!.exception?.type, 'ZeroDivisionError');
  assert.match(error!.exception.stacktrace, /Traceback/);
  assert.equal(warn!.body, '{"event":"slow","ms":950}');
  assert.equal(warn!.severityText, '');
});

test('proto3 JSON of the Go bindings (base64 ids, enum names, int64 strings) decodes like OTLP/JSON', () => {
  const r = decodeTracesJson(fixtureText('go-traces.protojson.json'), { source: 'slice' });
  assert.ok(r.ok);
  const [root, child] = r.value;
  assert.equal(root!.traceId, '5b8efff798038103d269b633813fc60c');
  assert.equal(root!.spanId, 'eee19b7ec3c1b174');
  assert.equal(root!.kind, 2);
  assert.equal(root!.status.code, 2);
  assert.equal(root!.durationMs, 12.5);
  assert.deepEqual(getAttr(root!.attributes, 'payload.digest'), new Uint8Array([0xde, 0xad, 0xbe, 0xef]));
  assert.deepEqual(getAttr(root!.attributes, 'user'), { id: 'u-42', age: 31 });
  assert.equal(child!.parentSpanId, 'eee19b7ec3c1b174');
  assert.equal(child!.events.length, 1);
  assert.equal(child!.events[0]!.name, 'cache.miss');
  assert.equal(child!.exceptions[0]!.type, 'TypeError');
  const logs = decodeLogsJson(fixtureText('go-logs.protojson.json'), { source: 'slice' });
  assert.ok(logs.ok);
  assert.equal(logs.value[1]!.severityNumber, 17);
  assert.equal(logs.value[1]!.timeMs, 1700000000005);
});

test('OTLP/JSON rejections are returned and counted, never thrown', () => {
  const counter = new RejectionCounter();
  const o = { source: 'slice', counter };
  const cases: [string, string][] = [
    ['', 'empty'],
    ['{"resourceSpans": [', 'malformed-json'],
    ['[1,2]', 'unexpected-shape'],
    ['{"resourceSpans": 5}', 'unexpected-shape'],
    ['null', 'unexpected-shape'],
  ];
  for (const [payload, reason] of cases) {
    const r = decodeTracesJson(payload, o);
    assert.ok(!r.ok, payload);
    assert.equal(r.error.reason, reason, payload);
  }
  const big = decodeTracesJson('{"resourceSpans":[]}', { ...o, maxBytes: 5 });
  assert.ok(!big.ok && big.error.reason === 'oversize');
  assert.deepEqual(counter.snapshot(), { empty: 1, 'malformed-json': 1, 'unexpected-shape': 3, oversize: 1 });
  // an empty request is valid
  const none = decodeTracesJson('{}', o);
  assert.ok(none.ok && none.value.length === 0);
});

test('OTLP/JSON bad items are skipped and counted; caps cut and count', () => {
  const counter = new RejectionCounter();
  const payload = JSON.stringify({
    resourceSpans: [
      5,
      {
        scopeSpans: [
          { spans: [null, { name: 'a', attributes: [{ key: '__proto__', value: { stringValue: 'x' } }, { nokey: 1 }, { key: 'k', value: { stringValue: 'y'.repeat(50) } }] }, { name: 'b' }, { name: 'c' }] },
        ],
      },
    ],
  });
  const r = decodeTracesJson(payload, { source: 's', counter, maxItems: 2, maxStringLength: 10 });
  assert.ok(r.ok);
  assert.deepEqual(r.value.map((s) => s.name), ['a', 'b']);
  assert.equal(getAttr(r.value[0]!.attributes, 'k'), 'yyyyyyyyyy');
  assert.equal(Object.getPrototypeOf(r.value[0]!.attributes), Object.prototype);
  assert.deepEqual(counter.snapshot(), { 'invalid-item': 4, 'item-limit': 1, truncated: 1 });
});

test('OTLP/JSON bytes input is read as UTF-8', () => {
  const r = decodeTracesJson(new TextEncoder().encode('{"resourceSpans":[{"scopeSpans":[{"spans":[{"name":"héllo ✓"}]}]}]}'), { source: 's' });
  assert.ok(r.ok);
  assert.equal(r.value[0]!.name, 'héllo ✓');
});
