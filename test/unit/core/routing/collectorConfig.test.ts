import { test } from 'node:test';
import assert from 'node:assert/strict';
import { BASELINE_SOURCE_ATTRIBUTE, collectorConfig, collectorConfigText, normalizeRoutes } from '../../../../src/core/routing/collectorConfig';
import { ROUTED_OTLP_PORT, ROUTING_KEY_ATTRIBUTE } from '../../../../src/core/routing/routedTelemetry';

type Pipelines = Record<string, { receivers: string[]; processors: string[]; exporters: string[] }>;
const pipelinesOf = (c: Record<string, unknown>) => (c.service as { pipelines: Pipelines }).pipelines;
const ALICE = { key: `alice-a.${'a'.repeat(32)}`, namespace: 'slice-alice-a' };
const BOB = { key: `bob-b.${'b'.repeat(32)}`, namespace: 'slice-bob-b' };

test('no routed slice: the receiver still has a pipeline (to nop), so exports succeed', () => {
  const c = collectorConfig([]);
  assert.deepEqual(Object.keys(pipelinesOf(c)), ['traces/unrouted']);
  assert.deepEqual(pipelinesOf(c)['traces/unrouted']!.exporters, ['nop']);
});

test("each slice gets its own pipeline: its key's whole traces, marked baseline, to its own agent only", () => {
  const c = collectorConfig([BOB, ALICE]);
  const p = pipelinesOf(c);
  assert.deepEqual(p['traces/slice-alice-a'], { receivers: ['otlp'], processors: ['memory_limiter', 'tail_sampling/slice-alice-a', 'resource/baseline'], exporters: ['otlphttp/slice-alice-a'] });
  const ts = (c.processors as Record<string, { sampling_strategy: string; policies: { string_attribute: { key: string; values: string[] } }[] }>)['tail_sampling/slice-alice-a']!;
  assert.equal(ts.sampling_strategy, 'span-ingest');
  assert.deepEqual(ts.policies.map((x) => x.string_attribute), [{ key: ROUTING_KEY_ATTRIBUTE, values: [ALICE.key] }]);
  const ex = (c.exporters as Record<string, { endpoint: string }>)['otlphttp/slice-alice-a']!;
  assert.equal(ex.endpoint, `http://slice-routed-otlp.slice-alice-a.svc:${ROUTED_OTLP_PORT}`);
  const res = (c.processors as Record<string, { attributes: { key: string }[] }>)['resource/baseline']!;
  assert.equal(res.attributes[0]!.key, BASELINE_SOURCE_ATTRIBUTE);
});

test('the same slices in any order give the same bytes', () => {
  assert.equal(collectorConfigText([ALICE, BOB]), collectorConfigText([BOB, ALICE]));
});

test("a key routed twice goes to the first namespace only: bob naming alice's key gets nothing", () => {
  const thief = { key: ALICE.key, namespace: 'slice-bob-steal' };
  const { routes, refused } = normalizeRoutes([thief, ALICE]);
  // sorted by namespace: slice-alice-a comes first and keeps the key
  assert.deepEqual(routes, [ALICE]);
  assert.equal(refused[0]!.slice, thief);
  assert.equal(pipelinesOf(collectorConfig([thief, ALICE]))['traces/slice-bob-steal'], undefined);
});

test('a namespace that is not a DNS label, or an empty key, is refused (no component id can be forged)', () => {
  const { routes, refused } = normalizeRoutes([{ key: 'k', namespace: 'a/b' }, { key: '', namespace: 'ok' }, { key: 'k2', namespace: 'Bad' }]);
  assert.deepEqual(routes, []);
  assert.equal(refused.length, 3);
});
