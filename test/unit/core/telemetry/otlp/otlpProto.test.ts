import { test } from 'node:test';
import assert from 'node:assert/strict';
import { decodeLogsProto, decodeTracesProto } from '../../../../../src/core/telemetry/otlp/decodeProto';
import { decodeTracesJson } from '../../../../../src/core/telemetry/otlp/decodeJson';
import { otlpTypes } from '../../../../../src/core/telemetry/otlp/proto/schema';
import { RejectionCounter } from '../../../../../src/core/telemetry/rejections';
import { getAttr } from '../../../../../src/core/telemetry/attributes';
import { fixtureBytes, fixtureText } from '../fixtures';

// go-*.pb were encoded by the official Go bindings of opentelemetry-proto (fixtures/go-encoder),
// independently of the protobufjs schema under test: decoding them proves the field numbers.

test('protobuf traces encoded by the Go bindings decode field by field', () => {
  const counter = new RejectionCounter();
  const r = decodeTracesProto(fixtureBytes('go-traces.pb'), { source: 'slice', counter });
  assert.ok(r.ok);
  assert.equal(r.value.length, 2);
  const [root, child] = r.value;
  assert.equal(root!.traceId, '5b8efff798038103d269b633813fc60c');
  assert.equal(root!.spanId, 'eee19b7ec3c1b174');
  assert.equal(root!.parentSpanId, '');
  assert.equal(root!.name, 'GET /users/:id');
  assert.equal(root!.kind, 2);
  assert.equal(root!.startMs, 1_700_000_000_000);
  assert.equal(root!.durationMs, 12.5);
  assert.deepEqual(root!.status, { code: 2, message: "Cannot read properties of undefined (reading 'id')" });
  assert.deepEqual(root!.code, { file: '/app/dist/routes.js', line: 28, column: undefined, function: 'handler' });
  assert.equal(root!.scope, '@opentelemetry/instrumentation-http');
  assert.deepEqual(
    { ...root!.resource, attributes: undefined },
    { serviceName: 'orders', namespace: 'slice-alice', podName: 'orders-7d9f-abc12', containerName: 'app', attributes: undefined },
  );
  const a = root!.attributes;
  assert.equal(getAttr(a, 'http.request.method'), 'GET');
  assert.equal(getAttr(a, 'http.response.status_code'), 500);
  assert.equal(getAttr(a, 'sampled.ratio'), 0.25);
  assert.equal(getAttr(a, 'cache.hit'), false);
  assert.deepEqual(getAttr(a, 'http.request.header.accept'), ['application/json', 7]);
  assert.deepEqual(getAttr(a, 'user'), { id: 'u-42', age: 31 });
  assert.deepEqual(getAttr(a, 'payload.digest'), new Uint8Array([0xde, 0xad, 0xbe, 0xef]));
  assert.equal(getAttr(a, 'big.int'), 9007199254740992); // int64 beyond 2^53 loses precision, documented
  assert.equal(child!.parentSpanId, 'eee19b7ec3c1b174');
  assert.equal(child!.kind, 1);
  assert.equal(child!.durationMs, 3.25);
  assert.deepEqual(child!.code, { file: '/app/dist/users.js', line: 12, column: undefined, function: 'UserService.getUser' });
  assert.deepEqual(child!.events.map((e) => [e.name, e.timeMs, getAttr(e.attributes, 'key')]), [['cache.miss', 1_700_000_000_002, 'u-42']]);
  assert.equal(child!.exceptions.length, 1);
  assert.equal(child!.exceptions[0]!.type, 'TypeError');
  assert.match(child!.exceptions[0]!.stacktrace, /^TypeError: Cannot read properties of undefined \(reading 'id'\)\n {4}at getUser \(\/app\/dist\/users\.js:14:22\)/);
  assert.equal(counter.total, 0);
});

test('protobuf logs encoded by the Go bindings decode field by field', () => {
  const r = decodeLogsProto(fixtureBytes('go-logs.pb'), { source: 'baseline' });
  assert.ok(r.ok);
  const [info, error, warn] = r.value;
  assert.equal(info!.timeMs, 1_700_000_000_000);
  assert.equal(info!.severityNumber, 9);
  assert.equal(info!.severityText, 'INFO');
  assert.equal(info!.body, 'cart loaded');
  assert.deepEqual(info!.code, { file: '/srv/app/views.py', line: 38, column: undefined, function: 'checkout' });
  assert.equal(info!.traceId, '5b8efff798038103d269b633813fc60c');
  assert.equal(info!.spanId, 'eee19b7ec3c1b174');
  assert.equal(info!.resource.serviceName, 'checkout');
  assert.equal(error!.timeMs, 1_700_000_000_005); // observed time when time is unset
  assert.equal(error!.severityNumber, 17);
  assert.equal(error!.exception?.type, 'ZeroDivisionError');
  assert.equal(error!.exception?.message, 'division by zero');
  assert.equal(error!.code?.line, 44);
  assert.equal(warn!.severityNumber, 13);
  assert.equal(warn!.body, '{"msg":"slow","ms":950}');
});

