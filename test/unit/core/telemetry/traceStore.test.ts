import { test } from 'node:test';
import assert from 'node:assert/strict';
import { TraceStore } from '../../../../src/core/telemetry/traceStore';
import { decodeTracesJson } from '../../../../src/core/telemetry/otlp/decodeJson';
import { type Span, EMPTY_ATTRIBUTES, EMPTY_RESOURCE } from '../../../../src/core/telemetry/model';
import { fixtureText } from './fixtures';

function span(traceId: string, spanId: string, parent = '', startMs = 0, durationMs = 10, error = false): Span {
  return {
    source: 'slice',
    traceId,
    spanId,
    parentSpanId: parent,
    name: `op-${spanId}`,
    kind: 1,
    startMs,
    durationMs,
    status: { code: error ? 2 : 0, message: '' },
    attributes: EMPTY_ATTRIBUTES,
    code: undefined,
    events: [],
    exceptions: [],
    resource: EMPTY_RESOURCE,
    scope: '',
  };
}

test('the Node SDK fixture becomes one trace with its root, duration and error count', () => {
  const r = decodeTracesJson(fixtureText('otlp-traces-node-sdk.json'), { source: 'slice' });
  assert.ok(r.ok);
  const store = new TraceStore();
  store.add(r.value);
  assert.equal(store.size, 1);
  const t = store.get('4BF92F3577B34DA6A3CE929D0E0E4736')!;
  assert.equal(t.root.name, 'GET /orders/:id');
  assert.equal(t.spans.length, 3);
  assert.equal(t.errors, 1);
  assert.ok(Math.abs(t.durationMs - 47) < 0.01, `duration ${t.durationMs}`);
  assert.deepEqual(store.recent().map((s) => [s.name, s.spanCount, s.errors]), [['GET /orders/:id', 3, 1]]);
});

test('a child arriving before its root: the earliest span stands in until the root arrives', () => {
  const store = new TraceStore();
  store.add([span('t1', 'b', 'a', 5, 3)]);
  assert.equal(store.get('t1')!.root.spanId, 'b');
  store.add([span('t1', 'a', '', 0, 20)]);
  const t = store.get('t1')!;
  assert.equal(t.root.spanId, 'a');
  assert.equal(t.startMs, 0);
  assert.equal(t.durationMs, 20);
});

test('bounded: traces not updated in the last two generations are evicted, and full traces count drops', () => {
  // maxTraces 4: generations of 2 traces
  const store = new TraceStore({ maxTraces: 4, maxSpansPerTrace: 2 });
  for (const id of ['t1', 't2', 't3']) store.add([span(id, 'r')]); // newer {t3}, older {t1, t2}
  store.add([span('t1', 'c', 'r')]); // t1 is brought into the newer generation: {t3, t1}
  store.add([span('t4', 'r')]); // turns over: newer {t4}, older {t3, t1}; t2 goes
  assert.equal(store.get('t2'), undefined);
  assert.equal(store.size, 3);
  assert.deepEqual(store.recent().map((s) => s.traceId), ['t4', 't1', 't3']);
  store.add([span('t1', 'd', 'r', 0, 10, true)]);
  const t1 = store.get('t1')!;
  assert.equal(t1.spans.length, 2);
  assert.equal(t1.dropped, 1);
  assert.equal(t1.errors, 0);
  assert.deepEqual(store.recent(2).map((s) => s.traceId), ['t1', 't4']);
});

test('bounded, against an exact LRU: never more than maxTraces, always the maxTraces / 2 most recently updated, each with every span it was given', () => {
  const max = 20;
  const store = new TraceStore({ maxTraces: max });
  const lru: string[] = []; // most recent last
  const given = new Map<string, number>(); // spans given to each trace since the store last took it in anew
  let seed = 7;
  const next = () => (seed = (seed * 1103515245 + 12345) % 2147483648);
  for (let i = 0; i < 5000; i++) {
    // mostly recent traces, sometimes an old or a new one
    const r = next() % 100;
    const id = r < 70 && lru.length > 0 ? lru[lru.length - 1 - (next() % Math.min(lru.length, 15))]! : `t${next() % 400}`;
    const kept0 = store.get(id) !== undefined;
    store.add([span(id, `s${i}`, i % 3 === 0 ? '' : 'p', i % 7)]);
    given.set(id, (kept0 ? given.get(id)! : 0) + 1);
    const at = lru.indexOf(id);
    if (at >= 0) lru.splice(at, 1);
    lru.push(id);
    if (lru.length > 400) lru.shift();
    assert.ok(store.size <= max, `${store.size} traces kept`);
    const kept = new Set(store.recent(max).map((t) => t.traceId));
    assert.equal(kept.size, store.size);
    for (const must of lru.slice(-max / 2)) assert.ok(kept.has(must), `${must} is among the ${max / 2} most recent and was evicted`);
    assert.deepEqual([...kept], lru.slice(-kept.size).reverse(), 'recent() lists the most recently updated first');
    for (const t of store.recent(max)) assert.equal(t.spanCount, given.get(t.traceId), `${t.traceId} lost spans`);
  }
});

