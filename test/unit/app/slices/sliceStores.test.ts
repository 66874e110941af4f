import { test } from 'node:test';
import assert from 'node:assert/strict';
import { nullLogger } from '../../../../src/core/base/logger';
import { type KubeContext, type NamespaceInfo, type SliceEnvironment } from '../../../../src/core/cluster/environments';
import { type ClusterPort, EnvironmentsModel, type KubeconfigLoad } from '../../../../src/core/cluster/environmentsModel';
import { type ListWatchSource, type WatchEvent } from '../../../../src/core/cluster/watchSource';
import { type SliceObject } from '../../../../src/core/slice/sliceResource';
import { SliceStores } from '../../../../src/app/slices/sliceStores';

const contexts: KubeContext[] = [
  { name: 'alice', cluster: 'c', user: 'alice' },
  { name: 'bob', cluster: 'c', user: 'bob' },
];
const load: KubeconfigLoad = { state: 'ok', sources: { origin: 'env', files: ['/k'], missing: [] }, contexts, currentContext: 'alice' };

function slice(owner: string, name: string, phase: 'Provisioning' | 'Ready', rv: number): SliceObject {
  return {
    apiVersion: 'slice.dev/v1alpha1',
    kind: 'Slice',
    metadata: { name: `${owner}-${name}`, resourceVersion: String(rv), creationTimestamp: '2026-12-07T06:00:00Z' },
    spec: { owner, baseline: 'shop', forks: [{ workload: 'orders' }] },
    status: { phase, namespace: `slice-${owner}-${name}` },
  };
}
const ns = (name: string, role: string, owner?: string): NamespaceInfo => ({ name, labels: { 'slice.dev/role': role, ...(owner ? { 'slice.dev/owner': owner } : {}) }, annotations: {} });

/** The cluster the model and the watch read: the dependency; the store and the model are under test. */
class FakeCluster implements ClusterPort {
  slices: SliceObject[] = [slice('alice', 'fix', 'Provisioning', 2), slice('bob', 'b1', 'Ready', 3)];
  namespaces: NamespaceInfo[] = [ns('shop', 'baseline'), ns('slice-alice-fix', 'slice', 'alice'), ns('slice-bob-b1', 'slice', 'bob')];
  readonly watches: { context: string; send: (e: WatchEvent<SliceObject>) => void; aborted: () => boolean }[] = [];
  private opened: (() => void)[] = [];

  listEnvironmentNamespaces(): Promise<NamespaceInfo[]> {
    return Promise.resolve(this.namespaces);
  }
  listSlices(): Promise<SliceObject[]> {
    return Promise.resolve(this.slices);
  }
  whoAmI(context: KubeContext): Promise<string> {
    return Promise.resolve(context.user);
  }
  source(context: KubeContext): ListWatchSource<SliceObject> {
    return {
      list: () => Promise.resolve({ items: this.slices, resourceVersion: '10' }),
      watch: (_rv, onEvent, signal) =>
        new Promise<void>((resolve) => {
          this.watches.push({ context: context.name, send: onEvent, aborted: () => signal.aborted });
          signal.addEventListener('abort', () => resolve());
          for (const f of this.opened.splice(0)) f();
        }),
    };
  }
  nextWatch(): Promise<void> {
    return new Promise((r) => this.opened.push(r));
  }
}

function mySlices(model: EnvironmentsModel): string[] {
  const c = model.state.cluster;
  if (c.status !== 'ok') return [];
  return c.environments.filter((e): e is SliceEnvironment => e.kind === 'slice').map((e) => `${e.namespace}:${e.resource?.phase ?? '-'}${e.mine ? ':mine' : ''}`);
}

