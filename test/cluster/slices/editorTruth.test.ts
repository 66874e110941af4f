// Issue 20 (the editor tells the truth), on the real cluster as alice and bob:
// - the platform's limits are readable by developers (and only readable), through the extension's adapter;
// - Extend TTL reports the expiry the server granted, read back through the identity's watch;
// - a slice over the per-developer limit is refused by the platform and removed by the create path;
// - Verify Isolation runs both cross-tenant checks against the platform's isolation probe when no other
//   developer has a slice (before: both skipped);
// - the sample's slice.yaml keeps the fork's orders across a restart (a save restarts the service).
import { after, before, describe, test } from 'node:test';
import * as assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import * as k8s from '@kubernetes/client-node';
import { eventually, execIn, statusCode } from '../smoke/helpers';
import { admin, alice, bob, cleanup, createBaseline, createSlice, deleteSlice, forkPod, getSlice, sliceBody, waitForPhase, waitGone } from './sliceFixture';
import { KubeClients } from '../../../src/platform/kube/kubeClients';
import { PlatformLimitsClient } from '../../../src/platform/kube/platformLimitsClient';
import { SliceClient } from '../../../src/platform/kube/sliceClient';
import { SliceWatchSource } from '../../../src/platform/kube/sliceWatchSource';
import { SliceStore } from '../../../src/app/slices/sliceStore';
import { SliceLifecycle } from '../../../src/app/slices/sliceLifecycle';
import { type KubeContext } from '../../../src/core/cluster/environments';
import { ISOLATION_PROBE_NAMESPACE, formatReport } from '../../../src/core/slice/isolation';
import { parseWorkspaceConfig, toForkSpecs } from '../../../src/core/slice/workspaceConfig';
import { runIsolationChecks } from '../../../src/platform/isolation/runner';
import { nullLogger } from '../../../src/core/base/logger';

const ROOT = join(__dirname, '..', '..', '..', '..');
const id = randomBytes(3).toString('hex');
const baseline = `slice-test-baseline-truth-${id}`;

function contextOf(kc: k8s.KubeConfig): KubeContext {
  const c = kc.getContextObject(kc.getCurrentContext())!;
  return { name: c.name, cluster: c.cluster, user: c.user, server: kc.getCurrentCluster()?.server };
}
function adapters(kc: k8s.KubeConfig) {
  const clients = new KubeClients(() => kc, () => 15_000);
  return { clients, context: contextOf(kc), slices: new SliceClient(clients), limits: new PlatformLimitsClient(clients) };
}
const owned: { dispose(): void }[] = [];

async function refusedCode(fn: () => Promise<unknown>): Promise<number | undefined> {
  try {
    await fn();
    return undefined;
  } catch (e) {
    return statusCode(e);
  }
}

