/**
 * bench/loop's conventional side: the same change as the Slice loop, shipped the way a team without
 * Slice does on this cluster. Each round: write the changed handlers.js into the app's build folder
 * → build the image with the project's image builder (test/cluster/images/node-app-image.sh, as
 * scripts/sample-deploy.sh does) → import it into the cluster's containerd → `kubectl set image` and
 * `kubectl rollout status` → `kubectl port-forward` to the new pod and the same request → read the
 * same figure (the handler's "order created" line, with how long it took) from the pod's log.
 * Runs as the cluster admin in a namespace of its own (label app.kubernetes.io/part-of=slice-tests)
 * with a copy of the baseline's orders Deployment and Service.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { HANDLER_FILE, changedHandlers, fitsRound } from './change';

export interface ConventionalRound {
  readonly figure: number;
  readonly totalMs: number;
  readonly buildMs: number;
  readonly importMs: number;
  readonly rolloutMs: number;
  /** port-forward to the new pod and the request. */
  readonly requestMs: number;
  /** The response → the figure read from the pod's log. */
  readonly logMs: number;
}

export interface ConventionalOptions {
  readonly root: string;
  readonly kubectl: string;
  readonly kubeconfig: string;
  readonly cacheDir: string;
  readonly rounds: number;
  readonly id: string;
}

function sh(cmd: string, args: readonly string[], env: Record<string, string> = {}, input?: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const p = spawn(cmd, args, { stdio: [input === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'], env: { ...process.env, ...env } });
    let out = '';
    let err = '';
    p.stdout?.on('data', (c: Buffer) => (out += c.toString()));
    p.stderr?.on('data', (c: Buffer) => (err += c.toString()));
    p.on('error', reject);
    p.on('exit', (code) => (code === 0 ? resolve(out) : reject(new Error(`${cmd} ${args.join(' ').slice(0, 200)} exited ${code}: ${err.trim().slice(-2000)}`))));
    if (input !== undefined) p.stdin?.end(input);
  });
}

/** Resolves with the first stdout match of `re` (the process keeps running), or fails when it exits first. */
function follow(child: ChildProcess, what: string, find: (out: string) => number | undefined, ms: number): Promise<number> {
  return new Promise((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => reject(new Error(`bench/loop conventional: timed out after ${ms} ms waiting for ${what}`)), ms);
    child.stdout?.on('data', (c: Buffer) => {
      out += c.toString();
      const v = find(out);
      if (v === undefined) return;
      clearTimeout(timer);
      resolve(v);
    });
    child.stderr?.on('data', (c: Buffer) => (out += c.toString()));
    child.on('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`bench/loop conventional: ${what}: the process exited ${code}: ${out.slice(-1000)}`));
    });
  });
}

