// Smoke suite for the local cluster (test/cluster): runs against the real cluster brought up by
// `npm run cluster:up`. Everything it creates lives in namespaces with unique names, deleted at the end.
import { after, before, describe, test } from 'node:test';
import * as assert from 'node:assert/strict';
import * as http from 'node:http';
import * as net from 'node:net';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import * as k8s from '@kubernetes/client-node';
import { clusterDir, eventually, execIn, httpGetIn, image, loadKubeConfig, restrictedContainer, restrictedPod, statusCode } from './helpers';

const suffix = randomBytes(3).toString('hex');
const ns = `slice-smoke-${suffix}`;
const otherNs = `slice-smoke-other-${suffix}`;

// A tiny HTTP server in the node runtime image; logs each request so the log API can be checked.
const serverJs = [
  "const os = require('os');",
  "require('http').createServer((q, s) => { console.log('request ' + q.url); s.end('hello from ' + os.hostname() + '\\n'); })",
  "  .listen(8080, () => console.log('listening on 8080'));",
].join('\n');

void describe('local cluster smoke', { timeout: 600_000 }, () => {
  const admin = loadKubeConfig('admin');
  const core = admin.makeApiClient(k8s.CoreV1Api);
  const apps = admin.makeApiClient(k8s.AppsV1Api);
  const netApi = admin.makeApiClient(k8s.NetworkingV1Api);
  const rbac = admin.makeApiClient(k8s.RbacAuthorizationV1Api);
  const nodeImage = image('SLICE_NODE_IMAGE');
  let webPod = '';
  let webPodIp = '';

  before(async () => {
    for (const name of [ns, otherNs]) {
      await core.createNamespace({
        body: {
          metadata: {
            name,
            labels: {
              'app.kubernetes.io/part-of': 'slice-smoke',
              // our images must run under the policy the slices use
              'pod-security.kubernetes.io/enforce': 'restricted',
            },
          },
        },
      });
    }
  });

  after(async () => {
    for (const name of [ns, otherNs]) {
      await core.deleteNamespace({ name }).catch(() => undefined);
    }
    // the image imported by the node-app-image test
    try {
      execFileSync('ctr', ['--address', path.join(clusterDir, 'containerd', 'containerd.sock'), '-n', 'k8s.io', 'images', 'rm', `localhost/slice/smoke-app:smoke-${suffix}`], { stdio: 'ignore' });
      fs.rmSync(path.join(process.env.SLICE_CACHE_DIR ?? path.join(os.homedir(), '.cache', 'slice'), 'cluster', 'images', `smoke-app-smoke-${suffix}.tar`), { force: true });
    } catch {
      // best effort
    }
  });

  void test('the node is Ready and runs the version we built', async () => {
    const nodes = await core.listNode();
    assert.equal(nodes.items.length, 1);
    const node = nodes.items[0]!;
    const ready = node.status?.conditions?.find((c) => c.type === 'Ready');
    assert.equal(ready?.status, 'True', `node not Ready: ${ready?.message}`);
    assert.match(node.status?.nodeInfo?.kubeletVersion ?? '', /^v1\.\d+\.\d+$/);
    assert.match(node.status?.nodeInfo?.containerRuntimeVersion ?? '', /^containerd:\/\//);
  });

  void test('a Deployment runs and its pod becomes Ready', async () => {
    await apps.createNamespacedDeployment({
      namespace: ns,
      body: {
        metadata: { name: 'web' },
        spec: {
          replicas: 1,
          selector: { matchLabels: { app: 'web' } },
          template: {
            metadata: { labels: { app: 'web' } },
            spec: {
              securityContext: restrictedPod,
              containers: [
                {
                  name: 'web',
                  image: nodeImage,
                  imagePullPolicy: 'IfNotPresent',
                  command: ['node', '-e', serverJs],
                  ports: [{ containerPort: 8080 }],
                  readinessProbe: { httpGet: { path: '/ready', port: 8080 }, periodSeconds: 1 },
                  securityContext: restrictedContainer,
                },
              ],
            },
          },
        },
      },
    });
    await core.createNamespacedService({
      namespace: ns,
      body: {
        metadata: { name: 'web' },
        spec: { selector: { app: 'web' }, ports: [{ port: 80, targetPort: 8080 }] },
      },
    });
    // a client pod to talk to the service from inside the pod network
    await core.createNamespacedPod({
      namespace: ns,
      body: {
        metadata: { name: 'client', labels: { app: 'client' } },
        spec: {
          securityContext: restrictedPod,
          terminationGracePeriodSeconds: 1,
          containers: [
            {
              name: 'client',
              image: nodeImage,
              imagePullPolicy: 'IfNotPresent',
              command: ['sleep', '3600'],
              securityContext: restrictedContainer,
            },
          ],
        },
      },
    });
    await eventually('deployment web available', async () => {
      const d = await apps.readNamespacedDeployment({ name: 'web', namespace: ns });
      return (d.status?.availableReplicas ?? 0) >= 1;
    });
    const pods = await core.listNamespacedPod({ namespace: ns, labelSelector: 'app=web' });
    const pod = pods.items.find((p) => p.status?.phase === 'Running');
    assert.ok(pod?.metadata?.name && pod.status?.podIP, 'web pod running with an IP');
    webPod = pod.metadata.name;
    webPodIp = pod.status.podIP;
    await eventually('client pod running', async () => {
      const p = await core.readNamespacedPod({ name: 'client', namespace: ns });
      return p.status?.phase === 'Running';
    });
  });

  void test('an app image built by images/node-app-image.sh runs as non-root (restricted)', async () => {
    const script = path.resolve(__dirname, '../../../../test/cluster/images/node-app-image.sh');
    const app = fs.mkdtempSync(path.join(os.tmpdir(), 'slice-smoke-app-'));
    fs.writeFileSync(path.join(app, 'server.js'), "require('fs').readFileSync(__filename); console.log('app uid ' + process.getuid()); setInterval(() => {}, 1 << 30);\n");
    const tag = `smoke-${suffix}`;
    try {
      const out = execFileSync('bash', [script, 'smoke-app', tag, app], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
      assert.equal(out.trim(), `localhost/slice/smoke-app:${tag}`);
    } finally {
      fs.rmSync(app, { recursive: true, force: true });
    }
    await core.createNamespacedPod({
      namespace: ns,
      body: {
        metadata: { name: 'app' },
        spec: {
          securityContext: restrictedPod,
          terminationGracePeriodSeconds: 1,
          containers: [{ name: 'app', image: `localhost/slice/smoke-app:${tag}`, imagePullPolicy: 'IfNotPresent', securityContext: restrictedContainer }],
        },
      },
    });
    const log = await eventually('app log line', async () => {
      const text = await core.readNamespacedPodLog({ name: 'app', namespace: ns, container: 'app' });
      return text.includes('app uid') ? text : undefined;
    }, 60_000);
    assert.match(log, /app uid 65532/);
  });

  void test('a Service resolves by DNS from another pod and answers', async () => {
    const svc = await core.readNamespacedService({ name: 'web', namespace: ns });
    const fqdn = `web.${ns}.svc.cluster.local`;
    const lookup = await eventually('DNS answer for the service', async () => {
      const r = await execIn(admin, ns, 'client', 'client', [
        'node', '-e', `require('dns').promises.resolve4('${fqdn}').then(a => console.log(a.join(',')))`,
      ]);
      return r.status === 'Success' && r.stdout.trim() ? r : undefined;
    }, 60_000);
    assert.equal(lookup.stdout.trim(), svc.spec?.clusterIP, 'DNS returns the service cluster IP');
    // short name through the search path, HTTP through kube-proxy to the backing pod
    const body = await eventually('HTTP answer through the service', () => httpGetIn(admin, ns, 'client', 'client', 'http://web/via-service', 5000), 60_000);
    assert.equal(body.trim(), `hello from ${webPod}`);
  });

  void test('logs come through the API server', async () => {
    const text = await eventually('log lines', async () => {
      const log = await core.readNamespacedPodLog({ name: webPod, namespace: ns, container: 'web' });
      return log.includes('request /via-service') ? log : undefined;
    }, 30_000);
    assert.match(text, /listening on 8080/);
  });

  void test('exec works through the API server', async () => {
    const r = await execIn(admin, ns, webPod, 'web', ['sh', '-c', 'echo exec-ok uid=$(id -u); echo to-stderr >&2']);
    assert.equal(r.status, 'Success', r.message);
    assert.equal(r.stdout.trim(), 'exec-ok uid=65532');
    assert.equal(r.stderr.trim(), 'to-stderr');
    const failing = await execIn(admin, ns, webPod, 'web', ['sh', '-c', 'exit 3']);
    assert.equal(failing.status, 'Failure');
  });

  void test('port-forward works through the API server', async () => {
    const forward = new k8s.PortForward(admin);
    const server = net.createServer((socket) => {
      forward.portForward(ns, webPod, [8080], socket, null, socket).catch(() => socket.destroy());
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const port = (server.address() as net.AddressInfo).port;
    try {
      const body = await new Promise<string>((resolve, reject) => {
        const req = http.get({ host: '127.0.0.1', port, path: '/via-port-forward', agent: false }, (res) => {
          let data = '';
          res.setEncoding('utf8');
          res.on('data', (c: string) => (data += c));
          res.on('end', () => resolve(data));
        });
        req.setTimeout(30_000, () => req.destroy(new Error('port-forward request timed out')));
        req.on('error', reject);
      });
      assert.equal(body.trim(), `hello from ${webPod}`);
    } finally {
      server.close();
    }
  });

  void test('a NetworkPolicy that denies ingress blocks a connection that worked before', async () => {
    const probe = async (): Promise<boolean> =>
      (await httpGetIn(admin, ns, 'client', 'client', `http://${webPodIp}:8080/probe`, 3000)) !== undefined;
    assert.equal(await probe(), true, 'connection works before the policy');
    await netApi.createNamespacedNetworkPolicy({
      namespace: ns,
      body: {
        metadata: { name: 'deny-ingress-to-web' },
        spec: { podSelector: { matchLabels: { app: 'web' } }, policyTypes: ['Ingress'] },
      },
    });
    await eventually('policy enforced (connection blocked)', async () => !(await probe()), 60_000, 1000);
    // blocked for good, not a one-off failure
    assert.equal(await probe(), false, 'connection still blocked');
    await netApi.deleteNamespacedNetworkPolicy({ name: 'deny-ingress-to-web', namespace: ns });
    await eventually('connection allowed again after deleting the policy', probe, 60_000, 1000);
  });

  void test('RBAC: developers are denied where they have no binding, allowed where they do', async () => {
    const alice = loadKubeConfig('alice').makeApiClient(k8s.CoreV1Api);
    const bob = loadKubeConfig('bob').makeApiClient(k8s.CoreV1Api);
    await rbac.createNamespacedRoleBinding({
      namespace: ns,
      body: {
        metadata: { name: 'alice-view' },
        roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'view' },
        subjects: [{ apiGroup: 'rbac.authorization.k8s.io', kind: 'User', name: 'alice' }],
      },
    });
    // alice can read where she is bound (RBAC caches refresh quickly, but poll to be safe)
    const pods = await eventually('alice allowed in her namespace', () => alice.listNamespacedPod({ namespace: ns }), 30_000);
    assert.ok(pods.items.length >= 2);
    // ... and is denied in a namespace where she has no binding
    await assert.rejects(alice.listNamespacedPod({ namespace: otherNs }), (e: unknown) => statusCode(e) === 403);
    await assert.rejects(
      alice.createNamespacedConfigMap({ namespace: otherNs, body: { metadata: { name: 'nope' } } }),
      (e: unknown) => statusCode(e) === 403,
    );
    // bob (same group, no binding) is denied in both
    await assert.rejects(bob.listNamespacedPod({ namespace: ns }), (e: unknown) => statusCode(e) === 403);
    // the API server sees the identities from the client certificates
    const review = await loadKubeConfig('alice')
      .makeApiClient(k8s.AuthenticationV1Api)
      .createSelfSubjectReview({ body: { apiVersion: 'authentication.k8s.io/v1', kind: 'SelfSubjectReview' } });
    assert.equal(review.status?.userInfo?.username, 'alice');
    assert.ok(review.status?.userInfo?.groups?.includes('slice:developers'));
  });
});