test('a trace brought over from the older generation as the generations turn over keeps all its spans', () => {
  const store = new TraceStore({ maxTraces: 4 }); // generations of 2 traces
  store.add([span('t1', 'a', '', 0, 10), span('t1', 'b', 'a', 5, 1), span('t1', 'c', 'a', 2, 1)]);
  store.add([span('t2', 'r')]); // newer {t1, t2}
  store.add([span('t3', 'r')]); // turns over: newer {t3}, older {t1, t2}
  store.add([span('t4', 'r')]); // newer {t3, t4}: full
  store.add([span('t1', 'd', 'a', 1, 1)]); // turns over while t1 comes over from the older: t2 goes, t1 stays whole
  assert.equal(store.get('t2'), undefined);
  const t1 = store.get('t1')!;
  assert.deepEqual(t1.spans.map((s) => s.spanId), ['a', 'b', 'c', 'd']);
  assert.equal(t1.root.spanId, 'a');
  assert.equal(t1.durationMs, 10);
  assert.deepEqual(store.recent().map((s) => [s.traceId, s.spanCount]), [
    ['t1', 4],
    ['t4', 1],
    ['t3', 1],
  ]);
});

test('a trace read before it is evicted keeps its spans; eviction and clear empty only the store', () => {
  const store = new TraceStore({ maxTraces: 2 }); // generations of one trace
  store.add([span('t1', 'a', '', 0, 5), span('t1', 'b', 'a', 1, 2)]);
  const before = store.get('t1')!;
  store.add([span('t2', 'r')]);
  store.add([span('t3', 'r')]); // t1 goes
  assert.equal(store.get('t1'), undefined);
  assert.deepEqual(before.spans.map((s) => s.spanId), ['a', 'b']);
  assert.equal(before.root.spanId, 'a');
  const t3 = store.get('t3')!;
  store.clear();
  assert.equal(t3.spans.length, 1);
  assert.equal(t3.root.spanId, 'r');
});

test('spans without a trace id are ignored; clear forgets everything', () => {
  const store = new TraceStore();
  store.add([span('', 'x'), span('t', 'y', '', 0, 1, true)]);
  assert.equal(store.size, 1);
  assert.equal(store.get('t')!.errors, 1);
  store.clear();
  assert.equal(store.size, 0);
  assert.deepEqual(store.recent(), []);
});

test("a 4xx the handler answered on purpose is not a failure of the trace: the handler's thrown error is how it answered (issue 20 item 8)", () => {
  const store = new TraceStore();
  const orders = { ...EMPTY_RESOURCE, serviceName: 'orders' };
  const server = (id: string, status: number, error = false): Span => ({ ...span(id, `${id}-s`, '', 0, 5, error), kind: 2, httpStatus: status, resource: orders });
  const thrown = (id: string): Span => ({ ...span(id, `${id}-h`, `${id}-s`, 1, 3, true), resource: orders });
  store.add([thrown('a'), server('a', 404)]); // GET /orders/nope → 404 on purpose
  store.add([thrown('b'), server('b', 500, true)]); // a real failure
  store.add([thrown('c'), server('c', 404, true)]); // the span says the 404 is an error: it is one
  const errorsOf = (id: string) => store.recent().find((t) => t.traceId === id)?.errors;
  assert.equal(errorsOf('a'), 0);
  assert.equal(store.get('a')!.errors, 0, 'the trace panel says the same');
  assert.equal(errorsOf('b'), 2);
  assert.equal(errorsOf('c'), 2);
  // a downstream service that failed still counts when the front answered 404
  const inventory = { ...EMPTY_RESOURCE, serviceName: 'inventory' };
  store.add([thrown('d'), server('d', 404), { ...span('d', 'd-inv', 'd-h', 2, 1, true), kind: 2, httpStatus: 503, resource: inventory }]);
  assert.equal(errorsOf('d'), 1);
});
