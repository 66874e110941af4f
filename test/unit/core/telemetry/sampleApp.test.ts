// Real telemetry of the sample app (sample/shop), captured by sample/shop/scripts/capture-fixtures.mjs:
// three services under the OpenTelemetry SDK for Node, a good checkout, a slow one and one that throws,
// exported as OTLP/JSON and as OTLP/protobuf, plus the services' stdout (pino JSON lines). The core
// decoders must read both encodings alike, put each handler span on its function's line, map the
// exception's stack to the throwing line, and put log records (OTLP and stdout) on their caller.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Locator, PathMapper, decodeLogsJson, decodeLogsProto, decodeTracesJson, decodeTracesProto, parseLogLine, parseStack, RejectionCounter, type LogRecord, type Span } from '../../../../src/core/telemetry';
import { fixtureBytes, fixtureText } from './fixtures';

interface Capture {
  readonly root: string;
  readonly functions: Readonly<Record<string, { readonly file: string; readonly line: number }>>;
  readonly throwSite: { readonly file: string; readonly line: number };
}

const DIR = 'sample-app';
const SERVICES = ['storefront', 'orders', 'inventory'] as const;
const capture = JSON.parse(fixtureText(`${DIR}/capture.json`)) as Capture;
const WORKSPACE = '/home/dev/shop';
// what the editor builds from slice.yaml: the fork's sync folder, and the container root /app → workspace root
const locator = new Locator(new PathMapper([{ containerPath: capture.root, localPath: WORKSPACE }]));
const ws = (file: string) => `${WORKSPACE}/${file}`;

function traces(service: string, enc: 'json' | 'pb', counter: RejectionCounter): Span[] {
  const r = enc === 'json' ? decodeTracesJson(fixtureText(`${DIR}/${service}.traces.json`), { source: 'baseline', counter }) : decodeTracesProto(fixtureBytes(`${DIR}/${service}.traces.pb`), { source: 'baseline', counter });
  assert.ok(r.ok, `${service} traces (${enc}) decode`);
  return r.value;
}

function logs(service: string, enc: 'json' | 'pb', counter: RejectionCounter): LogRecord[] {
  const r = enc === 'json' ? decodeLogsJson(fixtureText(`${DIR}/${service}.logs.json`), { source: 'baseline', counter }) : decodeLogsProto(fixtureBytes(`${DIR}/${service}.logs.pb`), { source: 'baseline', counter });
  assert.ok(r.ok, `${service} logs (${enc}) decode`);
  return r.value;
}

const byName = (spans: Span[], name: string) => spans.filter((s) => s.name === name);

