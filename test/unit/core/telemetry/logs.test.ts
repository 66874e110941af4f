import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isBinaryLine, parseCaller, parseLogLine, stripAnsi } from '../../../../src/core/telemetry/logs';
import { type LogRecord } from '../../../../src/core/telemetry/model';
import { RejectionCounter } from '../../../../src/core/telemetry/rejections';
import { fixtureText } from './fixtures';

const lines = fixtureText('logs/container.log').split('\n').filter((l) => l.length > 0);
function parse(i: number): LogRecord {
  const r = parseLogLine(lines[i]!, { source: 'slice', receivedMs: 42 });
  assert.ok(r.ok);
  return r.value;
}
const where = (r: LogRecord) => (r.code ? `${r.code.function ?? ''}@${r.code.file}:${r.code.line}${r.code.column ? `:${r.code.column}` : ''}` : undefined);

test('pino with a V8-frame caller, and with err + trace context', () => {
  const a = parse(0);
  assert.equal(a.body, 'order loaded');
  assert.equal(a.severityNumber, 9);
  assert.equal(a.timeMs, 1718000000123);
  assert.equal(where(a), 'Object.<anonymous>@/app/dist/routes/orders.js:24:16');
  assert.equal(a.attributes.orderId, 17);
  const b = parse(1);
  assert.equal(b.severityNumber, 17);
  assert.equal(where(b), '@/app/dist/services/orderService.js:47:13');
  assert.equal(b.exception?.type, 'Error');
  assert.match(b.exception.stacktrace, /at OrderService.loadOrder/);
  assert.equal(b.traceId, '4bf92f3577b34da6a3ce929d0e0e4736');
  assert.equal(b.spanId, '53995c3f42cd8ad8');
});

test('winston (string level, ISO timestamp, file:line caller) and bunyan (src)', () => {
  const w = parse(2);
  assert.equal(w.severityNumber, 13);
  assert.equal(w.severityText, 'warn');
  assert.equal(w.timeMs, Date.parse('2024-06-10T06:13:20.789Z'));
  assert.equal(where(w), '@/app/src/db.ts:88');
  const b = parse(3);
  assert.equal(b.severityNumber, 13);
  assert.equal(where(b), 'addItem@/app/lib/cart.js:12');
});

test('zap (seconds ts, relative caller, stacktrace) and logrus (file:line + func)', () => {
  const z = parse(4);
  assert.equal(z.timeMs, 1718000001500);
  assert.equal(z.severityNumber, 17);
  assert.equal(where(z), '@orders/handler.go:57');
  assert.match(z.exception!.stacktrace, /handler\.go:57/);
  const l = parse(5);
  assert.equal(where(l), 'main.main@/src/cmd/orders/main.go:31');
});

test('python-json-logger (pathname/lineno/funcName, exc_info, otel ids) and ECS (log.origin.*)', () => {
  const p = parse(6);
  assert.equal(p.severityNumber, 17);
  assert.equal(p.body, 'failed to price cart');
  assert.equal(where(p), 'compute_total@/srv/app/pricing.py:19');
  assert.match(p.exception!.stacktrace, /ZeroDivisionError/);
  assert.equal(p.traceId, '0af7651916cd43dd8448eb211c80319c');
  assert.equal(p.timeMs, 42); // asctime is not a parseable field: the received time
  const e = parse(7);
  assert.equal(where(e), 'refund@RefundService.java:73');
  assert.match(e.exception!.stacktrace, /IllegalStateException/);
});

test('text lines: klog header, RFC 3339 prefix with ANSI colours, level words, plain', () => {
  const k = parse(8);
  assert.equal(k.severityNumber, 17);
  assert.equal(where(k), '@controller.go:214');
  assert.equal(k.body, 'failed to sync "default/orders": conflict');
  const t = parse(9);
  assert.equal(t.timeMs, Date.parse('2024-06-10T06:13:26.123Z'));
  assert.equal(t.body, 'INFO server started on :8080');
  assert.equal(t.severityNumber, 9);
  assert.equal(parse(10).severityNumber, 17);
  const p = parse(11);
  assert.equal(p.body, 'plain line with nothing special');
  assert.equal(p.code, undefined);
  assert.equal(p.timeMs, 42);
});

test('binary lines are rejected and counted; long lines cut and counted', () => {
  const counter = new RejectionCounter();
  assert.equal(isBinaryLine('ok\tline'), false);
  assert.equal(isBinaryLine('a\u0000b'), true);
  assert.equal(isBinaryLine('\u0001\u0002\u0003\u0004abc'), true);
  const r = parseLogLine('\u0000\u0001PNG', { source: 's', counter });
  assert.ok(!r.ok && r.error.reason === 'binary-line');
  const long = parseLogLine('x'.repeat(100), { source: 's', counter, maxLineLength: 10 });
  assert.ok(long.ok && long.value.body === 'x'.repeat(10));
  assert.deepEqual(counter.snapshot(), { 'binary-line': 1, truncated: 1 });
});

test('stripAnsi and parseCaller', () => {
  assert.equal(stripAnsi('\x1b[1;31mred\x1b[0m \x1b]0;title\x07done'), 'red done');
  assert.deepEqual(parseCaller('at handler (/app/a.js:3:9)'), { file: '/app/a.js', line: 3, column: 9, function: 'handler' });
  assert.deepEqual(parseCaller('C:\\svc\\a.js:3'), { file: 'C:\\svc\\a.js', line: 3, column: undefined, function: undefined });
  assert.equal(parseCaller('no location'), undefined);
});
