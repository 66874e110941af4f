// Pod metrics (metrics.k8s.io, served by the local cluster's metrics-server) on the real cluster: alice
// reads her fork pod's CPU and memory through the editor's own client; bob may not read them, neither
// through the API server nor by going to metrics-server directly and naming alice in its proxy headers;
// nobody lists pod or node metrics cluster-wide.
import { after, before, describe, test } from 'node:test';
import * as assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { request } from 'node:https';
import * as k8s from '@kubernetes/client-node';
import { eventually, restrictedContainer, restrictedPod, statusCode } from '../smoke/helpers';
import { clusterPath } from '../../support/clusterDir';
import { admin, alice, bob, cleanup, createBaseline, createSlice, forkPod, nodeImage, sliceBody, waitForPhase } from './sliceFixture';
import { type KubeContext } from '../../../src/core/cluster/environments';
import { appFigures, figuresText, resourceFindings } from '../../../src/core/cluster/podResources';
import { KubeClients } from '../../../src/platform/kube/kubeClients';
import { PodMetricsClient } from '../../../src/platform/kube/podMetricsClient';
import { toPod } from '../../../src/platform/kube/workloadObjects';

const id = randomBytes(3).toString('hex');
const baseline = `slice-test-baseline-pm${id}`;
const aliceSlice = `alice-pm${id}`;
const aliceNs = `slice-${aliceSlice}`;
const metricsRef = { group: 'metrics.k8s.io', version: 'v1beta1', plural: 'pods' };

function contextOf(kc: k8s.KubeConfig): KubeContext {
  const c = kc.getContextObject(kc.getCurrentContext())!;
  return { name: c.name, cluster: c.cluster, user: c.user, server: kc.getCurrentCluster()?.server };
}
const metricsOf = (kc: k8s.KubeConfig): PodMetricsClient => new PodMetricsClient(new KubeClients(() => kc, () => 15_000));

async function code(fn: () => Promise<unknown>): Promise<number | undefined> {
  try {
    await fn();
    return 200;
  } catch (e) {
    return statusCode(e);
  }
}

/** One GET to metrics-server itself (not through the API server), with a user's client cert and the headers given. */
function direct(kc: k8s.KubeConfig | undefined, path: string, headers: Record<string, string>): Promise<{ status: number; body: string }> {
  const user = kc?.getCurrentUser();
  const nodeIp = readFileSync(clusterPath('pki', 'node-ip'), 'utf8').trim();
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: nodeIp, port: 10251, path, method: 'GET', headers, servername: 'metrics-server.kube-system.svc',
        ca: readFileSync(clusterPath('pki', 'ca.crt')),
        ...(user?.certData && user.keyData ? { cert: Buffer.from(user.certData, 'base64'), key: Buffer.from(user.keyData, 'base64') } : {}),
        timeout: 10_000,
      },
      (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (c: string) => (body += c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      },
    );
    req.on('error', reject);
    req.end();
  });
}