test('the tree follows the watch: a Provisioning slice turns Ready and a slice deleted elsewhere goes, without a refresh', async () => {
  const cluster = new FakeCluster();
  let selected: string | undefined;
  const model = new EnvironmentsModel({ load: () => Promise.resolve(load) }, cluster, { get: () => selected, set: (v) => ((selected = v), Promise.resolve()) }, nullLogger);
  const stores = new SliceStores(model, (c) => cluster.source(c), nullLogger);
  const opened = cluster.nextWatch();
  await model.refresh();
  await opened;
  assert.deepEqual(mySlices(model), ['slice-alice-fix:Provisioning:mine', 'slice-bob-b1:Ready']);
  assert.deepEqual(stores.store?.current().map((s) => s.name), ['alice-fix']);

  const watch = cluster.watches[0];
  assert.ok(watch);
  watch.send({ type: 'MODIFIED', object: slice('alice', 'fix', 'Ready', 11) });
  assert.deepEqual(mySlices(model), ['slice-alice-fix:Ready:mine', 'slice-bob-b1:Ready']);

  // Deleted elsewhere (kubectl): the Slice goes; its namespace is still listed (terminating) but is no slice.
  watch.send({ type: 'DELETED', object: slice('alice', 'fix', 'Ready', 12) });
  assert.deepEqual(mySlices(model), ['slice-bob-b1:Ready']);
  assert.deepEqual(stores.store?.current(), []);
  stores.dispose();
  model.dispose();
});

test('a changed identity disposes the old store (its watch ends) and watches as the new one', async () => {
  const cluster = new FakeCluster();
  let selected: string | undefined;
  const model = new EnvironmentsModel({ load: () => Promise.resolve(load) }, cluster, { get: () => selected, set: (v) => ((selected = v), Promise.resolve()) }, nullLogger);
  const stores = new SliceStores(model, (c) => cluster.source(c), nullLogger);
  const seen: (string | undefined)[] = [];
  stores.onDidChangeStore((s) => seen.push(s?.identity.user));
  let opened = cluster.nextWatch();
  await model.refresh();
  await opened;
  const first = stores.store;
  opened = cluster.nextWatch();
  await model.select('bob');
  await opened;
  assert.deepEqual(seen, ['alice', 'bob']);
  assert.notEqual(stores.store, first);
  assert.equal(cluster.watches[0]?.aborted(), true);
  assert.deepEqual(stores.store?.current().map((s) => s.name), ['bob-b1']);
  // A late event of alice's old watch changes nothing.
  cluster.watches[0]?.send({ type: 'DELETED', object: slice('bob', 'b1', 'Ready', 20) });
  assert.deepEqual(mySlices(model), ['slice-bob-b1:Ready:mine', 'slice-alice-fix:Provisioning']);
  stores.dispose();
  model.dispose();
});

test('a baseline namespace created after the first read appears through the namespace watch, without a refresh', async () => {
  const cluster = new FakeCluster();
  let selected: string | undefined;
  const model = new EnvironmentsModel({ load: () => Promise.resolve(load) }, cluster, { get: () => selected, set: (v) => ((selected = v), Promise.resolve()) }, nullLogger);
  const nsEvents: ((e: WatchEvent<NamespaceInfo>) => void)[] = [];
  let opened: () => void = () => undefined;
  const nsOpen = new Promise<void>((r) => (opened = r));
  const stores = new SliceStores(model, (c) => cluster.source(c), nullLogger, () => ({
    list: () => Promise.resolve({ items: cluster.namespaces, resourceVersion: '5' }),
    watch: (_v, onEvent, signal) => new Promise<void>((resolve) => (nsEvents.push(onEvent), opened(), signal.addEventListener('abort', () => resolve()))),
  }));
  await model.refresh();
  await nsOpen;
  const names = () => (model.state.cluster.status === 'ok' ? model.state.cluster.environments.map((e) => e.namespace) : []);
  assert.ok(!names().includes('team-b'));
  nsEvents[0]!({ type: 'ADDED', object: ns('team-b', 'baseline') });
  assert.ok(names().includes('team-b'), names().join(', '));
  nsEvents[0]!({ type: 'DELETED', object: ns('team-b', 'baseline') });
  assert.ok(!names().includes('team-b'));
  stores.dispose();
  model.dispose();
});
