import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import { type AddressInfo } from 'node:net';
import { KubeConfig } from '@kubernetes/client-node';
import { ClusterProblemError } from '../../../../src/core/cluster/environmentsModel';
import { KubeClusterClient } from '../../../../src/platform/kube/clusterClient';
import { KubeClients } from '../../../../src/platform/kube/kubeClients';

function kubeconfigFor(server: string): KubeConfig {
  const kc = new KubeConfig();
  kc.loadFromOptions({
    clusters: [{ name: 'c', server, skipTLSVerify: true }],
    users: [{ name: 'alice', token: 't' }],
    contexts: [{ name: 'dev', cluster: 'c', user: 'alice' }],
    currentContext: 'dev',
  });
  return kc;
}

async function problemOf(p: Promise<unknown>): Promise<ClusterProblemError> {
  try {
    await p;
  } catch (e) {
    assert.ok(e instanceof ClusterProblemError, `expected ClusterProblemError, got ${String(e)}`);
    return e;
  }
  assert.fail('expected a failure');
}

async function listen(handler: Parameters<typeof createServer>[1]): Promise<{ server: Server; url: string }> {
  const server = createServer(handler);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}` };
}

const context = (server: string) => ({ name: 'dev', cluster: 'c', user: 'alice', server });

test('a refused connection is "unreachable" with a message that says so', async () => {
  const { server, url } = await listen(() => undefined);
  await new Promise((r) => server.close(r)); // the port is now closed: a real ECONNREFUSED
  const client = new KubeClusterClient(new KubeClients(() => kubeconfigFor(url), () => 5000));
  const e = await problemOf(client.listEnvironmentNamespaces(context(url), new AbortController().signal));
  assert.equal(e.problem.kind, 'unreachable');
  assert.match(e.problem.message, /connection was refused/);
});

test('a server that never answers is a timeout', async () => {
  const { server, url } = await listen(() => undefined); // accepts, never responds
  try {
    const client = new KubeClusterClient(new KubeClients(() => kubeconfigFor(url), () => 200));
    const e = await problemOf(client.listEnvironmentNamespaces(context(url), new AbortController().signal));
    assert.equal(e.problem.kind, 'timeout');
  } finally {
    server.closeAllConnections();
    server.close();
  }
});

test('a Kubernetes 403 Status becomes "forbidden" with the server reason in the detail', async () => {
  const { server, url } = await listen((_req, res) => {
    res.writeHead(403, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ kind: 'Status', apiVersion: 'v1', status: 'Failure', message: 'namespaces is forbidden: User "alice" cannot list resource "namespaces"', reason: 'Forbidden', code: 403 }));
  });
  try {
    const client = new KubeClusterClient(new KubeClients(() => kubeconfigFor(url), () => 5000));
    const e = await problemOf(client.listEnvironmentNamespaces(context(url), new AbortController().signal));
    assert.equal(e.problem.kind, 'forbidden');
    assert.match(e.problem.message, /User "alice" may not list namespaces/);
    assert.match(e.problem.detail, /cannot list resource/);
  } finally {
    server.close();
  }
});

test('the label selector is sent and items are reduced to what Slice needs', async () => {
  let query = '';
  const { server, url } = await listen((req, res) => {
    query = new URL(req.url ?? '/', 'http://x').searchParams.get('labelSelector') ?? '';
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ kind: 'NamespaceList', apiVersion: 'v1', metadata: {}, items: [{ metadata: { name: 'shop', labels: { 'slice.dev/role': 'baseline' } }, status: { phase: 'Active' } }] }));
  });
  try {
    const client = new KubeClusterClient(new KubeClients(() => kubeconfigFor(url), () => 5000));
    const list = await client.listEnvironmentNamespaces(context(url), new AbortController().signal);
    assert.equal(query, 'slice.dev/role in (baseline,slice)');
    assert.deepEqual(list, [{ name: 'shop', labels: { 'slice.dev/role': 'baseline' }, annotations: {}, phase: 'Active' }]);
  } finally {
    server.close();
  }
});
