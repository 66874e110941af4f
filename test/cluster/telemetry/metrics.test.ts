// Metrics from a fork reach the editor's metric store through the agent, on the real cluster, as
// alice: the fork's app container POSTs OTLP metrics recorded from the sample app (JSON, and gzip
// protobuf) to the agent on the pod's loopback; a metrics-stream subscriber through alice's own
// port-forward decodes them into a MetricStore. Bob, who may not reach alice's fork, gets no stream.
// Then the sample shop itself: alice forks orders, and the fork's own OpenTelemetry SDK exports its
// HTTP route histogram and the orders counter to the agent, which relays them to her store.
import { after, before, describe, test } from 'node:test';
import * as assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { distribution } from '../../../src/core/telemetry/metrics/read';
import { PortForwardError } from '../../../src/core/agent/errors';
import { PortForwardTransport } from '../../../src/platform/agent-link/portForwardTransport';
import { subscribeMetrics } from '../../support/metricsStream';
import { alice, bob, cleanup, createBaseline, createSlice, forkPod, sliceBody, waitForPhase } from '../slices/sliceFixture';
import { eventually, execIn } from '../smoke/helpers';
import { execFileSync } from 'node:child_process';
import { type HistogramMetric } from '../../../src/core/telemetry/metrics/model';

const FIXTURES = join(__dirname, '..', '..', '..', '..', 'test', 'unit', 'core', 'telemetry', 'metrics', 'fixtures');
const JSON_METRICS = readFileSync(join(FIXTURES, 'cumulative.1.json'));
const PB_METRICS = readFileSync(join(FIXTURES, 'cumulative.2.pb'));

const id = randomBytes(3).toString('hex');
const baseline = `slice-test-baseline-tm${id}`;
const sliceName = `alice-tm-${id}`;
const namespace = `slice-${sliceName}`;
const WORKLOAD = 'tmapp';
const APP = ['node', '-e', "require('http').createServer((q,s)=>s.end('ok')).listen(8080)"];

/** POSTs a body (base64 in argv) from inside the app container; prints the status and response length. */
const POST = [
  "const [path,type,enc,b64]=process.argv.slice(1);const body=Buffer.from(b64,'base64');",
  "const h={'content-type':type,'content-length':body.length};if(enc!=='-')h['content-encoding']=enc;",
  "const r=require('http').request({host:'127.0.0.1',port:4318,method:'POST',path,headers:h},(res)=>{let n=0;res.on('data',(c)=>n+=c.length);res.on('end',()=>{process.stdout.write(res.statusCode+' '+n);process.exit(0)})});",
  "r.on('error',(e)=>{console.error(e.message);process.exit(4)});r.end(body);",
].join('');

