import { test } from 'node:test';
import assert from 'node:assert/strict';
import { findKeyDrops, keyDropFindings, keyDropMessage, routingKeyOf, spanOrigin } from '../../../../src/core/telemetry/routedTrace';
import { type CodeLocation, type Span, type SpanKind, EMPTY_ATTRIBUTES } from '../../../../src/core/telemetry/model';
import { ROUTING_KEY_ATTRIBUTE } from '../../../../src/core/routing/routedTelemetry';

const KEY = 'alice-a';
function span(spanId: string, parent: string, service: string, kind: SpanKind, key: boolean, extra: { code?: CodeLocation; baseline?: boolean; startMs?: number } = {}): Span {
  return {
    source: 'slice',
    traceId: 't'.repeat(32),
    spanId,
    parentSpanId: parent,
    name: `${service}-${spanId}`,
    kind,
    startMs: extra.startMs ?? 0,
    durationMs: 1,
    status: { code: 0, message: '' },
    attributes: key ? { [ROUTING_KEY_ATTRIBUTE]: KEY } : EMPTY_ATTRIBUTES,
    code: extra.code,
    events: [],
    exceptions: [],
    resource: { serviceName: service, namespace: undefined, podName: undefined, containerName: undefined, attributes: extra.baseline ? { 'slice.source': 'baseline' } : EMPTY_ATTRIBUTES },
    scope: '',
  };
}
const handler: CodeLocation = { file: '/app/src/server.js', line: 42, column: 3, function: 'placeOrder' };

test('spans marked by the collector are the baseline; the rest are the fork', () => {
  assert.equal(spanOrigin(span('1', '', 'storefront', 2, true, { baseline: true })), 'baseline');
  assert.equal(spanOrigin(span('2', '', 'orders', 2, true)), 'fork');
  assert.equal(routingKeyOf(span('2', '', 'orders', 2, true)), KEY);
  assert.equal(routingKeyOf(span('2', '', 'orders', 2, false)), undefined);
});

test('a hop that drops the baggage is found, with the calling code of the service that lost it', () => {
  const spans = [
    // inventory's server span, no key: orders' call did not pass the baggage on (arrives first)
    span('d', 'c', 'inventory', 2, false, { baseline: true, startMs: 3 }),
    span('a', '', 'storefront', 2, true, { baseline: true }),
    span('b', 'a', 'orders', 2, true, { code: handler, startMs: 1 }),
    span('c', 'b', 'orders', 3, true, { startMs: 2 }),
  ];
  const drops = findKeyDrops(spans);
  assert.equal(drops.length, 1);
  const d = drops[0]!;
  assert.equal(d.callerService, 'orders');
  assert.equal(d.calleeService, 'inventory');
  assert.equal(d.caller.spanId, 'c');
  assert.deepEqual(d.location, handler);
  assert.match(keyDropMessage(d), /inventory/);
  assert.match(keyDropMessage(d), /baggage/);
});

test('a trace that keeps the key, or a child in the same process without it, is no drop', () => {
  assert.deepEqual(findKeyDrops([span('a', '', 'storefront', 2, true), span('b', 'a', 'storefront', 3, true), span('c', 'b', 'orders', 2, true)]), []);
  // an internal child span of the same service that the instrumentation did not stamp
  assert.deepEqual(findKeyDrops([span('a', '', 'orders', 2, true), span('b', 'a', 'orders', 1, false)]), []);
  // a trace that never had the key
  assert.deepEqual(findKeyDrops([span('a', '', 'orders', 2, false), span('b', 'a', 'inventory', 2, false)]), []);
});

test('no calling code is invented when the service that dropped the key has none on its spans', () => {
  const drops = findKeyDrops([span('a', '', 'storefront', 2, true, { code: handler }), span('c', 'a', 'orders', 3, true), span('x', 'c', 'inventory', 2, false)]);
  // 'c' is orders' client span; its parent is storefront's: another service, so no location
  assert.equal(drops[0]!.location, undefined);
});

test('findings: one per calling line in the workspace, counted over traces; drops outside the workspace are left out', () => {
  const trace = (id: string, startMs: number) => ({
    spans: [span('b', '', 'orders', 2, true, { code: handler, startMs }), span('c', 'b', 'orders', 3, true, { startMs }), span(`x${id}`, 'c', 'inventory', 2, false, { startMs: startMs + 1 })],
  });
  const locate = (c: CodeLocation) => (c.file === '/app/src/server.js' ? { file: '/ws/services/orders/src/server.js', line: c.line ?? 1, column: c.column ?? 0 } : undefined);
  const f = keyDropFindings([trace('1', 10), trace('2', 20)], locate);
  assert.equal(f.length, 1);
  assert.equal(f[0]!.file, '/ws/services/orders/src/server.js');
  assert.equal(f[0]!.line, 42);
  assert.equal(f[0]!.count, 2);
  assert.equal(f[0]!.drop.callee.spanId, 'x2');
  assert.deepEqual(keyDropFindings([trace('1', 10)], () => undefined), []);
});
