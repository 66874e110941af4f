// The live telemetry path on the real cluster, as alice: the app container of a fork POSTs OTLP
// (JSON, and gzip protobuf) to the agent's receiver on the pod's loopback; a TelemetryLink through
// the real port-forward receives it, and resumes without duplicates after the tunnel is cut; the
// pod log stream delivers what the app prints, once, across a reconnect and a replaced pod.
import { after, before, describe, test } from 'node:test';
import * as assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';
import * as k8s from '@kubernetes/client-node';
import { decodeTracesJson, decodeTracesProto } from '../../../src/core/telemetry';
import { PortForwardTransport } from '../../../src/platform/agent-link/portForwardTransport';
import { type RelayedPayload, TelemetryLink } from '../../../src/app/fork/telemetryLink';
import { type PodLogLine, PodLogStream } from '../../../src/platform/kube/podLogStream';
import { alice, cleanup, createBaseline, createSlice, forkPod, sliceBody, waitForPhase } from '../slices/sliceFixture';
import { eventually, execIn } from '../smoke/helpers';

const FIXTURES = join(__dirname, '..', '..', '..', '..', 'test', 'unit', 'core', 'telemetry', 'fixtures');
const JSON_TRACES = readFileSync(join(FIXTURES, 'otlp-traces-node-sdk.json'));
const PB_TRACES = readFileSync(join(FIXTURES, 'go-traces.pb'));

const id = randomBytes(3).toString('hex');
const baseline = `slice-test-baseline-tl${id}`;
const sliceName = `alice-tl-${id}`;
const namespace = `slice-${sliceName}`;
const WORKLOAD = 'tlapp';
/** The app: logs every request it serves. */
const APP = ['node', '-e', "require('http').createServer((q,s)=>{console.log('served '+q.url);s.end('ok')}).listen(8080)"];

/** POSTs a body (base64 in argv) from inside the app container; prints the status and response length. */
const POST = [
  "const [path,type,enc,b64]=process.argv.slice(1);const body=Buffer.from(b64,'base64');",
  "const h={'content-type':type,'content-length':body.length};if(enc!=='-')h['content-encoding']=enc;",
  "const r=require('http').request({host:'127.0.0.1',port:4318,method:'POST',path,headers:h},(res)=>{let n=0;res.on('data',(c)=>n+=c.length);res.on('end',()=>{process.stdout.write(res.statusCode+' '+n);process.exit(0)})});",
  "r.on('error',(e)=>{console.error(e.message);process.exit(4)});r.end(body);",
].join('');

