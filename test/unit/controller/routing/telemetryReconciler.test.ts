import { test } from 'node:test';
import assert from 'node:assert/strict';
import { TelemetryReconciler, collectorConfigMap } from '../../../../src/controller/routing/telemetryReconciler';
import { type KubeObject } from '../../../../src/core/slice/k8sTypes';
import { type SliceObject } from '../../../../src/core/slice/sliceResource';

const slice = (name: string) =>
  ({ apiVersion: 'slice.dev/v1alpha1', kind: 'Slice', metadata: { name }, spec: { owner: name.split('-')[0], baseline: 'shop', forks: [{ workload: 'orders' }] }, status: { namespace: `slice-${name}` } }) as unknown as SliceObject;

test('the ConfigMap holds one pipeline per slice, in the platform namespace', () => {
  const cm = collectorConfigMap('slice-system', [slice('alice-a')]);
  assert.equal(cm.metadata.namespace, 'slice-system');
  assert.equal(cm.metadata.name, 'slice-otelcol-config');
  assert.match(cm.data['config.yaml']!, /"traces\/slice-alice-a"/);
});

test('the config is written once per change, and again after the API server refused it', async () => {
  let slices = [slice('alice-a')];
  const applied: KubeObject[] = [];
  let refuse = false;
  const r = new TelemetryReconciler({
    apply: (o) => {
      if (refuse) return Promise.reject(new Error('forbidden'));
      applied.push(o);
      return Promise.resolve();
    },
    slices: () => slices,
    namespace: 'slice-system',
    log: () => undefined,
    nudge: () => Promise.resolve(),
    debounceMs: 60_000, // a retry is scheduled, never run within the test
  });
  const configs = () => applied.filter((o) => o.kind === 'ConfigMap') as unknown as { data: Record<string, string> }[];
  await r.sync();
  await r.sync();
  assert.deepEqual(applied.map((o) => `${o.kind} ${o.metadata.namespace}/${o.metadata.name}`), ['Service slice-alice-a/slice-routed-otlp', 'ConfigMap slice-system/slice-otelcol-config']);
  slices = [slice('alice-a'), slice('bob-b')];
  refuse = true;
  await r.sync();
  assert.equal(applied.length, 2);
  refuse = false;
  await r.sync();
  // bob's Service first, then the config that names it; alice's Service is not applied again
  assert.deepEqual(applied.slice(2).map((o) => `${o.kind} ${o.metadata.namespace}/${o.metadata.name}`), ['Service slice-bob-b/slice-routed-otlp', 'ConfigMap slice-system/slice-otelcol-config']);
  assert.match(configs()[1]!.data['config.yaml']!, /slice-bob-b/);
  r.dispose();
});

test("each config written nudges the collector's pods with its digest, so the kubelet swaps the mounted file now (a new slice's spans were dropped for up to a minute)", async () => {
  let slices = [slice('alice-a')];
  const events: string[] = [];
  const logs: string[] = [];
  let refuseNudge = false;
  const r = new TelemetryReconciler({
    apply: (o) => {
      events.push(`apply ${o.kind}`);
      return Promise.resolve();
    },
    slices: () => slices,
    namespace: 'slice-system',
    log: (l) => logs.push(l),
    nudge: (digest) => {
      events.push(`nudge ${digest}`);
      return refuseNudge ? Promise.reject(new Error('forbidden')) : Promise.resolve();
    },
    debounceMs: 60_000,
  });
  await r.sync();
  await r.sync();
  const nudges = () => events.filter((e) => e.startsWith('nudge '));
  assert.equal(nudges().length, 1, 'one nudge per config written');
  assert.equal(events.indexOf(nudges()[0]!), events.lastIndexOf('apply ConfigMap') + 1, 'the nudge comes after the ConfigMap is written');
  assert.match(nudges()[0]!, /^nudge [0-9a-f]{16}$/);
  slices = [slice('alice-a'), slice('bob-b')];
  refuseNudge = true;
  await r.sync();
  assert.equal(nudges().length, 2);
  assert.notEqual(nudges()[1], nudges()[0], 'another config, another digest');
  // a refused nudge is logged; the config stays written (the kubelet swaps it in its own time)
  assert.ok(logs.some((l) => /cannot nudge the collector/.test(l)), logs.join('\n'));
  await r.sync();
  assert.equal(nudges().length, 2, 'not written (nor nudged) again');
  r.dispose();
});
