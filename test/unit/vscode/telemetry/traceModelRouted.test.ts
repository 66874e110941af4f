import { test } from 'node:test';
import assert from 'node:assert/strict';
import { toWaterfall } from '../../../../src/vscode/telemetry/traceModel';
import { TraceStore } from '../../../../src/core/telemetry/traceStore';
import { type Span, type SpanKind, EMPTY_ATTRIBUTES } from '../../../../src/core/telemetry/model';

function span(spanId: string, parent: string, service: string, kind: SpanKind, key: boolean, baseline: boolean, startMs: number): Span {
  return {
    source: 'slice',
    traceId: 'a'.repeat(32),
    spanId,
    parentSpanId: parent,
    name: `${service} ${spanId}`,
    kind,
    startMs,
    durationMs: 1,
    status: { code: 0, message: '' },
    attributes: key ? { 'slice.routing.slice': 'alice-a' } : EMPTY_ATTRIBUTES,
    code: undefined,
    events: [],
    exceptions: [],
    resource: { serviceName: service, namespace: undefined, podName: undefined, containerName: undefined, attributes: baseline ? { 'slice.source': 'baseline' } : EMPTY_ATTRIBUTES },
    scope: '',
  };
}

test("a routed trace's rows say whose each span is, and which hop lost the key", () => {
  const store = new TraceStore();
  store.add([span('1', '', 'storefront', 2, true, true, 0), span('2', '1', 'storefront', 3, true, true, 1), span('3', '2', 'orders', 2, true, false, 2), span('4', '3', 'orders', 3, true, false, 3), span('5', '4', 'inventory', 2, false, true, 4)]);
  const w = toWaterfall(store.get('a'.repeat(32))!, () => undefined);
  assert.equal(w.routed, true);
  assert.deepEqual(
    w.spans.map((s) => [s.service, s.origin, s.keyLost !== undefined]),
    [
      ['storefront', 'baseline', false],
      ['storefront', 'baseline', false],
      ['orders', 'fork', false],
      ['orders', 'fork', false],
      ['inventory', 'baseline', true],
    ],
  );
  assert.match(w.spans[4]!.keyLost!, /orders called inventory/);
});

test('a trace only of the fork is not routed (the rows look as before)', () => {
  const store = new TraceStore();
  store.add([span('1', '', 'orders', 2, false, false, 0)]);
  assert.equal(toWaterfall(store.get('a'.repeat(32))!, () => undefined).routed, false);
});