void describe('the editor tells the truth (issue 20) on the cluster', { timeout: 900_000 }, () => {
  const created: string[] = [];
  before(async () => {
    // what is left of earlier runs of this file
    for (const who of ['alice', 'bob']) for (const n of ['t1', 't2', 't3', 't4']) await deleteSlice(`${who}-${n}${id}`).catch(() => undefined);
    await createBaseline(baseline);
  });
  after(async () => {
    for (const d of owned.splice(0)) d.dispose();
    await cleanup(created, baseline);
  });

  void test('the platform limits are readable by a developer through the editor adapter, and not changeable', async () => {
    const { context, limits } = adapters(alice);
    const l = await limits.read(context);
    assert.equal(l.maxTtlMs, 24 * 3600_000);
    assert.equal(l.maxSlicesPerOwner, 3);
    assert.equal(l.maxQuota.cpu, '4');
    const core = alice.makeApiClient(k8s.CoreV1Api);
    assert.equal(await refusedCode(() => core.patchNamespacedConfigMap({ name: 'slice-controller-config', namespace: 'slice-system', body: { data: { maxTTL: '720h' } } }, k8s.setHeaderOptions('Content-Type', k8s.PatchStrategy.MergePatch))), 403);
    assert.equal(await refusedCode(() => core.deleteNamespacedConfigMap({ name: 'slice-controller-config', namespace: 'slice-system' })), 403);
    assert.equal(await refusedCode(() => core.listNamespacedConfigMap({ namespace: 'slice-system' })), 403);
    assert.equal(await refusedCode(() => core.readNamespacedSecret({ name: 'slice-postgres-admin', namespace: 'slice-system' })), 403);
    assert.equal(await refusedCode(() => core.replaceNamespacedConfigMap({ name: 'slice-controller-config', namespace: 'slice-system', body: { metadata: { name: 'slice-controller-config' }, data: {} } })), 403);
  });

  void test('Extend TTL +48h reports what the server granted (24h from now), read back through the watch', async () => {
    const name = `alice-t1${id}`;
    created.push(name);
    await createSlice(alice, sliceBody('alice', `t1${id}`, baseline, [{ workload: 'web' }], { ttl: '1h' }));
    const ready = await waitForPhase(name, ['Ready']);
    const { context, slices, limits, clients } = adapters(alice);
    const store = new SliceStore({ context: context.name, user: 'alice' }, new SliceWatchSource(clients, context), nullLogger);
    owned.push(store);
    const lifecycle = new SliceLifecycle(slices, limits, () => store, () => undefined);
    const before = Date.now();
    const r = await lifecycle.extend(context, ready, 48, Date.now(), { signal: AbortSignal.timeout(60_000) });
    const granted = r.expiresAt.getTime() - before;
    assert.ok(granted <= 24 * 3600_000 + 5000 && granted > 23 * 3600_000, `granted ${granted} ms`);
    assert.ok(r.askedFor.getTime() - before > 40 * 3600_000);
    assert.match(r.note ?? '', /cap is 24h/);
    // and the object says the same
    const now = await getSlice(name);
    assert.equal(Date.parse(now!.status!.expiresAt!), r.expiresAt.getTime());
  });

  void test('a slice over the per-developer limit is refused by the platform and removed by the create path', async () => {
    const { context, slices, limits } = adapters(bob);
    const lifecycle = new SliceLifecycle(slices, limits, () => undefined, () => undefined); // no watch: the platform must refuse
    const l = await limits.read(context);
    const mineBefore = (await slices.list(context)).filter((s) => s.spec.owner === 'bob' && !s.metadata.deletionTimestamp).length;
    // fill bob's allowance (other suites may hold some of his slices), then ask for one more
    const names = ['t1', 't2', 't3'].slice(0, Math.max(0, l.maxSlicesPerOwner - mineBefore)).map((n) => `bob-${n}${id}`);
    created.push(...names, `bob-t4${id}`);
    for (const n of names) await createSlice(bob, sliceBody('bob', n.replace('bob-', ''), baseline, [], { ttl: '1h' }));
    await Promise.all(names.map((n) => waitForPhase(n, ['Ready'])));
    await assert.rejects(
      () => lifecycle.create(context, `bob-t4${id}`, { owner: 'bob', baseline, forks: [], ttl: '1h' }, { signal: AbortSignal.timeout(60_000) }),
      (e: Error) => /refused slice bob-t4.*limit is 3.*removed/s.test(e.message) && !/Unexpected/.test(e.message),
    );
    await eventually('the refused slice to be gone', async () => (await getSlice(`bob-t4${id}`)) === undefined, 30_000);
    for (const n of names) await deleteSlice(n);
    await Promise.all(names.map((n) => waitGone(n, `slice-${n}`)));
  });

  void test('Verify Isolation runs both cross-tenant checks with no other developer slice: against the platform probe', async () => {
    const name = `alice-t1${id}`;
    const others = (await alice.makeApiClient(k8s.CustomObjectsApi).listClusterCustomObject({ group: 'slice.dev', version: 'v1alpha1', plural: 'slices' })) as { items: { spec: { owner: string } }[] };
    const report = await runIsolationChecks(alice, { namespace: `slice-${name}` });
    console.log(formatReport(report));
    const byId = new Map(report.results.map((r) => [r.id, r]));
    for (const id of ['other-tenant-access', 'cross-slice-network']) {
      assert.equal(byId.get(id)?.status, 'pass', `${id}: ${byId.get(id)?.message} (other owners' slices: ${others.items.filter((s) => s.spec.owner !== 'alice').length})`);
      assert.match(byId.get(id)!.message, new RegExp(ISOLATION_PROBE_NAMESPACE));
    }
    // the probe is a real boundary: admin (not the slice) reaches it, so a refused connection means the policy
    const probe = await eventually('the probe pod', async () => (await admin.makeApiClient(k8s.CoreV1Api).listNamespacedPod({ namespace: ISOLATION_PROBE_NAMESPACE, labelSelector: 'app=probe' })).items.find((p) => p.status?.phase === 'Running'), 60_000);
    assert.ok(probe.status?.podIP);
  });

  void test("the sample's slice.yaml keeps the fork's orders when the service restarts (a save)", async () => {
    execFileSync('bash', ['scripts/sample-deploy.sh'], { cwd: ROOT, stdio: ['ignore', 'inherit', 'inherit'], timeout: 600_000 });
    const parsed = parseWorkspaceConfig(readFileSync(join(ROOT, 'sample/shop/slice.yaml'), 'utf8'));
    assert.ok(parsed.ok, JSON.stringify(parsed));
    const forks = toForkSpecs(parsed.config);
    assert.ok(forks.find((f) => f.workload === 'orders')?.data?.postgres, 'the sample forks orders with its data branch');
    const name = `alice-t2${id}`;
    created.push(name);
    await createSlice(alice, sliceBody('alice', `t2${id}`, parsed.config.baseline, forks, { ttl: '1h' }));
    await waitForPhase(name, ['Ready'], 240_000);
    const ns = `slice-${name}`;
    const ask = async (pod: string, method: string, path: string, body?: unknown): Promise<{ status: number; body: string }> => {
      const script = "const [m,p,b]=process.argv.slice(1);const q=require('http').request('http://127.0.0.1:8080'+p,{method:m,headers:{'content-type':'application/json'}},(r)=>{let t='';r.on('data',(c)=>t+=c);r.on('end',()=>{process.stdout.write(JSON.stringify({status:r.statusCode,body:t}))})});q.on('error',(e)=>{console.error(e.message);process.exit(3)});q.end(b||undefined)";
      const r = await execIn(alice, ns, pod, 'app', ['node', '-e', script, method, path, body === undefined ? '' : JSON.stringify(body)]);
      if (r.status !== 'Success') throw new Error(`${method} ${path}: ${r.message} ${r.stderr}`);
      return JSON.parse(r.stdout) as { status: number; body: string };
    };
    const first = await forkPod(ns, 'orders');
    const createdOrder = await eventually('an order in the fork', async () => {
      const r = await ask(first.metadata!.name!, 'POST', '/orders', { sku: 'mug', qty: 1 });
      return r.status < 300 ? r : undefined;
    }, 60_000);
    const orderId = (JSON.parse(createdOrder.body) as { id?: string | number }).id;
    assert.ok(orderId !== undefined, createdOrder.body);
    // A save restarts the service; the pod going is the same loss of memory, and then some.
    await admin.makeApiClient(k8s.CoreV1Api).deleteNamespacedPod({ name: first.metadata!.name!, namespace: ns });
    const second = await eventually('a new orders pod', async () => {
      const p = await forkPod(ns, 'orders');
      return p.metadata?.name !== first.metadata?.name ? p : undefined;
    }, 120_000);
    const read = await ask(second.metadata!.name!, 'GET', `/orders/${String(orderId)}`);
    assert.equal(read.status, 200, `the order ${String(orderId)} after a restart: ${read.status} ${read.body}`);
  });
});
