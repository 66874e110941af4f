// Helpers for the cluster smoke suite: kubeconfigs of the local cluster, image names, polling,
// exec through the API server. Used by test/cluster/smoke/*.test.ts only.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Writable } from 'node:stream';
import * as k8s from '@kubernetes/client-node';
import { clusterDir } from '../../support/clusterDir';

export { clusterDir };

function kubeconfigPath(user: 'admin' | 'alice' | 'bob'): string {
  const env = { admin: 'SLICE_KUBECONFIG_ADMIN', alice: 'SLICE_KUBECONFIG_ALICE', bob: 'SLICE_KUBECONFIG_BOB' }[user];
  return process.env[env] ?? path.join(clusterDir, 'kubeconfig', `${user}.kubeconfig`);
}

export function loadKubeConfig(user: 'admin' | 'alice' | 'bob'): k8s.KubeConfig {
  const file = kubeconfigPath(user);
  if (!fs.existsSync(file)) {
    throw new Error(`kubeconfig ${file} not found: is the local cluster up? (npm run cluster:up)`);
  }
  const kc = new k8s.KubeConfig();
  kc.loadFromFile(file);
  return kc;
}

/** Image references written by up.sh to $SLICE_CLUSTER_DIR/images.env (env vars win). */
export function image(name: 'SLICE_NODE_IMAGE' | 'SLICE_PAUSE_IMAGE'): string {
  const fromEnv = process.env[name];
  if (fromEnv) return fromEnv;
  const file = path.join(clusterDir, 'images.env');
  const line = fs.existsSync(file)
    ? fs.readFileSync(file, 'utf8').split('\n').find((l) => l.startsWith(`${name}=`))
    : undefined;
  if (!line) throw new Error(`${name} not set and not found in ${file}`);
  return line.slice(name.length + 1).trim();
}

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Polls fn until it returns a truthy value; throws with the last error/value after timeoutMs. */
export async function eventually<T>(
  what: string,
  fn: () => Promise<T | undefined | null | false>,
  timeoutMs = 120_000,
  everyMs = 500,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const v = await fn();
      if (v) return v;
      last = v;
    } catch (e) {
      last = e;
    }
    if (Date.now() > deadline) {
      const detail = last instanceof Error ? last.message : JSON.stringify(last);
      throw new Error(`timed out waiting for ${what}; last: ${detail}`);
    }
    await sleep(everyMs);
  }
}

export function statusCode(e: unknown): number | undefined {
  const err = e as { code?: unknown; statusCode?: unknown; response?: { statusCode?: unknown } };
  for (const c of [err?.code, err?.statusCode, err?.response?.statusCode]) {
    if (typeof c === 'number') return c;
  }
  return undefined;
}

class Collect extends Writable {
  text = '';
  override _write(chunk: Buffer, _enc: BufferEncoding, cb: () => void): void {
    this.text += chunk.toString('utf8');
    cb();
  }
}

export interface ExecResult {
  stdout: string;
  stderr: string;
  status: string;
  message: string;
}

/** Runs a command in a container through the API server (websocket exec) and waits for its status. */
export async function execIn(kc: k8s.KubeConfig, ns: string, pod: string, container: string, command: string[]): Promise<ExecResult> {
  const stdout = new Collect();
  const stderr = new Collect();
  const exec = new k8s.Exec(kc);
  return await new Promise<ExecResult>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`exec ${command.join(' ')} timed out`)), 60_000);
    exec
      .exec(ns, pod, container, command, stdout, stderr, null, false, (s: k8s.V1Status) => {
        clearTimeout(timer);
        // give the stream a moment to flush the last frames
        setTimeout(() => resolve({ stdout: stdout.text, stderr: stderr.text, status: s.status ?? '', message: s.message ?? '' }), 50);
      })
      .catch((e: unknown) => {
        clearTimeout(timer);
        reject(e instanceof Error ? e : new Error(String(e)));
      });
  });
}

/**
 * HTTP GET from inside a pod with the image's node (busybox-static's wget segfaults on these
 * machines, even on the host). Resolves to the body, or undefined when the request fails.
 */
export async function httpGetIn(kc: k8s.KubeConfig, ns: string, pod: string, container: string, url: string, timeoutMs = 3000): Promise<string | undefined> {
  const script = [
    `const r = require('http').get(${JSON.stringify(url)}, { timeout: ${timeoutMs} }, (res) => {`,
    "  let b = ''; res.setEncoding('utf8'); res.on('data', (c) => (b += c));",
    '  res.on(\'end\', () => { process.stdout.write(b); process.exit(res.statusCode === 200 ? 0 : 2); }); });',
    "r.on('timeout', () => { console.error('timeout'); process.exit(3); });",
    "r.on('error', (e) => { console.error(e.message); process.exit(4); });",
  ].join('\n');
  const res = await execIn(kc, ns, pod, container, ['node', '-e', script]);
  return res.status === 'Success' ? res.stdout : undefined;
}

/** Pod securityContext that satisfies Pod Security "restricted". */
export const restrictedPod: k8s.V1PodSecurityContext = {
  runAsNonRoot: true,
  runAsUser: 65532,
  runAsGroup: 65532,
  seccompProfile: { type: 'RuntimeDefault' },
};
export const restrictedContainer: k8s.V1SecurityContext = {
  allowPrivilegeEscalation: false,
  capabilities: { drop: ['ALL'] },
};
