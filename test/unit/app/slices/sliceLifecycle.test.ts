import { test } from 'node:test';
import assert from 'node:assert/strict';
import { type KubeContext } from '../../../../src/core/cluster/environments';
import { limitsOf } from '../../../../src/core/slice/limits';
import { DEFAULT_PLATFORM_CONFIG } from '../../../../src/core/slice/platformConfig';
import { type SliceObject, type SliceSpec } from '../../../../src/core/slice/sliceResource';
import { type SliceApiPort, SliceLifecycle } from '../../../../src/app/slices/sliceLifecycle';
import { SliceStore } from '../../../../src/app/slices/sliceStore';
import { type ListWatchSource, type WatchEvent } from '../../../../src/core/cluster/watchSource';
import { nullLogger } from '../../../../src/core/base/logger';

const context: KubeContext = { name: 'alice', cluster: 'c', user: 'alice' };
const limits = limitsOf(DEFAULT_PLATFORM_CONFIG);
const H = 3_600_000;
const t0 = Date.parse('2026-12-07T06:00:00Z');

/**
 * A scripted API server standing in for the cluster (the dependency): it stores Slices and, like the
 * controller, answers a write a few reads later — capping the expiry at now + 24h, or refusing a
 * slice over the per-owner limit.
 */
class FakeApi implements SliceApiPort {
  readonly objects = new Map<string, SliceObject>();
  readonly deleted: string[] = [];
  private pending: (() => void)[] = [];
  readonly quotaHard = [
    { resource: 'limits.cpu', hard: '4' },
    { resource: 'limits.memory', hard: '2Gi' },
    { resource: 'pods', hard: '10' },
  ];
  refuse = false;

  whoAmI(): Promise<{ username: string }> {
    return Promise.resolve({ username: 'alice' });
  }

  create(_c: KubeContext, name: string, spec: SliceSpec): Promise<SliceObject> {
    const o: SliceObject = { apiVersion: 'slice.dev/v1alpha1', kind: 'Slice', metadata: { name, generation: 1, creationTimestamp: new Date(t0).toISOString() }, spec };
    this.objects.set(name, o);
    // the controller: Ready with the capped expiry, or Failed over the limit
    this.pending.push(() => {
      const expiresAt = new Date(t0 + Math.min(24 * H, spec.ttl === '48h' ? 48 * H : 4 * H)).toISOString();
      const status = this.refuse
        ? { phase: 'Failed' as const, observedGeneration: 1, conditions: [{ type: 'Ready' as const, status: 'False' as const, reason: 'SliceLimitExceeded', message: 'alice already has 3 slices (the limit is 3): delete one first', lastTransitionTime: '' }] }
        : { phase: 'Ready' as const, observedGeneration: 1, namespace: `slice-${name}`, expiresAt, forks: [{ workload: 'orders', ready: true, replicas: 1, availableReplicas: 1 }] };
      this.objects.set(name, { ...o, spec: { ...spec, expiresAt }, status });
    });
    return Promise.resolve(o);
  }
  get(_c: KubeContext, name: string): Promise<SliceObject> {
    this.pending.shift()?.();
    const o = this.objects.get(name);
    return o ? Promise.resolve(o) : Promise.reject(Object.assign(new Error('not found'), { name: 'ClusterProblemError' }));
  }
  delete(_c: KubeContext, name: string): Promise<void> {
    this.deleted.push(name);
    this.objects.delete(name);
    return Promise.resolve();
  }
  setExpiry(_c: KubeContext, name: string, at: Date): Promise<SliceObject> {
    const o = this.objects.get(name)!;
    const generation = (o.metadata.generation ?? 1) + 1;
    const patched = { ...o, metadata: { ...o.metadata, generation }, spec: { ...o.spec, expiresAt: at.toISOString() } };
    this.objects.set(name, patched);
    this.pending.push(() => {
      const capped = new Date(Math.min(at.getTime(), t0 + 24 * H)).toISOString();
      this.objects.set(name, { ...patched, metadata: { ...patched.metadata, generation: generation + 1 }, spec: { ...patched.spec, expiresAt: capped }, status: { ...patched.status, observedGeneration: generation, expiresAt: capped } });
    });
    return Promise.resolve(patched);
  }
  quota(): Promise<readonly { resource: string; hard: string }[]> {
    return Promise.resolve(this.quotaHard);
  }
}

