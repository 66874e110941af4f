// Slices as alice and bob on the real cluster: provisioning, tenant isolation in both directions
// (RBAC, admission policies, network), Extend TTL rules, Verify Isolation, and idempotency.
import { after, before, describe, test } from 'node:test';
import * as assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import * as k8s from '@kubernetes/client-node';
import { eventually, execIn, sleep, statusCode } from '../smoke/helpers';
import { admin, alice, bob, cleanup, createBaseline, createSlice, forkPod, getSlice, patchSlice, sliceBody, waitForPhase } from './sliceFixture';
import { runIsolationChecks } from '../../../src/platform/isolation/runner';
import { formatReport } from '../../../src/core/slice/isolation';

const id = randomBytes(3).toString('hex');
const baseline = `slice-test-baseline-${id}`;
const aliceSlice = `alice-iso${id}`;
const bobSlice = `bob-iso${id}`;
const aliceNs = `slice-${aliceSlice}`;
const bobNs = `slice-${bobSlice}`;
const users = { alice: { kc: alice, ns: aliceNs, slice: aliceSlice }, bob: { kc: bob, ns: bobNs, slice: bobSlice } };

async function refused(what: string, fn: () => Promise<unknown>, codes = [403]): Promise<string> {
  try {
    await fn();
  } catch (e) {
    const code = statusCode(e);
    assert.ok(code !== undefined && codes.includes(code), `${what}: expected ${codes.join('/')}, got ${code}: ${String(e).slice(0, 300)}`);
    const body = (e as { body?: unknown }).body;
    let parsed: unknown = body;
    try {
      if (typeof body === 'string') parsed = JSON.parse(body);
    } catch {
      parsed = body;
    }
    const message = (parsed as { message?: unknown } | undefined)?.message;
    return typeof message === 'string' ? message : String(body ?? e);
  }
  assert.fail(`${what} was allowed`);
}

const CONNECT = "const s=require('net').connect({host:process.argv[1],port:+process.argv[2]});setTimeout(()=>{console.log('timeout');process.exit(0)},2500);s.on('connect',()=>{console.log('connected');process.exit(0)});s.on('error',e=>{console.log('error '+e.code);process.exit(0)})";
async function connect(ns: string, pod: string, host: string, port: number): Promise<string> {
  const r = await execIn(admin, ns, pod, 'slice-agent', ['node', '-e', CONNECT, host, String(port)]);
  return r.stdout.trim();
}

