// The sample shop on the real cluster: scripts/sample-deploy.sh deploys (or updates) the baseline
// namespace shop; a checkout works end to end through storefront → orders → inventory (and
// PostgreSQL when the cluster publishes it), the expired coupon answers 500 with its stack in the
// orders log, the bulk item takes the slow path. Then alice forks orders: the fork is Ready beside
// the Slice agent, runs under the baseline's restricted securityContext, reaches the shared
// inventory across namespaces, sends its OTLP to the agent (the spans carry the handler's code
// location, the exception its stack), and serves a file changed in its sync folder without a restart.
import { after, before, describe, test } from 'node:test';
import * as assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import * as k8s from '@kubernetes/client-node';
import { decodeTracesJson, decodeTracesProto, parseStack, type Span } from '../../../src/core/telemetry';
import { PortForwardTransport } from '../../../src/platform/agent-link/portForwardTransport';
import { type RelayedPayload, TelemetryLink } from '../../../src/app/fork/telemetryLink';
import { admin, alice, cleanup, createSlice, forkPod, sliceBody, waitForPhase } from '../slices/sliceFixture';
import { eventually, execIn } from '../smoke/helpers';

const ROOT = join(__dirname, '..', '..', '..', '..');
const BASELINE = 'shop';
const id = randomBytes(3).toString('hex');
const sliceName = `alice-sa-${id}`;
const namespace = `slice-${sliceName}`;

/** Sends HTTP requests from inside a container (node of the image) and prints [{status, body, ms}]. */
const REQUESTS = [
  'const reqs=JSON.parse(process.argv[1]);const out=[];',
  "const one=(r)=>new Promise((ok,fail)=>{const t=performance.now();const body=r.body===undefined?undefined:JSON.stringify(r.body);",
  "const q=require('http').request('http://127.0.0.1:8080'+r.path,{method:r.method||'GET',headers:body?{'content-type':'application/json'}:{},timeout:20000},(res)=>{let b='';res.setEncoding('utf8');res.on('data',(c)=>b+=c);",
  "res.on('end',()=>ok({status:res.statusCode,body:b,ms:Math.round(performance.now()-t)}))});q.on('timeout',()=>q.destroy(new Error('timeout')));q.on('error',fail);q.end(body)});",
  '(async()=>{for(const r of reqs)out.push(await one(r));process.stdout.write(JSON.stringify(out))})().catch((e)=>{console.error(e.message);process.exit(4)});',
].join('');

interface Answer {
  readonly status: number;
  readonly body: string;
  readonly ms: number;
}

async function send(kc: k8s.KubeConfig, ns: string, pod: string, container: string, reqs: { path: string; method?: string; body?: unknown }[]): Promise<Answer[]> {
  const r = await execIn(kc, ns, pod, container, ['node', '-e', REQUESTS, JSON.stringify(reqs)]);
  if (r.status !== 'Success') throw new Error(`requests from ${ns}/${pod} failed: ${r.message} ${r.stderr}`);
  return JSON.parse(r.stdout) as Answer[];
}

async function readyPod(ns: string, app: string): Promise<string> {
  const core = admin.makeApiClient(k8s.CoreV1Api);
  const pod = await eventually(`a ready ${app} pod in ${ns}`, async () => {
    const pods = await core.listNamespacedPod({ namespace: ns, labelSelector: `app=${app}` });
    return pods.items.find((p) => !p.metadata?.deletionTimestamp && p.status?.containerStatuses?.every((c) => c.ready));
  }, 60_000);
  return pod.metadata!.name!;
}

/** client-node's model classes as plain data, for deepEqual. */
const plain = (v: unknown): unknown => JSON.parse(JSON.stringify(v)) as unknown;

const logs: string[] = [];
const logger = { trace: () => undefined, debug: () => undefined, info: (m: string) => logs.push(`info ${m}`), warn: (m: string) => logs.push(`warn ${m}`), error: (m: unknown) => logs.push(`error ${String(m)}`) };
const owned: { dispose(): void }[] = [];