for (const enc of ['json', 'pb'] as const) {
  void test(`sample app, OTLP ${enc}: every handler span locates to its function's line`, () => {
    const counter = new RejectionCounter();
    const seen = new Set<string>();
    for (const service of SERVICES) {
      for (const span of traces(service, enc, counter)) {
        assert.equal(span.resource.serviceName, service);
        assert.equal(span.resource.namespace, 'shop');
        if (span.scope !== 'slice-sample-shop') continue;
        const want = capture.functions[span.name];
        assert.ok(want, `span ${span.name} of ${service} is a traced function of capture.json`);
        const loc = locator.resolveCode(span.code);
        assert.deepEqual(loc && { file: loc.file, line: loc.line, function: loc.function, userCode: loc.userCode }, { file: ws(want.file), line: want.line, function: span.name, userCode: true });
        seen.add(span.name);
      }
    }
    assert.deepEqual([...seen].sort(), ['checkout', 'createOrder', 'getStock', 'lookupStock', 'priceOrder', 'saveOrder', 'warehouseLookup']);
    assert.equal(counter.total, 0);
  });

  void test(`sample app, OTLP ${enc}: the expired coupon's exception maps to the throwing line, and the request is an error`, () => {
    const spans = traces('orders', enc, new RejectionCounter());
    const failed = byName(spans, 'priceOrder').filter((s) => s.status.code === 2);
    assert.equal(failed.length, 1);
    const span = failed[0]!;
    assert.equal(span.exceptions.length, 1);
    const ex = span.exceptions[0]!;
    assert.equal(ex.type, 'CouponExpiredError');
    assert.equal(ex.message, 'coupon SUMMER23 expired on 2023-09-30');
    const site = locator.throwSite(parseStack(ex.stacktrace));
    assert.deepEqual(site && { file: site.file, line: site.line, function: site.function }, { file: ws(capture.throwSite.file), line: capture.throwSite.line, function: 'discountFor' });
    // the same trace: createOrder failed too (status only: the exception is recorded once), and the server span answered 500
    const trace = spans.filter((s) => s.traceId === span.traceId);
    assert.equal(trace.find((s) => s.name === 'createOrder')?.status.code, 2);
    const server = trace.find((s) => s.kind === 2);
    assert.equal(server?.status.code, 2);
    assert.ok(trace.every((s) => s.name === 'priceOrder' || s.exceptions.length === 0));
    // storefront saw the 500 of its call to orders in the same trace
    const front = traces('storefront', enc, new RejectionCounter()).filter((s) => s.traceId === span.traceId);
    assert.ok(front.some((s) => s.kind === 3), 'storefront has the client span of the failing call');
  });

  void test(`sample app, OTLP ${enc}: the bulk item goes through the slow warehouse lookup`, () => {
    const spans = traces('inventory', enc, new RejectionCounter());
    const slow = byName(spans, 'warehouseLookup');
    assert.equal(slow.length, 1);
    const lookups = byName(spans, 'lookupStock');
    const fast = lookups.filter((s) => s.traceId !== slow[0]!.traceId);
    // relative, not a threshold: the warehouse path is slower than every shelf lookup of the same run
    assert.ok(fast.length >= 2 && fast.every((s) => s.durationMs < slow[0]!.durationMs));
    assert.equal(slow[0]!.parentSpanId, lookups.find((s) => s.traceId === slow[0]!.traceId)?.spanId);
  });

  void test(`sample app, OTLP ${enc}: log records carry their caller as code.* and the trace context`, () => {
    const records = logs('orders', enc, new RejectionCounter());
    const created = records.filter((r) => r.body === 'order created');
    assert.equal(created.length, 2);
    for (const r of created) {
      const loc = locator.resolveCode(r.code);
      assert.equal(loc?.file, ws('services/orders/src/handlers.js'));
      assert.equal(loc?.function, 'createOrder');
      assert.ok(loc.line > capture.functions.createOrder!.line);
      assert.match(r.traceId, /^[0-9a-f]{32}$/);
      assert.match(r.spanId, /^[0-9a-f]{16}$/);
    }
    const failed = records.find((r) => r.body === 'request failed');
    assert.equal(failed?.severityNumber, 17);
    assert.equal(failed.exception?.type, 'CouponExpiredError');
    const site = locator.throwSite(parseStack(failed.exception.stacktrace));
    assert.equal(`${site?.file}:${site?.line}`, `${ws(capture.throwSite.file)}:${capture.throwSite.line}`);
  });
}

void test('sample app: JSON and protobuf captures hold the same spans', () => {
  for (const service of SERVICES) {
    const shape = (spans: Span[]) => spans.map((s) => `${s.scope}|${s.name}|${s.kind}|${s.status.code}|${s.code?.line ?? ''}`).sort();
    assert.deepEqual(shape(traces(service, 'pb', new RejectionCounter())), shape(traces(service, 'json', new RejectionCounter())));
  }
});

void test('sample app: stdout pino lines locate through their caller field, errors with their stack', () => {
  const counter = new RejectionCounter();
  const lines = fixtureText(`${DIR}/orders.stdout.log`).split('\n').filter((l) => l.length > 0);
  const records = lines.map((l) => {
    const r = parseLogLine(l, { source: 'baseline', counter });
    assert.ok(r.ok);
    return r.value;
  });
  const created = records.find((r) => r.body === 'order created');
  const loc = locator.resolveCode(created?.code);
  assert.equal(loc?.file, ws('services/orders/src/handlers.js'));
  assert.equal(loc.function, 'createOrder');
  assert.ok(loc.column > 0);
  assert.match(created!.traceId, /^[0-9a-f]{32}$/);
  const failed = records.find((r) => r.severityNumber === 17);
  assert.equal(failed?.exception?.type, 'CouponExpiredError');
  const site = locator.throwSite(parseStack(failed.exception.stacktrace));
  assert.equal(`${site?.file}:${site?.line}`, `${ws(capture.throwSite.file)}:${capture.throwSite.line}`);
  assert.equal(counter.total, 0);
});