export async function conventionalLoop(o: ConventionalOptions): Promise<ConventionalRound[]> {
  const k = (...args: string[]) => sh(o.kubectl, ['--kubeconfig', o.kubeconfig, ...args]);
  const ns = `bench-loop-${o.id}`;
  const app = join(o.root, 'sample', 'shop');
  const lock = createHash('sha256').update(readFileSync(join(app, 'package-lock.json'))).digest('hex').slice(0, 12);
  const deps = join(o.cacheDir, 'sample-shop', `deps-${lock}`, 'node_modules');
  mkdirSync(join(o.cacheDir, 'sample-shop'), { recursive: true });
  const build = mkdtempSync(join(o.cacheDir, 'sample-shop', 'bench-loop.'));
  const images = join(o.cacheDir, 'cluster', 'images');
  const made: string[] = [];
  try {
    // the app's files as sample-deploy.sh puts them in the image, its dependencies hard-linked
    for (const f of ['package.json', 'package-lock.json', 'telemetry', 'lib', 'services', 'db']) cpSync(join(app, f), join(build, f), { recursive: true });
    await sh('cp', ['-al', deps, join(build, 'node_modules')]).catch(() => sh('cp', ['-a', deps, join(build, 'node_modules')]));
    const original = readFileSync(join(app, HANDLER_FILE), 'utf8');

    // a copy of the baseline's orders in a namespace of its own
    await k('create', 'namespace', ns);
    await k('label', 'namespace', ns, 'app.kubernetes.io/part-of=slice-tests');
    const copy = (kind: string) =>
      k('-n', 'shop', 'get', kind, 'orders', '-o', 'json').then((text) => {
        const obj = JSON.parse(text) as { metadata: Record<string, unknown>; spec: Record<string, unknown>; status?: unknown };
        const { name, labels } = obj.metadata as { name: string; labels?: Record<string, string> };
        const spec = { ...obj.spec };
        if (kind === 'service') for (const f of ['clusterIP', 'clusterIPs']) delete spec[f];
        return { apiVersion: kind === 'service' ? 'v1' : 'apps/v1', kind: kind === 'service' ? 'Service' : 'Deployment', metadata: { name, namespace: ns, ...(labels ? { labels } : {}) }, spec };
      });
    const objects = [await copy('deployment'), await copy('service')];
    const selector = Object.entries((objects[0]!.spec as { selector: { matchLabels: Record<string, string> } }).selector.matchLabels).map(([key, v]) => `${key}=${v}`).join(',');
    /** The rolled-out pod: the newest one that is not terminating (an old one may still be going). */
    const newestPod = async () => {
      const pods = JSON.parse(await k('-n', ns, 'get', 'pods', '-l', selector, '-o', 'json')) as { items: { metadata: { name: string; creationTimestamp: string; deletionTimestamp?: string } }[] };
      const live = pods.items.filter((p) => !p.metadata.deletionTimestamp).sort((a, b) => b.metadata.creationTimestamp.localeCompare(a.metadata.creationTimestamp));
      if (!live[0]) throw new Error(`bench/loop conventional: no pod of ${selector} in ${ns}`);
      return live[0].metadata.name;
    };
    await sh(o.kubectl, ['--kubeconfig', o.kubeconfig, 'apply', '-f', '-'], {}, JSON.stringify({ apiVersion: 'v1', kind: 'List', items: objects }));
    await k('-n', ns, 'rollout', 'status', 'deployment/orders', '--timeout=180s');

    const rounds: ConventionalRound[] = [];
    for (let i = 0; i < o.rounds; i++) {
      const t0 = performance.now();
      writeFileSync(join(build, HANDLER_FILE), changedHandlers(original, i));
      const tag = `loop-${o.id}-${i}`;
      const ref = `localhost/slice/shop:${tag}`;
      await sh(join(o.root, 'test', 'cluster', 'images', 'node-app-image.sh'), ['shop', tag, build, '--', '--cmd', '["node","--require","/app/telemetry/register.js","/app/lib/run.js","/app/services/orders"]'], { SLICE_NO_IMPORT: '1' });
      const tar = join(images, `shop-${tag}.tar`);
      made.push(tar);
      const t1 = performance.now();
      await sh('bash', ['-c', `cd "${o.root}" && . test/cluster/lib.sh && . test/cluster/images/images.sh && image_import "$0" "$1"`, ref, tar]);
      const t2 = performance.now();
      await k('-n', ns, 'set', 'image', 'deployment/orders', `app=${ref}`);
      await k('-n', ns, 'rollout', 'status', 'deployment/orders', '--timeout=180s');
      const t3 = performance.now();
      const pod = await newestPod();
      const pf = spawn(o.kubectl, ['--kubeconfig', o.kubeconfig, '-n', ns, 'port-forward', `pod/${pod}`, ':8080'], { stdio: ['ignore', 'pipe', 'pipe'] });
      let logs: ChildProcess | undefined;
      try {
        const port = await follow(pf, 'kubectl port-forward', (out) => {
          const m = /Forwarding from 127\.0\.0\.1:(\d+)/.exec(out);
          return m ? Number(m[1]) : undefined;
        }, 60_000);
        const res = await fetch(`http://127.0.0.1:${port}/orders`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ sku: 'book', qty: 1 }) });
        await res.arrayBuffer();
        if (res.status !== 201) throw new Error(`bench/loop conventional: round ${i}: the order answered ${res.status}`);
        const t4 = performance.now();
        logs = spawn(o.kubectl, ['--kubeconfig', o.kubeconfig, '-n', ns, 'logs', '-f', pod, '-c', 'app'], { stdio: ['ignore', 'pipe', 'pipe'] });
        const figure = await follow(logs, 'the figure in the pod log', (out) => {
          for (const line of out.split('\n')) {
            if (!line.includes('"order created"')) continue;
            const ms = (JSON.parse(line.slice(line.indexOf('{'))) as { ms?: number }).ms;
            if (ms !== undefined && fitsRound(ms, i)) return ms;
          }
          return undefined;
        }, 60_000);
        const t5 = performance.now();
        const r: ConventionalRound = { figure, totalMs: t5 - t0, buildMs: t1 - t0, importMs: t2 - t1, rolloutMs: t3 - t2, requestMs: t4 - t3, logMs: t5 - t4 };
        console.log(`bench/loop conventional round ${i}: ${JSON.stringify(r)}`);
        rounds.push(r);
      } finally {
        pf.kill();
        logs?.kill();
      }
    }
    return rounds;
  } finally {
    await k('delete', 'namespace', ns, '--wait=false').catch(() => undefined);
    for (const f of made) rmSync(f, { force: true });
    const refs = made.map((f) => `localhost/slice/${f.slice(f.lastIndexOf('/') + 1, -'.tar'.length).replace(/^shop-/, 'shop:')}`);
    if (refs.length > 0) await sh('bash', ['-c', `cd "${o.root}" && . test/cluster/lib.sh && . test/cluster/images/images.sh && cctr images rm "$@" >/dev/null`, 'rm', ...refs]).catch(() => undefined);
    rmSync(build, { recursive: true, force: true });
  }
}