void describe('sample shop: the baseline and a fork of orders', { timeout: 900_000 }, () => {
  before(() => {
    // idempotent: a few seconds when the image and the rollout are current
    execFileSync('bash', ['scripts/sample-deploy.sh'], { cwd: ROOT, stdio: ['ignore', 'inherit', 'inherit'], timeout: 600_000 });
  });
  after(async () => {
    for (const d of owned.splice(0)) d.dispose();
    await cleanup([sliceName]); // the baseline stays: it is the demo's
  });

  void test('checkout works end to end; the expired coupon answers 500 and logs its stack; the bulk item is served', async (t) => {
    const storefront = await readyPod(BASELINE, 'storefront');
    const [ok, slow, failed, home] = await send(admin, BASELINE, storefront, 'app', [
      { path: '/checkout?sku=book&coupon=SAVE10' },
      { path: '/checkout?sku=bulk-rice' },
      { path: '/checkout?sku=book&coupon=SUMMER23' },
      { path: '/' },
    ]);
    assert.equal(ok!.status, 200, ok!.body);
    const order = (JSON.parse(ok!.body) as { order: { sku: string; total: number; discount: number } }).order;
    assert.deepEqual([order.sku, order.total, order.discount], ['book', 22.05, 2.45]);
    assert.equal(slow!.status, 200, slow!.body);
    assert.equal(failed!.status, 500);
    // the answer says which copy served each hop (without a routing key: the baseline's)
    assert.deepEqual(JSON.parse(failed!.body), { error: 'coupon SUMMER23 expired on 2023-09-30', servedBy: { storefront: 'shop/storefront', orders: 'shop/orders' } });
    assert.equal(home!.status, 200);
    assert.match(home!.body, /Slice sample shop/);
    t.diagnostic(`checkout ${ok!.ms} ms, bulk item (warehouse lookup) ${slow!.ms} ms, expired coupon ${failed!.ms} ms`);

    // orders logged the exception as pino JSON: caller, trace context, and the stack of the throw
    const core = admin.makeApiClient(k8s.CoreV1Api);
    const orders = await readyPod(BASELINE, 'orders');
    const line = await eventually('the failed request in the orders log', async () => {
      const text = await core.readNamespacedPodLog({ name: orders, namespace: BASELINE, container: 'app', tailLines: 200 });
      return text.split('\n').find((l) => l.includes('"CouponExpiredError"'));
    }, 30_000);
    const rec = JSON.parse(line) as { level: number; caller: string; trace_id: string; err: { type: string; stack: string } };
    assert.equal(rec.level, 50);
    assert.match(rec.caller, /^\/app\/lib\/http\.js:\d+:\d+$/);
    assert.match(rec.trace_id, /^[0-9a-f]{32}$/);
    assert.match(parseStack(rec.err.stack).frames[0]!.file, /^\/app\/services\/orders\/src\/pricing\.js$/);
  });

  void test('alice forks orders: Ready beside the agent, restricted, reaches inventory, sends OTLP to the agent, serves a synced change without a restart', async (t) => {
    await createSlice(alice, sliceBody('alice', `sa-${id}`, BASELINE, [{ workload: 'orders', syncPath: '/app/services/orders' }], { ttl: '1h' }));
    await waitForPhase(sliceName, ['Ready'], 240_000);
    const pod = await forkPod(namespace, 'orders');
    const podName = pod.metadata!.name!;
    const spec = pod.spec!;
    assert.deepEqual(spec.containers.map((c) => c.name), ['app', 'slice-agent']);
    const app = spec.containers[0]!;
    assert.deepEqual(plain(spec.securityContext), { runAsNonRoot: true, runAsUser: 65532, runAsGroup: 65532, seccompProfile: { type: 'RuntimeDefault' } });
    assert.deepEqual(plain(app.securityContext), { runAsNonRoot: true, allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: { drop: ['ALL'] } });
    assert.ok(app.volumeMounts?.some((m) => m.mountPath === '/app/services/orders'), 'the sync folder is mounted over the service');
    const who = await execIn(alice, namespace, podName, 'app', ['node', '-e', 'process.stdout.write(`${process.getuid()}:${process.getgid()}`)']);
    assert.equal(who.stdout, '65532:65532');

    // the fork's OTLP goes to the agent on the pod's loopback; the editor's link receives it
    const transport = new PortForwardTransport({ kubeConfig: alice, namespace, workload: 'orders', logger, requestTimeoutMs: 10_000, pingIntervalMs: 2000 });
    const link = new TelemetryLink({ transport, logger, backoff: { initialMs: 100, maxMs: 1000 } });
    owned.push(link, transport);
    const spans: Span[] = [];
    link.onPayload((p: RelayedPayload) => {
      if (p.kind !== 'traces') return;
      const r = p.encoding === 'json' ? decodeTracesJson(p.body, { source: 'slice' }) : decodeTracesProto(p.body, { source: 'slice' });
      if (r.ok) spans.push(...r.value);
    });
    link.start();

    const [created, expired] = await send(alice, namespace, podName, 'app', [
      { path: '/orders', method: 'POST', body: { sku: 'mug', qty: 2, coupon: 'WELCOME5' } },
      { path: '/orders', method: 'POST', body: { sku: 'book', coupon: 'SUMMER23' } },
    ]);
    assert.equal(created!.status, 201, created!.body); // stock and price came from the baseline's inventory
    assert.equal((JSON.parse(created!.body) as { total: number }).total, 13);
    assert.equal(expired!.status, 500);

    try {
      await eventually('the fork spans at the link', () => Promise.resolve(spans.some((s) => s.name === 'createOrder') && spans.some((s) => s.name === 'priceOrder' && s.exceptions.length > 0)), 60_000, 250);
    } catch (e) {
      process.stderr.write(`link logs:\n${logs.slice(-20).join('\n')}\n`);
      throw e;
    }
    const handler = spans.find((s) => s.name === 'createOrder')!;
    assert.equal(handler.code?.file, '/app/services/orders/src/handlers.js');
    assert.ok((handler.code?.line ?? 0) > 0);
    assert.equal(handler.resource.serviceName, 'orders');
    assert.equal(handler.resource.namespace, namespace);
    const ex = spans.find((s) => s.name === 'priceOrder' && s.exceptions.length > 0)!.exceptions[0]!;
    assert.equal(ex.type, 'CouponExpiredError');
    assert.equal(parseStack(ex.stacktrace).frames[0]?.file, '/app/services/orders/src/pricing.js');

    // a change in the sync folder (written by rename, as the agent writes) serves without a restart
    const EDIT = [
      "const fs=require('fs');const f='/app/services/orders/src/handlers.js';",
      "fs.writeFileSync(f+'.tmp',fs.readFileSync(f,'utf8').replace('an order needs a sku','sa-edited: an order needs a sku'));fs.renameSync(f+'.tmp',f);",
      'const t=performance.now();',
      "const ask=()=>new Promise((ok)=>{const q=require('http').request('http://127.0.0.1:8080/orders',{method:'POST',headers:{'content-type':'application/json'}},(res)=>{let b='';res.on('data',(c)=>b+=c);res.on('end',()=>ok(b))});q.on('error',()=>ok(''));q.end('{}')});",
      "(async()=>{while(performance.now()-t<30000){if((await ask()).includes('sa-edited'))return process.stdout.write(String(Math.round(performance.now()-t)));await new Promise((r)=>setTimeout(r,20))}process.exit(5)})();",
    ].join('');
    const edited = await execIn(alice, namespace, podName, 'app', ['node', '-e', EDIT]);
    assert.equal(edited.status, 'Success', `the edited handler did not serve within 30 s: ${edited.stderr}`);
    t.diagnostic(`write → new code serving in the fork: ${edited.stdout} ms`);
    const after = await forkPod(namespace, 'orders');
    assert.equal(after.metadata?.name, podName);
    assert.equal(after.status?.containerStatuses?.find((c) => c.name === 'app')?.restartCount, 0, 'the container was not restarted');
  });
});