async function waitFor(what: string, check: () => boolean, ms: number): Promise<void> {
  const deadline = Date.now() + ms;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out after ${ms} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

async function post(pod: string, path: string, type: string, encoding: string, body: Uint8Array): Promise<string> {
  const r = await execIn(alice, namespace, pod, WORKLOAD, ['node', '-e', POST, path, type, encoding, Buffer.from(body).toString('base64')]);
  if (r.status !== 'Success') throw new Error(`exec failed: ${r.message} ${r.stderr}`);
  return r.stdout;
}

const logger = { trace: () => undefined, debug: () => undefined, info: () => undefined, warn: () => undefined, error: () => undefined };
const owned: { dispose(): void }[] = [];
const own = <T extends { dispose(): void }>(d: T): T => (owned.push(d), d);

void describe('telemetry: metrics from a fork reach the editor through the agent', { timeout: 600_000 }, () => {
  before(async () => {
    await createBaseline(baseline, [{ name: WORKLOAD, container: { command: APP } }]);
    await createSlice(alice, sliceBody('alice', `tm-${id}`, baseline, [{ workload: WORKLOAD }], { ttl: '1h' }));
    await waitForPhase(sliceName, ['Ready'], 180_000);
  });
  after(async () => {
    for (const d of owned.splice(0)) d.dispose();
    await cleanup([sliceName], baseline);
  });

  void test('the app\'s OTLP metrics reach alice\'s metric store through the agent and her port-forward', async () => {
    const pod = (await forkPod(namespace, WORKLOAD)).metadata!.name!;
    const transport = own(new PortForwardTransport({ kubeConfig: alice, namespace, workload: WORKLOAD, logger, requestTimeoutMs: 10_000, pingIntervalMs: 2000 }));
    const sub = await subscribeMetrics(transport);
    own(sub.connection);
    await sub.subscribed;
    assert.equal(await post(pod, '/v1/metrics', 'application/json', '-', JSON_METRICS), '200 2');
    assert.equal(await post(pod, '/v1/metrics', 'application/x-protobuf', 'gzip', gzipSync(PB_METRICS)), '200 0');
    await waitFor('the two metric payloads', () => sub.frames.length >= 2, 60_000);
    assert.deepEqual(sub.frames.map((f) => [f.seq, f.kind, f.encoding]), [[1, 'metrics', 'json'], [2, 'metrics', 'protobuf']]);
    assert.equal(sub.rejections.total, 0);
    const route = distribution(sub.store, 'slice', 'http.server.request.duration', 0, Date.now() + 3_600_000, (a) => a['http.route'] === '/orders');
    assert.ok(route && route.count > 0, 'the route histogram is in the store');
    assert.equal(sub.store.seriesOf('slice', 'shop.orders.created').length, 2);
  });

  void test('bob cannot open alice\'s fork\'s metrics stream', async () => {
    const transport = own(new PortForwardTransport({ kubeConfig: bob, namespace, workload: WORKLOAD, logger, requestTimeoutMs: 10_000, pingIntervalMs: 2000 }));
    await assert.rejects(subscribeMetrics(transport), (e: unknown) => e instanceof PortForwardError && e.reason === 'forbidden');
  });
});

const ROOT = join(__dirname, '..', '..', '..', '..');
const shopSlice = `alice-tms-${id}`;
const shopNamespace = `slice-${shopSlice}`;

void describe('telemetry: the sample shop\'s own metrics from a fork of orders', { timeout: 900_000 }, () => {
  before(() => {
    // idempotent: a few seconds when the image and the rollout are current
    execFileSync('bash', ['scripts/sample-deploy.sh'], { cwd: ROOT, stdio: ['ignore', 'inherit', 'inherit'], timeout: 600_000 });
  });
  after(async () => {
    // the port-forward and the agent connection: left open, they kept this file's process alive after its tests (CI waited for it until its time ran out)
    for (const d of owned.splice(0)) d.dispose();
    await cleanup([shopSlice]); // the baseline stays: it is the demo's
  });

  void test('the fork\'s SDK exports the route histogram and the orders counter; they reach alice\'s store', async () => {
    await createSlice(alice, sliceBody('alice', `tms-${id}`, 'shop', [{ workload: 'orders', syncPath: '/app/services/orders' }], { ttl: '1h' }));
    await waitForPhase(shopSlice, ['Ready'], 240_000);
    const pod = (await forkPod(shopNamespace, 'orders')).metadata!.name!;
    const transport = own(new PortForwardTransport({ kubeConfig: alice, namespace: shopNamespace, workload: 'orders', logger, requestTimeoutMs: 10_000, pingIntervalMs: 2000 }));
    const sub = await subscribeMetrics(transport);
    own(sub.connection);
    await sub.subscribed;
    const order = "const b=JSON.stringify({sku:'mug',qty:1});const q=require('http').request('http://127.0.0.1:8080/orders',{method:'POST',headers:{'content-type':'application/json'}},(r)=>{r.resume();r.on('end',()=>{process.stdout.write(String(r.statusCode));process.exit(0)})});q.end(b);";
    const r = await execIn(alice, shopNamespace, pod, 'app', ['node', '-e', order]);
    assert.equal(r.stdout, '201', r.stderr);
    // the SDK exports every 10 s (OTEL_METRIC_EXPORT_INTERVAL): the next export carries the request
    await eventually('the route histogram of POST /orders in alice\'s store', () => {
      const http = sub.metrics.filter((m): m is HistogramMetric => m.kind === 'histogram' && m.name === 'http.server.request.duration');
      return Promise.resolve(http.some((m) => m.points.some((p) => p.attributes['http.route'] === '/orders' && p.count > 0)) || undefined);
    }, 60_000, 500);
    assert.ok(sub.metrics.some((m) => m.name === 'shop.orders.created' && m.resource.serviceName === 'orders'));
    assert.ok(sub.metrics.some((m) => m.name.startsWith('v8js.') || m.name.startsWith('nodejs.')), 'runtime metrics too');
    assert.equal(sub.rejections.total, 0);
  });
});