test('the protobuf and the proto3 JSON of the same Go message decode to the same spans', () => {
  const p = decodeTracesProto(fixtureBytes('go-traces.pb'), { source: 's' });
  const j = decodeTracesJson(fixtureText('go-traces.protojson.json'), { source: 's' });
  assert.ok(p.ok && j.ok);
  assert.deepEqual(p.value, j.value);
});

test('the schema round-trips every field: protobufjs re-encoding of the Go message decodes back equal', () => {
  const t = otlpTypes();
  const bytes = fixtureBytes('go-traces.pb');
  const first = t.exportTraceRequest.toObject(t.exportTraceRequest.decode(bytes), { longs: String, bytes: Array, defaults: true });
  const again = t.exportTraceRequest.encode(t.exportTraceRequest.fromObject(first)).finish();
  assert.deepEqual(t.exportTraceRequest.toObject(t.exportTraceRequest.decode(again), { longs: String, bytes: Array, defaults: true }), first);
  assert.equal(again.length, bytes.length); // same fields, same sizes, no field lost or added
  // links and flags are in the schema (not in the model): prove they were read
  const span = (first.resourceSpans as { scopeSpans: { spans: { flags: number; links: { attributes: unknown[] }[] }[] }[] }[])[0]!.scopeSpans[0]!.spans;
  assert.equal(span[0]!.flags, 1);
  assert.equal(span[1]!.links.length, 1);
});

test('hand-checked wire tags: a Span written byte by byte decodes to the expected fields', () => {
  // ExportTraceServiceRequest{ resource_spans(1) { scope_spans(2) { spans(2) { ... } } } }
  const span = [
    0x0a, 16, ...Array.from({ length: 16 }, (_, i) => i + 1), // trace_id = 1, wire type 2
    0x12, 8, 1, 2, 3, 4, 5, 6, 7, 8, // span_id = 2
    0x2a, 1, 0x78, // name = 5: "x"
    0x30, 3, // kind = 6, varint: CLIENT
    0x39, ...[0x00, 0x00, 0x64, 0xa7, 0xb3, 0xb6, 0xe0, 0x0d], // start_time_unix_nano = 7, fixed64 LE = 1e18
    0x41, ...[0x40, 0x42, 0x73, 0xa7, 0xb3, 0xb6, 0xe0, 0x0d], // end_time_unix_nano = 8, fixed64 LE = 1e18 + 1e6
    0x7a, 2, 0x18, 2, // status = 15 { code = 3: ERROR }
    0x85, 0x01, 1, 0, 0, 0, // flags = 16, fixed32 (tag 16<<3|5 = 133 = 0x85 0x01)
  ];
  const scope = [0x12, span.length, ...span];
  const rs = [0x12, scope.length, ...scope];
  const req = new Uint8Array([0x0a, rs.length, ...rs]);
  const r = decodeTracesProto(req, { source: 's' });
  assert.ok(r.ok);
  const s = r.value[0]!;
  assert.equal(s.traceId, '0102030405060708090a0b0c0d0e0f10');
  assert.equal(s.spanId, '0102030405060708');
  assert.equal(s.name, 'x');
  assert.equal(s.kind, 3);
  assert.equal(s.startMs, 1e12);
  assert.equal(s.durationMs, 1);
  assert.equal(s.status.code, 2);
});

test('protobuf rejections are returned and counted, never thrown', () => {
  const counter = new RejectionCounter();
  const o = { source: 's', counter };
  const bytes = fixtureBytes('go-traces.pb');
  const cut = decodeTracesProto(bytes.subarray(0, bytes.length - 7), o);
  assert.ok(!cut.ok && cut.error.reason === 'malformed-protobuf');
  const junk = decodeTracesProto(new TextEncoder().encode('{"resourceSpans": []} and more text'), o);
  assert.ok(!junk.ok && junk.error.reason === 'malformed-protobuf');
  const big = decodeTracesProto(bytes, { ...o, maxBytes: 100 });
  assert.ok(!big.ok && big.error.reason === 'oversize');
  const empty = decodeTracesProto(new Uint8Array(0), o);
  assert.ok(empty.ok && empty.value.length === 0);
  assert.deepEqual(counter.snapshot(), { 'malformed-protobuf': 2, oversize: 1 });
});