/** Polls a condition every 100 ms; fails after `ms` saying what it waited for. */
async function waitFor(what: string, check: () => boolean, ms: number): Promise<void> {
  const deadline = Date.now() + ms;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out after ${ms} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

async function appPod(): Promise<string> {
  return (await forkPod(namespace, WORKLOAD)).metadata!.name!;
}

async function post(pod: string, path: string, type: string, encoding: string, body: Uint8Array): Promise<string> {
  const r = await execIn(alice, namespace, pod, WORKLOAD, ['node', '-e', POST, path, type, encoding, Buffer.from(body).toString('base64')]);
  if (r.status !== 'Success') throw new Error(`exec failed: ${r.message} ${r.stderr}`);
  return r.stdout;
}

async function request(pod: string, path: string): Promise<void> {
  const r = await execIn(alice, namespace, pod, WORKLOAD, ['node', '-e', `require('http').get('http://127.0.0.1:8080${path}',(res)=>{res.resume();res.on('end',()=>process.exit(0))})`]);
  if (r.status !== 'Success') throw new Error(`exec failed: ${r.message} ${r.stderr}`);
}

const logs: string[] = [];
const logger = { trace: () => undefined, debug: () => undefined, info: (m: string) => logs.push(`info ${m}`), warn: (m: string) => logs.push(`warn ${m}`), error: (m: unknown) => logs.push(`error ${String(m)}`) };
const owned: { dispose(): void }[] = [];
const own = <T extends { dispose(): void }>(d: T): T => (owned.push(d), d);

void describe('telemetry: the live path on the real cluster', { timeout: 600_000 }, () => {
  before(async () => {
    await createBaseline(baseline, [{ name: WORKLOAD, container: { command: APP } }]);
    await createSlice(alice, sliceBody('alice', `tl-${id}`, baseline, [{ workload: WORKLOAD }], { ttl: '1h' }));
    await waitForPhase(sliceName, ['Ready'], 180_000);
  });
  after(async () => {
    for (const d of owned.splice(0)) d.dispose();
    await cleanup([sliceName], baseline);
  });

  void test('OTLP from the app container reaches the telemetry link; a cut tunnel resumes with no duplicate and no loss', async () => {
    const pod = await appPod();
    const transport = own(new PortForwardTransport({ kubeConfig: alice, namespace, workload: WORKLOAD, logger, requestTimeoutMs: 10_000, pingIntervalMs: 2000 }));
    const link = own(new TelemetryLink({ transport, logger, backoff: { initialMs: 100, maxMs: 1000 } }));
    const got: RelayedPayload[] = [];
    link.onPayload((p) => got.push(p));
    link.onStateChange((st) => logs.push(`link ${st}`));
    link.onError((e) => logs.push(`link error ${e.message}`));
    link.start();
    try {
      assert.equal(await post(pod, '/v1/traces', 'application/json', '-', JSON_TRACES), '200 2');
      assert.equal(await post(pod, '/v1/traces', 'application/x-protobuf', 'gzip', gzipSync(PB_TRACES)), '200 0');
      await waitFor('the two payloads at the link', () => got.length >= 2, 60_000);
      assert.deepEqual(got.map((p) => [p.seq, p.kind, p.encoding]), [[1, 'traces', 'json'], [2, 'traces', 'protobuf']]);
      assert.deepEqual(Buffer.from(got[0]!.body), JSON_TRACES);
      assert.deepEqual(Buffer.from(got[1]!.body), gunzipSync(gzipSync(PB_TRACES)));
      // real OTLP, decodable by the editor's decoders
      const spans = decodeTracesJson(got[0]!.body, { source: 'slice' });
      assert.ok(spans.ok && spans.value.length > 0);
      const pbSpans = decodeTracesProto(got[1]!.body, { source: 'slice' });
      assert.ok(pbSpans.ok && pbSpans.value.length > 0);

      // cut the tunnel; payloads posted while the link is down arrive after the reconnect, once
      for (let round = 0; round < 2; round++) {
        assert.ok(transport.cutConnections() >= 1, 'a tunnel was open');
        for (let i = 0; i < 2; i++) assert.equal(await post(pod, '/v1/logs', 'application/json', '-', Buffer.from(JSON.stringify({ resourceLogs: [], round, i }))), '200 2');
        await waitFor(`round ${round}`, () => got.length >= 4 + round * 2, 60_000);
      }
      await new Promise((r) => setTimeout(r, 1000)); // anything duplicated would have arrived by now
      assert.deepEqual(got.map((p) => p.seq), [1, 2, 3, 4, 5, 6]);
      assert.equal(link.counts.dropped, 0);
      assert.ok(link.counts.connects >= 3, `reconnected (${link.counts.connects} connections)`);
    } finally {
      if (got.length < 6) {
        const agent = await execIn(alice, namespace, pod, 'slice-agent', ['node', '-e', 'process.stdout.write(String(process.pid))']).catch((e: unknown) => ({ stdout: String(e) }));
        process.stderr.write(`link logs:\n${logs.slice(-30).join('\n')}\nagent exec: ${agent.stdout}\n`);
      }
    }
  });

  void test('the pod log stream delivers what the app prints, once across a reconnect, and follows a replaced pod; so does the telemetry link', async () => {
    const pod = await appPod();
    const link = own(new TelemetryLink({ transport: own(new PortForwardTransport({ kubeConfig: alice, namespace, workload: WORKLOAD, logger, requestTimeoutMs: 10_000, pingIntervalMs: 2000 })), logger, backoff: { initialMs: 100, maxMs: 1000 } }));
    const relayed: RelayedPayload[] = [];
    link.onPayload((p) => relayed.push(p));
    link.start();
    const stream = own(new PodLogStream({ kubeConfig: alice, namespace, selector: `slice.dev/fork=${WORKLOAD}`, logger, backoff: { initialMs: 100, maxMs: 1000 } }));
    const lines: PodLogLine[] = [];
    const errors: string[] = [];
    stream.onLine((l) => lines.push(l));
    stream.onError((e) => errors.push(e.message));
    stream.start();
    const seen = (text: string) => lines.filter((l) => l.text === text).length;
    try {
      await request(pod, '/tl-mark-1');
      await waitFor('mark 1', () => seen('served /tl-mark-1') === 1, 60_000);
      // several reconnects, each resending the last second of the log
      for (let round = 2; round <= 4; round++) {
        stream.cut();
        await request(pod, `/tl-mark-${round}`);
        await waitFor(`mark ${round}`, () => seen(`served /tl-mark-${round}`) === 1, 60_000);
      }
      assert.ok(stream.counts.connects >= 4, `reconnected (${stream.counts.connects} connections)`);
      const keys = lines.map((l) => `${l.pod} ${l.timestamp} ${l.text}`);
      assert.equal(new Set(keys).size, keys.length, `no line twice:\n${keys.join('\n')}`);
      for (let round = 1; round <= 4; round++) assert.equal(seen(`served /tl-mark-${round}`), 1);

      // the pod is replaced (deleted; the Deployment makes a new one): the stream follows the new pod
      await alice.makeApiClient(k8s.CoreV1Api).deleteNamespacedPod({ name: pod, namespace });
      const fresh = await eventually('a new pod', async () => {
        const p = await appPod();
        return p !== pod ? p : undefined;
      }, 120_000);
      await waitFor('the stream on the new pod', () => stream.currentPod === fresh, 60_000);
      await request(fresh, '/tl-mark-5');
      await waitFor('mark 5', () => lines.some((l) => l.pod === fresh && l.text === 'served /tl-mark-5'), 60_000);
      assert.equal(seen('served /tl-mark-5'), 1);

      // the new pod's agent is a new process counting from #1: the link starts over with it
      const before = relayed.length;
      assert.ok(before >= 6, `the old agent's payloads (${before})`);
      assert.equal(await post(fresh, '/v1/traces', 'application/json', '-', JSON_TRACES), '200 2');
      await waitFor('the new agent\'s payload', () => relayed.length === before + 1, 90_000);
      assert.equal(relayed[before]!.seq, 1);
      assert.deepEqual(Buffer.from(relayed[before]!.body), JSON_TRACES);
    } finally {
      if (seen('served /tl-mark-5') !== 1) console.log([...errors.slice(-10), ...logs.slice(-20)].join('\n'));
    }
  });
});
