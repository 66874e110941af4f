// Slice lifecycle on the real cluster: TTL expiry, the per-owner limit, failures explained in
// words (missing image, Pod Security violation, quota), and the controller surviving its own
// restart in the middle of a reconcile without leaving orphans.
import { after, before, describe, test } from 'node:test';
import * as assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import * as k8s from '@kubernetes/client-node';
import { eventually } from '../smoke/helpers';
import { admin, alice, bob, cleanup, createBaseline, createSlice, deleteSlice, forkPod, getSlice, sliceBody, waitForPhase, waitGone } from './sliceFixture';

const id = randomBytes(3).toString('hex');
const baseline = `slice-test-baseline-${id}`;
const created: string[] = [];

async function make(kc: k8s.KubeConfig, owner: string, name: string, forks: { workload: string }[], extra = {}): Promise<string> {
  await createSlice(kc, sliceBody(owner, name, baseline, forks, extra));
  created.push(`${owner}-${name}`);
  return `${owner}-${name}`;
}

void describe('slices: lifecycle', { timeout: 420_000 }, () => {
  before(async () => {
    await createBaseline(baseline, [
      { name: 'missing', image: 'localhost/slice/does-not-exist:1' },
      { name: 'escalating', container: { securityContext: { allowPrivilegeEscalation: true, capabilities: { drop: ['ALL'] } } } },
    ]);
  });
  after(async () => cleanup(created, baseline));

  void test('an expired slice disappears with its namespace', async () => {
    const name = await make(bob, 'bob', `ttl${id}`, [], { ttl: '15s' });
    const s = await waitForPhase(name, ['Ready']);
    assert.ok(Date.parse(s.spec.expiresAt!) - Date.now() < 16_000);
    await waitGone(name, `slice-${name}`, 90_000);
  });

  void test('failures are explained: missing image, Pod Security violation by container and field, quota exceeded', async () => {
    const name = await make(bob, 'bob', `bad${id}`, [{ workload: 'missing' }, { workload: 'escalating' }]);
    const quota = await make(bob, 'bob', `small${id}`, [{ workload: 'web' }], { resources: { memory: '100Mi' } });
    const failed = await eventually('both forks to fail with reasons', async () => {
      const s = await getSlice(name);
      const msgs = Object.fromEntries((s?.status?.forks ?? []).map((f) => [f.workload, f.message ?? '']));
      return /^image missing: "localhost\/slice\/does-not-exist:1" of container "(missing|slice-seed)"/.test(msgs.missing ?? '') && /^Pod Security "restricted" rejects the pod: container "escalating" must set securityContext.allowPrivilegeEscalation=false/.test(msgs.escalating ?? '') ? s : undefined;
    }, 90_000);
    assert.equal(failed.status?.phase, 'Failed');
    const ready = failed.status?.conditions?.find((c) => c.type === 'Ready');
    assert.equal(ready?.status, 'False');
    assert.equal(ready?.reason, 'ForkFailed');
    const q = await eventually('the quota failure', async () => {
      const s = await getSlice(quota);
      return /^quota exceeded: the pod asks for .*limits.memory=\d+Mi/.test(s?.status?.forks?.[0]?.message ?? '') ? s : undefined;
    }, 60_000);
    assert.match(q.status?.conditions?.find((c) => c.type === 'ForksReady')?.message ?? '', /slice quota \(slice-quota\) allows .*limits.memory=100Mi/);
    await Promise.all([deleteSlice(name), deleteSlice(quota)]);
  });

  void test('the per-owner limit refuses a fourth slice in words, without a namespace', async () => {
    const names: string[] = [];
    const existing = ((await admin.makeApiClient(k8s.CustomObjectsApi).listClusterCustomObject({ group: 'slice.dev', version: 'v1alpha1', plural: 'slices' })) as { items: { spec: { owner: string } }[] }).items.filter((x) => x.spec.owner === 'alice').length;
    assert.ok(existing < 3, `alice already has ${existing} slices before the test`);
    for (let i = 1 + existing; i <= 3; i++) names.push(await make(alice, 'alice', `lim${i}${id}`, []));
    await Promise.all(names.map((n) => waitForPhase(n, ['Ready'])));
    const fourth = await make(alice, 'alice', `lim4${id}`, []);
    const s = await waitForPhase(fourth, ['Failed']);
    const ready = s.status?.conditions?.find((c) => c.type === 'Ready');
    assert.equal(ready?.reason, 'SliceLimitExceeded');
    assert.equal(ready?.message, 'alice already has 3 slices (the limit is 3): delete one first');
    await assert.rejects(admin.makeApiClient(k8s.CoreV1Api).readNamespace({ name: `slice-${fourth}` }));
    // freeing a place admits it
    await deleteSlice(names[0]!);
    await waitForPhase(fourth, ['Ready'], 60_000);
    await Promise.all([...names, fourth].map((n) => deleteSlice(n)));
  });

  void test('the controller survives its own restart mid-reconcile, without orphans or duplicates', async () => {
    const core = admin.makeApiClient(k8s.CoreV1Api);
    const apps = admin.makeApiClient(k8s.AppsV1Api);
    const name = await make(alice, 'alice', `restart${id}`, [{ workload: 'web' }]);
    // as soon as the namespace exists the controller is mid-reconcile: kill it without grace
    await eventually('the slice namespace', async () => core.readNamespace({ name: `slice-${name}` }).then(() => true), 30_000, 100);
    const pods = await core.listNamespacedPod({ namespace: 'slice-system', labelSelector: 'app.kubernetes.io/name=slice-controller' });
    await Promise.all(pods.items.map((p) => core.deleteNamespacedPod({ name: p.metadata!.name!, namespace: 'slice-system', gracePeriodSeconds: 0 })));
    // a Slice deleted while no controller runs must still be cleaned up (finalizer + sweeper)
    const gone = await make(alice, 'alice', `gone${id}`, []);
    await deleteSlice(gone);
    await waitForPhase(name, ['Ready'], 150_000);
    await waitGone(gone, `slice-${gone}`, 90_000);
    const deps = await apps.listNamespacedDeployment({ namespace: `slice-${name}` });
    assert.deepEqual(deps.items.map((d) => d.metadata?.name), ['web']);
    const running = (await core.listNamespacedPod({ namespace: `slice-${name}` })).items.filter((p) => !p.metadata?.deletionTimestamp);
    assert.equal(running.length, 1);
    await forkPod(`slice-${name}`);
    await deleteSlice(name);
    await waitGone(name, `slice-${name}`);
    const orphans = await core.listNamespace({ labelSelector: `slice.dev/slice-object in (${name},${gone})` });
    assert.deepEqual(orphans.items.map((n) => n.metadata?.name), []);
  });
});