void describe('slices: isolation between alice and bob', { timeout: 480_000 }, () => {
  before(async () => {
    await createBaseline(baseline);
    await Promise.all([
      createSlice(alice, sliceBody('alice', `iso${id}`, baseline, [{ workload: 'web' }], { ttl: '1h' })),
      createSlice(bob, sliceBody('bob', `iso${id}`, baseline, [{ workload: 'web' }], { ttl: '1h' })),
    ]);
    await Promise.all([waitForPhase(aliceSlice, ['Ready']), waitForPhase(bobSlice, ['Ready'])]);
  });
  after(async () => cleanup([aliceSlice, bobSlice], baseline));

  void test('a slice provisions to Ready with its labels, guard rails, token and the forked workload', async () => {
    const s = (await getSlice(aliceSlice))!;
    assert.equal(s.status?.namespace, aliceNs);
    assert.deepEqual(s.status?.conditions?.map((c) => [c.type, c.status]), [['NamespaceReady', 'True'], ['PoliciesReady', 'True'], ['ForksReady', 'True'], ['Ready', 'True']]);
    assert.ok(s.spec.expiresAt && Math.abs(Date.parse(s.spec.expiresAt) - Date.parse(String(s.metadata.creationTimestamp)) - 3600_000) < 5000);
    assert.ok(s.metadata.finalizers?.includes('slice.dev/cleanup'));
    const core = admin.makeApiClient(k8s.CoreV1Api);
    const ns = await core.readNamespace({ name: aliceNs });
    const l = ns.metadata?.labels ?? {};
    assert.equal(l['slice.dev/role'], 'slice');
    assert.equal(l['slice.dev/owner'], 'alice');
    assert.equal(l['slice.dev/slice'], `iso${id}`);
    assert.equal(l['slice.dev/baseline'], baseline);
    assert.equal(l['slice.dev/expires'], String(Date.parse(s.spec.expiresAt) / 1000));
    assert.equal(ns.metadata?.annotations?.['slice.dev/expires-at'], s.spec.expiresAt);
    assert.equal(l['pod-security.kubernetes.io/enforce'], 'restricted');
    const secret = await core.readNamespacedSecret({ name: 'slice-agent-token', namespace: aliceNs });
    assert.match(Buffer.from(secret.data?.token ?? '', 'base64').toString(), /^[0-9a-f]{64}$/);
    const pod = await forkPod(aliceNs);
    assert.deepEqual(pod.spec?.containers.map((c) => c.name), ['web', 'slice-agent']);
    assert.deepEqual(pod.spec?.initContainers?.map((c) => c.name), ['slice-seed']);
    const health = await execIn(admin, aliceNs, pod.metadata!.name!, 'slice-agent', ['node', '-e', "require('http').get('http://127.0.0.1:7777/healthz',r=>{console.log(r.statusCode);process.exit(0)})"]);
    assert.equal(health.stdout.trim(), '200');
    const fork = s.status?.forks?.[0];
    assert.deepEqual([fork?.workload, fork?.ready, fork?.service, fork?.ports], ['web', true, 'web', [80]]);
  });

  for (const [me, other] of [['alice', 'bob'], ['bob', 'alice']] as const) {
    void test(`${me} cannot get/list/watch/create/delete, exec, port-forward, read logs or secrets in ${other}'s slice`, async () => {
      const kc = users[me].kc;
      const ns = users[other].ns;
      const core = kc.makeApiClient(k8s.CoreV1Api);
      const apps = kc.makeApiClient(k8s.AppsV1Api);
      const pod = (await forkPod(ns)).metadata!.name!;
      await refused('get pod', () => core.readNamespacedPod({ name: pod, namespace: ns }));
      await refused('list pods', () => core.listNamespacedPod({ namespace: ns }));
      await refused('list deployments', () => apps.listNamespacedDeployment({ namespace: ns }));
      await refused('get secret', () => core.readNamespacedSecret({ name: 'slice-agent-token', namespace: ns }));
      await refused('list secrets', () => core.listNamespacedSecret({ namespace: ns }));
      await refused('read logs', () => core.readNamespacedPodLog({ name: pod, namespace: ns, container: 'web' }));
      await refused('create pod', () => core.createNamespacedPod({ namespace: ns, body: { metadata: { name: 'intruder' }, spec: { containers: [{ name: 'x', image: 'x' }] } } }));
      await refused('delete pod', () => core.deleteNamespacedPod({ name: pod, namespace: ns }));
      await refused('patch deployment', () => apps.patchNamespacedDeployment({ name: 'web', namespace: ns, body: [{ op: 'replace', path: '/spec/replicas', value: 0 }] }));
      const watchErr = await new Promise<unknown>((resolve) => {
        void new k8s.Watch(kc).watch(`/api/v1/namespaces/${ns}/pods`, {}, () => resolve('event'), (err) => resolve(err ?? 'closed')).catch((e: unknown) => resolve(e));
      });
      assert.match(String((watchErr as { statusCode?: number; code?: number })?.statusCode ?? (watchErr as { code?: number })?.code ?? watchErr), /403|Forbidden/);
      await assert.rejects(execIn(kc, ns, pod, 'web', ['true']));
      const authz = kc.makeApiClient(k8s.AuthorizationV1Api);
      for (const sub of ['exec', 'portforward', 'attach']) {
        const r = await authz.createSelfSubjectAccessReview({ body: { spec: { resourceAttributes: { verb: 'create', resource: 'pods', subresource: sub, namespace: ns } } } });
        assert.equal(r.status?.allowed, false, `${me} may create pods/${sub} in ${ns}`);
      }
      // and the owner can in their own slice
      const own = await authz.createSelfSubjectAccessReview({ body: { spec: { resourceAttributes: { verb: 'create', resource: 'pods', subresource: 'portforward', namespace: users[me].ns } } } });
      assert.equal(own.status?.allowed, true);
      const ownExec = await execIn(kc, users[me].ns, (await forkPod(users[me].ns)).metadata!.name!, 'web', ['true']);
      assert.equal(ownExec.status, 'Success');
    });

    void test(`${me} cannot create, change or delete a Slice of ${other}`, async () => {
      const kc = users[me].kc;
      const msg = await refused('create a Slice owned by the other', () => createSlice(kc, sliceBody(other, `steal${id}`, baseline, [])));
      assert.match(msg, new RegExp(`you \\(${me}\\) can only create Slices with spec.owner: ${me}`));
      const squat = await refused('create a Slice named for the other', () => createSlice(kc, { ...sliceBody(me, `x${id}`, baseline, []), metadata: { name: `${other}-squat${id}` } }));
      assert.match(squat, new RegExp(`must be named ${me}-<name>`));
      const change = await refused('patch the other\'s Slice', () => patchSlice(kc, users[other].slice, [{ op: 'add', path: '/spec/forks', value: [] }]));
      assert.match(change, new RegExp(`this Slice belongs to ${other}: only its owner may change or delete it`));
      await refused('delete the other\'s Slice', () => kc.makeApiClient(k8s.CustomObjectsApi).deleteClusterCustomObject({ group: 'slice.dev', version: 'v1alpha1', plural: 'slices', name: users[other].slice }));
    });

    void test(`${me} cannot widen the quota, limits, network policies or role bindings of their own slice`, async () => {
      const { kc, ns } = users[me];
      const core = kc.makeApiClient(k8s.CoreV1Api);
      const net = kc.makeApiClient(k8s.NetworkingV1Api);
      const rbac = kc.makeApiClient(k8s.RbacAuthorizationV1Api);
      await refused('patch quota', () => core.patchNamespacedResourceQuota({ name: 'slice-quota', namespace: ns, body: [{ op: 'replace', path: '/spec/hard/pods', value: '1000' }] }));
      await refused('delete limit range', () => core.deleteNamespacedLimitRange({ name: 'slice-limits', namespace: ns }));
      await refused('allow-all network policy', () => net.createNamespacedNetworkPolicy({ namespace: ns, body: { metadata: { name: 'allow-all' }, spec: { podSelector: {}, ingress: [{}], egress: [{}] } } }));
      await refused('delete default deny', () => net.deleteNamespacedNetworkPolicy({ name: 'slice-default-deny', namespace: ns }));
      await refused('bind admin', () => rbac.createNamespacedRoleBinding({ namespace: ns, body: { metadata: { name: 'me-admin' }, roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'admin' }, subjects: [{ apiGroup: 'rbac.authorization.k8s.io', kind: 'User', name: me }] } }));
      await refused('relabel namespace', () => core.patchNamespace({ name: ns, body: [{ op: 'add', path: '/metadata/labels/pod-security.kubernetes.io~1enforce', value: 'privileged' }] }));
      // the quota is still what the controller set
      const q = await admin.makeApiClient(k8s.CoreV1Api).readNamespacedResourceQuota({ name: 'slice-quota', namespace: ns });
      assert.equal(q.spec?.hard?.pods, '10');
    });

    void test(`network: ${me}'s fork reaches its own slice and the baseline, never ${other}'s slice`, async () => {
      const { ns } = users[me];
      const pod = (await forkPod(ns)).metadata!.name!;
      const otherPod = await forkPod(users[other].ns);
      assert.equal(await connect(ns, pod, `web.${ns}.svc.cluster.local`, 80), 'connected');
      assert.equal(await connect(ns, pod, `web.${baseline}.svc.cluster.local`, 80), 'connected');
      assert.notEqual(await connect(ns, pod, `web.${users[other].ns}.svc.cluster.local`, 80), 'connected');
      assert.notEqual(await connect(ns, pod, otherPod.status!.podIP!, 8080), 'connected');
      assert.notEqual(await connect(ns, pod, otherPod.status!.podIP!, 7777), 'connected');
    });
  }

  void test('Extend TTL: the owner moves expiresAt forward; backward is refused; beyond the maximum is clamped', async () => {
    const s = (await getSlice(aliceSlice))!;
    const later = new Date(Date.parse(s.spec.expiresAt!) + 3600_000).toISOString().replace(/\.\d+Z$/, 'Z');
    const extended = await patchSlice(alice, aliceSlice, [{ op: 'replace', path: '/spec/expiresAt', value: later }]);
    assert.equal(extended.spec.expiresAt, later);
    const back = await refused('move expiresAt back', () => patchSlice(alice, aliceSlice, [{ op: 'replace', path: '/spec/expiresAt', value: s.spec.expiresAt }]), [403, 422]);
    assert.match(back, /can only move forward/);
    const far = new Date(Date.now() + 30 * 86400_000).toISOString().replace(/\.\d+Z$/, 'Z');
    await patchSlice(alice, aliceSlice, [{ op: 'replace', path: '/spec/expiresAt', value: far }]);
    const clamped = await eventually('the controller to clamp expiresAt', async () => {
      const c = await getSlice(aliceSlice);
      return c?.spec.expiresAt !== far && c?.status?.expiresAt === c?.spec.expiresAt ? c : undefined;
    }, 30_000);
    assert.ok(Date.parse(clamped.spec.expiresAt!) <= Date.now() + 24 * 3600_000 + 5000, clamped.spec.expiresAt);
    const ns = await admin.makeApiClient(k8s.CoreV1Api).readNamespace({ name: aliceNs });
    await eventually('the namespace expiry labels to follow', async () => {
      const n = await admin.makeApiClient(k8s.CoreV1Api).readNamespace({ name: aliceNs });
      return n.metadata?.annotations?.['slice.dev/expires-at'] === clamped.spec.expiresAt;
    }, 20_000);
    assert.ok(ns);
  });

  for (const who of ['alice', 'bob'] as const) {
    void test(`Verify Isolation passes for ${who} (every check, including the network)`, async () => {
      const report = await runIsolationChecks(users[who].kc, { namespace: users[who].ns });
      console.log(formatReport(report));
      assert.equal(report.user, who);
      assert.ok(report.ok, formatReport(report));
      assert.equal(report.skipped, 0, formatReport(report));
      assert.ok(report.results.length >= 16);
    });
  }

  void test('re-applying a slice changes nothing (resourceVersions unchanged after a reconcile)', async () => {
    const core = admin.makeApiClient(k8s.CoreV1Api);
    const apps = admin.makeApiClient(k8s.AppsV1Api);
    const net = admin.makeApiClient(k8s.NetworkingV1Api);
    const rbac = admin.makeApiClient(k8s.RbacAuthorizationV1Api);
    const versions = async (): Promise<Record<string, string | undefined>> => ({
      namespace: (await core.readNamespace({ name: bobNs })).metadata?.resourceVersion,
      quota: (await core.readNamespacedResourceQuota({ name: 'slice-quota', namespace: bobNs })).metadata?.resourceVersion,
      limits: (await core.readNamespacedLimitRange({ name: 'slice-limits', namespace: bobNs })).metadata?.resourceVersion,
      netpols: (await net.listNamespacedNetworkPolicy({ namespace: bobNs })).items.map((n) => n.metadata?.resourceVersion).join(','),
      binding: (await rbac.readNamespacedRoleBinding({ name: 'slice-owner', namespace: bobNs })).metadata?.resourceVersion,
      secret: (await core.readNamespacedSecret({ name: 'slice-agent-token', namespace: bobNs })).metadata?.resourceVersion,
      deployment: (await apps.readNamespacedDeployment({ name: 'web', namespace: bobNs })).metadata?.resourceVersion,
      service: (await core.readNamespacedService({ name: 'web', namespace: bobNs })).metadata?.resourceVersion,
    });
    const before1 = await versions();
    // an annotation is a Slice event: the controller reconciles at once
    const touched = await patchSlice(admin, bobSlice, [{ op: 'add', path: '/metadata/annotations', value: { 'test.slice.dev/touch': id } }]);
    await sleep(4000);
    assert.deepEqual(await versions(), before1);
    assert.equal((await getSlice(bobSlice))?.metadata.resourceVersion, touched.metadata.resourceVersion, 'the Slice status was rewritten');
  });
});
