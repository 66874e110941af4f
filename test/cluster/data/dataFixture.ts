// Helpers of the data-isolation suite: the probe image (npm pg inside), a baseline whose `orders`
// workload reads DATABASE_URL from the baseline's Secret shop-db, SQL run inside a pod (as a developer)
// and on the host against the local PostgreSQL (127.0.0.1:15432).
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { promisify } from 'node:util';
import * as k8s from '@kubernetes/client-node';
import { build } from 'esbuild';
import { Client } from 'pg';
import { clusterDir, restrictedContainer, restrictedPod } from '../smoke/helpers';
import { admin } from '../slices/sliceFixture';

const run = promisify(execFile);
const root = path.resolve(__dirname, '../../../..');
export const kubectl = path.join(clusterDir, 'bin/kubectl');
export const PG_PORT = Number(process.env.SLICE_PG_PORT ?? 15432);

/** Bundles probe.ts with pg and builds localhost/slice/db-probe:<hash> into the cluster. */
export async function buildProbeImage(): Promise<string> {
  const dir = mkdtempSync(path.join(tmpdir(), 'db-probe-'));
  await build({ entryPoints: [path.join(root, 'test/cluster/data/probe.ts')], bundle: true, platform: 'node', target: 'node20', outfile: path.join(dir, 'probe.js'), logLevel: 'warning' });
  const tag = createHash('sha256').update(readFileSync(path.join(dir, 'probe.js'))).digest('hex').slice(0, 10);
  writeFileSync(path.join(dir, 'package.json'), '{"name":"db-probe","private":true}\n');
  const { stdout } = await run('bash', [path.join(root, 'test/cluster/images/node-app-image.sh'), 'db-probe', tag, dir, '--', '--cmd', '["node","/app/probe.js"]'], { maxBuffer: 1 << 24 });
  return stdout.trim().split('\n').pop() ?? `localhost/slice/db-probe:${tag}`;
}

/** A baseline namespace whose Deployment `orders` gets DATABASE_URL from Secret shop-db (written by postgres.sh publish). */
export async function createDataBaseline(name: string, image: string): Promise<void> {
  const core = admin.makeApiClient(k8s.CoreV1Api);
  const apps = admin.makeApiClient(k8s.AppsV1Api);
  await core.createNamespace({ body: { metadata: { name, labels: { 'slice.dev/role': 'baseline', 'slice.dev/postgres-baseline': 'shop', 'app.kubernetes.io/part-of': 'slice-tests' } } } });
  await run('bash', [path.join(root, 'test/cluster/postgres.sh'), 'publish']);
  await apps.createNamespacedDeployment({
    namespace: name,
    body: {
      metadata: { name: 'orders', labels: { app: 'orders' } },
      spec: {
        replicas: 1,
        selector: { matchLabels: { app: 'orders' } },
        template: {
          metadata: { labels: { app: 'orders' } },
          spec: {
            securityContext: restrictedPod,
            containers: [{
              name: 'orders', image, imagePullPolicy: 'IfNotPresent', ports: [{ containerPort: 8080 }], securityContext: restrictedContainer,
              env: [{ name: 'DATABASE_URL', valueFrom: { secretKeyRef: { name: 'shop-db', key: 'DATABASE_URL' } } }],
            }],
          },
        },
      },
    },
  });
  await core.createNamespacedService({ namespace: name, body: { metadata: { name: 'orders' }, spec: { selector: { app: 'orders' }, ports: [{ port: 80, targetPort: 8080 }] } } });
}

/** Runs SQL inside a pod's container with the probe (the container's own DATABASE_URL unless `url`); returns rows or the error line. */
export async function podSql(user: 'admin' | 'alice' | 'bob', namespace: string, target: string, sql: string, url?: string): Promise<{ rows?: Record<string, unknown>[]; error?: string }> {
  const args = ['--kubeconfig', path.join(clusterDir, `kubeconfig/${user}.kubeconfig`), '-n', namespace, 'exec', target, '-c', 'orders', '--', 'node', '/app/probe.js', 'sql', sql, ...(url ? [url] : [])];
  try {
    const { stdout } = await run(kubectl, args);
    return { rows: JSON.parse(stdout.trim()) as Record<string, unknown>[] };
  } catch (e) {
    const out = (e as { stdout?: string }).stdout ?? '';
    if (out.startsWith('ERROR')) return { error: out.trim() };
    throw e;
  }
}

/** The local server from the host, as `user` (password) or as the platform role. */
export async function hostSql(database: string, sql: string, user?: { name: string; password: string }): Promise<Record<string, unknown>[]> {
  const u = user ?? { name: 'slice_platform', password: readFileSync(path.join(clusterDir, 'postgres/slice_platform.password'), 'utf8').trim() };
  const c = new Client({ host: '127.0.0.1', port: PG_PORT, database, user: u.name, password: u.password, connectionTimeoutMillis: 5000 });
  await c.connect();
  try {
    return (await c.query(sql)).rows as Record<string, unknown>[];
  } finally {
    await c.end();
  }
}

/** A Secret's data (admin view), decoded. */
export async function secretData(namespace: string, name: string): Promise<Record<string, string>> {
  const s = await admin.makeApiClient(k8s.CoreV1Api).readNamespacedSecret({ name, namespace });
  return Object.fromEntries(Object.entries(s.data ?? {}).map(([k, v]) => [k, Buffer.from(v, 'base64').toString('utf8')]));
}

export async function postgresCtl(cmd: 'up' | 'down'): Promise<void> {
  await run('bash', [path.join(root, 'test/cluster/postgres.sh'), cmd]);
}
