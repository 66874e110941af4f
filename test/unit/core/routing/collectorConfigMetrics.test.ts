// Issue 23: the baseline's metrics reach each routed slice's agent (the metrics ring, then the
// owner's editor), marked as the baseline's, through the same exporter as its routed traces.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { collectorConfig } from '../../../../src/core/routing/collectorConfig';

type Pipelines = Record<string, { receivers: string[]; processors: string[]; exporters: string[] }>;
const pipelinesOf = (c: Record<string, unknown>) => (c.service as { pipelines: Pipelines }).pipelines;

test('each routed slice gets a metrics pipeline: every baseline metric, marked baseline, to its own agent; none without a slice', () => {
  const c = collectorConfig([{ slice: 'alice-a', namespace: 'slice-alice-a' }, { slice: 'bob-b', namespace: 'slice-bob-b' }]);
  const p = pipelinesOf(c);
  assert.deepEqual(p['metrics/slice-alice-a'], { receivers: ['otlp'], processors: ['memory_limiter', 'resource/baseline'], exporters: ['otlp_http/slice-alice-a'] });
  assert.deepEqual(p['metrics/slice-bob-b']?.exporters, ['otlp_http/slice-bob-b']);
  assert.deepEqual(p['metrics/unrouted'], { receivers: ['otlp'], processors: [], exporters: ['nop'] }, 'metrics exports succeed while no slice is routed');
  assert.deepEqual(Object.keys(pipelinesOf(collectorConfig([]))).filter((k) => k.startsWith('metrics/')), ['metrics/unrouted']);
});