void describe('pod metrics: the owner reads her slice, nobody else and nothing cluster-wide', { timeout: 300_000 }, () => {
  let pod = '';
  before(async () => {
    await createBaseline(baseline);
    await createSlice(alice, sliceBody('alice', `pm${id}`, baseline, [{ workload: 'web' }], { ttl: '1h', resources: { cpu: '2', memory: '1Gi', pods: 6 } }));
    await waitForPhase(aliceSlice, ['Ready']);
    pod = (await forkPod(aliceNs)).metadata!.name!;
  });
  after(async () => cleanup([aliceSlice], baseline));

  void test('alice reads her fork pod\'s CPU and memory through the editor\'s client, against its limits', async () => {
    const client = metricsOf(alice);
    // metrics-server reports a pod once the kubelet has two CPU samples of it (about one resolution, 15 s)
    const usage = await eventually(`metrics of ${aliceNs}/${pod}`, async () => {
      const read = await client.read(contextOf(alice), aliceNs);
      assert.equal(read.kind, 'ok', JSON.stringify(read));
      return read.kind === 'ok' ? read.pods.get(pod) : undefined;
    }, 120_000, 2000);
    const app = usage.containers.find((c) => c.container === 'web');
    assert.ok(app, `containers: ${usage.containers.map((c) => c.container).join(', ')}`);
    assert.ok(app.memoryBytes > 1024 * 1024, `memory ${app.memoryBytes}`);
    assert.ok(app.cpuMillis >= 0);
    // a single pod by name, as kubectl top pod does
    const one = await alice.makeApiClient(k8s.CustomObjectsApi).getNamespacedCustomObject({ ...metricsRef, namespace: aliceNs, name: pod });
    assert.equal((one as { metadata?: { name?: string } }).metadata?.name, pod);
    // the pod row's figures: usage against the limits the slice's LimitRange gave the container
    const podInfo = toPod(await alice.makeApiClient(k8s.CoreV1Api).readNamespacedPod({ namespace: aliceNs, name: pod }));
    const figures = appFigures(podInfo, usage)!;
    assert.equal(figures.container, 'web');
    assert.ok(figures.memory.limit !== undefined && figures.cpu.limit !== undefined, 'the fork container has limits');
    console.log(`# ${aliceNs}/${pod}: ${figuresText(figures)}`);
  });

  void test('a container killed for its memory reads as OOMKilled on the pod, in words, with its limit', async () => {
    // alice's own pod in her slice (slice:owner may create pods; Pod Security restricted and the quota apply)
    const core = alice.makeApiClient(k8s.CoreV1Api);
    const name = `hog-${id}`;
    await core.createNamespacedPod({
      namespace: aliceNs,
      body: {
        metadata: { name },
        spec: {
          securityContext: restrictedPod,
          containers: [{
            name: 'hog', image: nodeImage, imagePullPolicy: 'IfNotPresent', securityContext: restrictedContainer,
            command: ['node', '-e', 'const a=[];setInterval(()=>a.push(Buffer.alloc(8<<20,1)),20)'],
            resources: { requests: { cpu: '10m', memory: '32Mi' }, limits: { cpu: '100m', memory: '64Mi' } },
          }],
        },
      },
    });
    const pod = await eventually(`${name} OOMKilled once`, async () => {
      const p = toPod(await core.readNamespacedPod({ namespace: aliceNs, name }));
      return p.lastTerminations?.some((t) => t.reason === 'OOMKilled') ? p : undefined;
    }, 120_000, 1000);
    const [finding] = resourceFindings(pod, undefined).filter((f) => f.kind === 'oomKilled');
    assert.ok(finding, JSON.stringify(pod.lastTerminations));
    assert.match(finding.text, /^Container hog was OOMKilled at \d\d:\d\d:\d\d UTC: it used more memory than its limit of 64 Mi, so the kernel killed it \(exit code 137\)/);
    await core.deleteNamespacedPod({ namespace: aliceNs, name, gracePeriodSeconds: 0 });
  });

  void test('bob may not read the pod metrics of alice\'s slice (API server, and the editor\'s client says forbidden)', async () => {
    const api = bob.makeApiClient(k8s.CustomObjectsApi);
    assert.equal(await code(() => api.listNamespacedCustomObject({ ...metricsRef, namespace: aliceNs })), 403);
    assert.equal(await code(() => api.getNamespacedCustomObject({ ...metricsRef, namespace: aliceNs, name: pod })), 403);
    const read = await metricsOf(bob).read(contextOf(bob), aliceNs);
    assert.equal(read.kind, 'forbidden');
  });

  void test('nobody lists pod or node metrics cluster-wide, nor reads another namespace\'s (alice: kube-system)', async () => {
    for (const kc of [alice, bob]) {
      const api = kc.makeApiClient(k8s.CustomObjectsApi);
      assert.equal(await code(() => api.listClusterCustomObject(metricsRef)), 403);
      assert.equal(await code(() => api.listClusterCustomObject({ ...metricsRef, plural: 'nodes' })), 403);
      assert.equal(await code(() => api.listNamespacedCustomObject({ ...metricsRef, namespace: 'kube-system' })), 403);
    }
    // the admin can: metrics-server serves the whole node
    const all = await admin.makeApiClient(k8s.CustomObjectsApi).listClusterCustomObject(metricsRef);
    assert.ok(((all as { items?: unknown[] }).items ?? []).length > 0);
  });

  void test('bob going to metrics-server directly, naming alice (or system:masters) in the proxy headers, is still bob', async () => {
    const path = `/apis/metrics.k8s.io/v1beta1/namespaces/${aliceNs}/pods`;
    // the same request with alice's own cert is allowed: the refusal below is bob's identity, not the path
    assert.equal((await direct(alice, path, {})).status, 200);
    const forged = await direct(bob, path, { 'X-Remote-User': 'alice', 'X-Remote-Group': 'system:masters' });
    assert.equal(forged.status, 403, forged.body);
    assert.match((JSON.parse(forged.body) as { message: string }).message, /User "bob" cannot list resource "pods" in API group "metrics.k8s.io"/);
    // without any client cert the headers count for nothing either: anonymous is refused
    const anonymous = await direct(undefined, path, { 'X-Remote-User': 'alice', 'X-Remote-Group': 'system:masters' });
    assert.ok(anonymous.status === 401 || anonymous.status === 403, `anonymous: ${anonymous.status} ${anonymous.body}`);
  });
});
