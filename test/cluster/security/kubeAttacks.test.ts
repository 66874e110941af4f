// Red team, Kubernetes (issue 17): alice tries to lift her pods above everyone's, to make the slice
// controller write outside slice namespaces, and to take bob's names with a username that slugs like
// his. The RBAC, network and Pod Security attacks are in ../slices/isolation.test.ts (same tier).
import { after, before, describe, test } from 'node:test';
import * as assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import * as path from 'node:path';
import { promisify } from 'node:util';
import * as k8s from '@kubernetes/client-node';
import { clusterDir, eventually, restrictedContainer, restrictedPod, statusCode } from '../smoke/helpers';
import { admin, alice, cleanup, createBaseline, createSlice, getSlice, nodeImage, serverCommand, sliceBody, waitForPhase } from '../slices/sliceFixture';

const run = promisify(execFile);
const kubectl = path.join(clusterDir, 'bin/kubectl');
const id = randomBytes(3).toString('hex');
const baseline = `rt-kbase-${id}`;
const aliceSlice = `alice-rtk${id}`;
const aliceNs = `slice-${aliceSlice}`;
const created: string[] = [aliceSlice];

/** kubectl as someone else (admin impersonating), stdin as the object; resolves to the error text or '' when allowed. */
async function as(user: string, groups: string[], args: string[], input?: string): Promise<string> {
  const p = run(kubectl, ['--kubeconfig', path.join(clusterDir, 'kubeconfig/admin.kubeconfig'), `--as=${user}`, ...groups.map((g) => `--as-group=${g}`), ...args]);
  if (input !== undefined) p.child.stdin?.end(input);
  try {
    await p;
    return '';
  } catch (e) {
    return String((e as { stderr?: string }).stderr ?? e);
  }
}

void describe('red team: Kubernetes (alice against the platform and bob)', { timeout: 480_000 }, () => {
  before(async () => {
    // the baseline's web runs at a priority class: the fork must not inherit it
    await admin.makeApiClient(k8s.SchedulingV1Api).createPriorityClass({ body: { metadata: { name: `rt-high-${id}` }, value: 100_000 } });
    await createBaseline(baseline);
    await admin.makeApiClient(k8s.AppsV1Api).patchNamespacedDeployment({ name: 'web', namespace: baseline, body: [{ op: 'add', path: '/spec/template/spec/priorityClassName', value: `rt-high-${id}` }] });
    await createSlice(alice, sliceBody('alice', `rtk${id}`, baseline, [{ workload: 'web' }], { ttl: '1h' }));
    await waitForPhase(aliceSlice, ['Ready'], 180_000);
  });
  after(async () => {
    await cleanup(created, baseline);
    await admin.makeApiClient(k8s.SchedulingV1Api).deletePriorityClass({ name: `rt-high-${id}` }).catch(() => undefined);
  });

  void test('finding 4: no pod in a slice namespace names a priority class, system-node-critical included; the fork drops the baseline\'s', async () => {
    const core = alice.makeApiClient(k8s.CoreV1Api);
    for (const pc of ['system-node-critical', 'system-cluster-critical', `rt-high-${id}`]) {
      const err = await core.createNamespacedPod({
        namespace: aliceNs,
        body: { metadata: { name: `rt-prio-${pc.slice(0, 20)}` }, spec: { priorityClassName: pc, securityContext: restrictedPod, containers: [{ name: 'c', image: nodeImage, command: serverCommand, securityContext: restrictedContainer }] } },
      }).then(() => undefined, (e: unknown) => e);
      assert.equal(statusCode(err), 403, `${pc}: ${String(err).slice(0, 200)}`);
      assert.match(String((err as { body?: unknown }).body), /run at the default priority/);
    }
    const pods = await admin.makeApiClient(k8s.CoreV1Api).listNamespacedPod({ namespace: aliceNs, labelSelector: 'slice.dev/fork=web' });
    assert.ok(pods.items.length > 0);
    for (const p of pods.items) {
      assert.equal(p.spec?.priorityClassName, undefined);
      assert.ok((p.spec?.priority ?? 0) < 100_000, `fork pod priority ${p.spec?.priority}`);
    }
  });

  void test('finding 4: patching her fork to a system priority class gets no pod at that priority', async () => {
    const apps = alice.makeApiClient(k8s.AppsV1Api);
    await apps.patchNamespacedDeployment({ name: 'web', namespace: aliceNs, body: [{ op: 'add', path: '/spec/template/spec/priorityClassName', value: 'system-node-critical' }] });
    await eventually('the ReplicaSet to be refused', async () => {
      const ev = await admin.makeApiClient(k8s.CoreV1Api).listNamespacedEvent({ namespace: aliceNs });
      return ev.items.some((e) => e.reason === 'FailedCreate' && /default priority/.test(e.message ?? ''));
    }, 60_000);
    const pods = await admin.makeApiClient(k8s.CoreV1Api).listNamespacedPod({ namespace: aliceNs });
    assert.ok(pods.items.every((p) => p.spec?.priorityClassName !== 'system-node-critical'));
  });

  void test('the quota\'s room for a replacement pod is no extra capacity: a fork cannot be scaled past one replica', async () => {
    const err = await as('alice', ['slice:developers', 'system:authenticated'], ['-n', aliceNs, 'scale', 'deployment/web', '--replicas=2']);
    assert.match(err, /a fork runs one pod \(or none\)/);
    const patched = await alice.makeApiClient(k8s.AppsV1Api).patchNamespacedDeployment({ name: 'web', namespace: aliceNs, body: [{ op: 'replace', path: '/spec/replicas', value: 3 }] }).then(() => undefined, (e: unknown) => e);
    assert.equal(statusCode(patched), 403);
  });

  void test("finding 5: the controller's rights cannot relabel a baseline namespace into a slice one (the old labels are judged too)", async () => {
    const sa = 'system:serviceaccount:slice-system:slice-controller';
    const err = await as(sa, ['system:serviceaccounts', 'system:serviceaccounts:slice-system', 'system:authenticated'], ['label', 'namespace', baseline, 'slice.dev/role=slice', '--overwrite']);
    assert.match(err, /only writes inside slice namespaces/);
    const ns = await admin.makeApiClient(k8s.CoreV1Api).readNamespace({ name: baseline });
    assert.equal(ns.metadata?.labels?.['slice.dev/role'], 'baseline');
  });

  void test('finding 5: a username that slugs like bob\'s (Bob@x) cannot take bob\'s names', async () => {
    const name = `bob-rtk${id}`;
    const body = JSON.stringify({ ...sliceBody('Bob@x', `rtk${id}`, baseline, [{ workload: 'web' }]), metadata: { name } });
    created.push(name);
    const err = await as('Bob@x', ['slice:developers', 'system:authenticated'], ['create', '-f', '-'], body);
    assert.equal(err, '', 'the Slice object itself may be created');
    const s = await eventually(`${name} refused`, async () => {
      const x = await getSlice(name);
      if (x?.status?.phase === 'Failed') return x;
      throw new Error(`phase ${x?.status?.phase}`);
    }, 60_000);
    assert.match(s.status?.conditions?.find((c) => c.type === 'Ready')?.message ?? '', /must be "bob--[0-9a-f]{12}-<name>" for owner Bob@x/);
    await assert.rejects(admin.makeApiClient(k8s.CoreV1Api).readNamespace({ name: `slice-${name}` }), (e: unknown) => statusCode(e) === 404);
  });
});
