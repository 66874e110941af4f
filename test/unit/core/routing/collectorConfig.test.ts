import { test } from 'node:test';
import assert from 'node:assert/strict';
import { BASELINE_SOURCE_ATTRIBUTE, collectorConfig, collectorConfigText, normalizeRoutes, renderRoutedOtlpService, routedSlices } from '../../../../src/core/routing/collectorConfig';
import { type SliceObject } from '../../../../src/core/slice/sliceResource';
import { ROUTED_OTLP_PORT, ROUTING_KEY_ATTRIBUTE } from '../../../../src/core/routing/routedTelemetry';

type Pipelines = Record<string, { receivers: string[]; processors: string[]; exporters: string[] }>;
const pipelinesOf = (c: Record<string, unknown>) => (c.service as { pipelines: Pipelines }).pipelines;
const ALICE = { slice: 'alice-a', namespace: 'slice-alice-a' };
const BOB = { slice: 'bob-b', namespace: 'slice-bob-b' };

test('no routed slice: the receiver still has a pipeline (to nop), so exports succeed', () => {
  const c = collectorConfig([]);
  assert.deepEqual(Object.keys(pipelinesOf(c)), ['traces/unrouted', 'metrics/unrouted']);
  assert.deepEqual(pipelinesOf(c)['traces/unrouted']!.exporters, ['nop']);
});

test("each slice gets its own pipeline: its key's whole traces, marked baseline, to its own agent only", () => {
  const c = collectorConfig([BOB, ALICE]);
  const p = pipelinesOf(c);
  assert.deepEqual(p['traces/slice-alice-a'], { receivers: ['otlp'], processors: ['memory_limiter', 'tail_sampling/slice-alice-a', 'resource/baseline'], exporters: ['otlp_http/slice-alice-a'] });
  const ts = (c.processors as Record<string, { sampling_strategy: string; policies: { string_attribute: { key: string; values: string[] } }[] }>)['tail_sampling/slice-alice-a']!;
  assert.equal(ts.sampling_strategy, 'span-ingest');
  assert.deepEqual(ts.policies.map((x) => x.string_attribute), [{ key: ROUTING_KEY_ATTRIBUTE, values: [ALICE.slice] }]);
  const ex = (c.exporters as Record<string, { endpoint: string }>)['otlp_http/slice-alice-a']!;
  assert.equal(ex.endpoint, `http://slice-routed-otlp.slice-alice-a.svc:${ROUTED_OTLP_PORT}`);
  const res = (c.processors as Record<string, { attributes: { key: string }[] }>)['resource/baseline']!;
  assert.equal(res.attributes[0]!.key, BASELINE_SOURCE_ATTRIBUTE);
});

test('the same slices in any order give the same bytes', () => {
  assert.equal(collectorConfigText([ALICE, BOB]), collectorConfigText([BOB, ALICE]));
});

test("a slice routed twice goes to the first namespace only: a second namespace naming alice's slice gets nothing", () => {
  const thief = { slice: ALICE.slice, namespace: 'slice-bob-steal' };
  const { routes, refused } = normalizeRoutes([thief, ALICE]);
  // sorted by namespace: slice-alice-a comes first and keeps the key
  assert.deepEqual(routes, [ALICE]);
  assert.equal(refused[0]!.slice, thief);
  assert.equal(pipelinesOf(collectorConfig([thief, ALICE]))['traces/slice-bob-steal'], undefined);
});

test('a namespace or slice name that is not a DNS label is refused (no component id or policy value can be forged)', () => {
  const { routes, refused } = normalizeRoutes([{ slice: 'k', namespace: 'a/b' }, { slice: '', namespace: 'ok' }, { slice: 'k2', namespace: 'Bad' }, { slice: 'x"y', namespace: 'ok2' }]);
  assert.deepEqual(routes, []);
  assert.equal(refused.length, 4);
});

test("routed slices: the namespace is always slice-<object name>, from the controller's status, never the spec's words", () => {
  const slice = (name: string, ns: string | undefined, extra: { deleting?: boolean; forks?: number } = {}) =>
    ({
      apiVersion: 'slice.dev/v1alpha1',
      kind: 'Slice',
      metadata: { name, ...(extra.deleting ? { deletionTimestamp: '2026-01-01T00:00:00Z' } : {}) },
      spec: { owner: name.split('-')[0], baseline: 'shop', forks: Array.from({ length: extra.forks ?? 1 }, () => ({ workload: 'orders' })) },
      ...(ns === undefined ? {} : { status: { namespace: ns } }),
    }) as unknown as SliceObject;
  assert.deepEqual(routedSlices([slice('alice-a', 'slice-alice-a'), slice('bob-b', 'slice-alice-a'), slice('bob-c', undefined), slice('bob-d', 'slice-bob-d', { deleting: true }), slice('bob-e', 'slice-bob-e', { forks: 0 })]), [
    { slice: 'alice-a', namespace: 'slice-alice-a' },
  ]);
});

test("the routed Service selects the agent of the slice's first fork, in the slice's own namespace", () => {
  const s = { apiVersion: 'slice.dev/v1alpha1', kind: 'Slice', metadata: { name: 'alice-a' }, spec: { owner: 'alice', baseline: 'shop', forks: [{ workload: 'orders' }, { workload: 'inventory' }] } } as unknown as SliceObject;
  const svc = renderRoutedOtlpService(s)!;
  assert.equal(svc.metadata.namespace, 'slice-alice-a');
  assert.deepEqual((svc.spec as { selector: unknown }).selector, { 'slice.dev/slice-object': 'alice-a', 'slice.dev/fork': 'orders' });
  assert.equal(renderRoutedOtlpService({ ...s, spec: { ...s.spec, forks: [] } }), undefined);
});