const lifecycleOf = (api: FakeApi) => new SliceLifecycle(api, { read: () => Promise.resolve(limits) }, () => undefined, () => undefined);

test('Extend +24h on a slice that already has 12h left reports the 24h cap the server applied, not the 36h asked', async () => {
  const api = new FakeApi();
  await api.create(context, 'alice-fix', { owner: 'alice', baseline: 'shop', forks: [], ttl: '4h' });
  const slice = await api.get(context, 'alice-fix');
  const withTwelveHours = { ...slice, spec: { ...slice.spec, expiresAt: new Date(t0 + 12 * H).toISOString() } };
  api.objects.set('alice-fix', withTwelveHours);
  const r = await lifecycleOf(api).extend(context, withTwelveHours, 24, t0);
  assert.equal(r.askedFor.toISOString(), new Date(t0 + 36 * H).toISOString());
  assert.equal(r.expiresAt.toISOString(), new Date(t0 + 24 * H).toISOString());
  assert.match(r.note ?? '', /You asked for \+24h .*the platform's cap is 24h from now/);
});

test('Create reports what the server granted: the capped TTL and the quota read from the namespace', async () => {
  const api = new FakeApi();
  const out = await lifecycleOf(api).create(context, 'alice-fix', { owner: 'alice', baseline: 'shop', forks: [{ workload: 'orders' }], ttl: '48h', resources: { cpu: '8' } });
  assert.equal(out.kind, 'ready');
  if (out.kind !== 'ready') return;
  assert.deepEqual(out.notes, ["ttl 48h was capped to 24h (the platform's cap is 24h)", 'cpu 8 was capped to 4']);
  assert.equal(out.granted.cpu, '4');
});

test('a slice the platform refuses for the per-owner limit is removed, and the message says why without "Unexpected"', async () => {
  const api = new FakeApi();
  api.refuse = true;
  await assert.rejects(
    () => lifecycleOf(api).create(context, 'alice-four', { owner: 'alice', baseline: 'shop', forks: [] }),
    (e: Error) => e.name === 'UserError' && /refused slice alice-four: alice already has 3 slices .* It was removed/.test(e.message),
  );
  assert.deepEqual(api.deleted, ['alice-four']);
});

test('Create through the identity watch: a Slice the watch has not shown yet is "not yet", not "deleted"', async () => {
  const api = new FakeApi();
  const events: ((e: WatchEvent<SliceObject>) => void)[] = [];
  const source: ListWatchSource<SliceObject> = {
    list: () => Promise.resolve({ items: [], resourceVersion: '1' }),
    watch: (_v, onEvent, signal) => new Promise<void>((resolve) => (events.push(onEvent), signal.addEventListener('abort', () => resolve()))),
  };
  const store = new SliceStore({ context: 'alice', user: 'alice' }, source, nullLogger);
  await store.when(() => true);
  const lifecycle = new SliceLifecycle(api, { read: () => Promise.resolve(limits) }, () => store, () => undefined);
  const created = lifecycle.create(context, 'alice-fix', { owner: 'alice', baseline: 'shop', forks: [{ workload: 'orders' }], ttl: '4h' });
  await new Promise((r) => setImmediate(r));
  // the watch reports it Provisioning, then Ready (as the controller writes it)
  const o = api.objects.get('alice-fix')!;
  events[0]!({ type: 'ADDED', object: { ...o, metadata: { ...o.metadata, resourceVersion: '2' }, status: { phase: 'Provisioning' } } });
  await api.get(context, 'alice-fix');
  events[0]!({ type: 'MODIFIED', object: { ...api.objects.get('alice-fix')!, metadata: { ...o.metadata, resourceVersion: '3' } } });
  const out = await created;
  assert.equal(out.kind, 'ready');
  store.dispose();
});
