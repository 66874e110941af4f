// The baseline collector itself, on loopback (no Kubernetes): the real binary built from the module
// proxy (test/cluster/build.sh otelcol, cached) with the config the controller writes
// (collectorConfig), its exporters pointed at real agent receivers and rings (src/agent). Checks the
// whole-trace behaviour the design rests on, and the in-place reload:
// - a trace's spans without the key are held, and released with the first span that has it;
// - a slice's pipeline sends only that slice's traces, marked as the baseline's;
// - a rewritten config file is picked up without a restart, the old slice's traces still flowing.
import { after, before, describe, test } from 'node:test';
import * as assert from 'node:assert/strict';
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { OtlpReceiver } from '../../../src/agent/otlpReceiver';
import { PayloadRing } from '../../../src/agent/otlpRing';
import { type RoutedSlice, collectorConfig } from '../../../src/core/routing/collectorConfig';
import { ROUTING_KEY_ATTRIBUTE } from '../../../src/core/routing/routedTelemetry';
import { type Span, decodeTracesProto } from '../../../src/core/telemetry';
import { spanOrigin } from '../../../src/core/telemetry/routedTrace';

const ROOT = join(__dirname, '..', '..', '..', '..');
const hex = (n: number) => randomBytes(n).toString('hex');

/** The collector binary (built once per version and cached by build.sh; SLICE_OTELCOL_BIN: another build of go/otelcol). */
function collectorBinary(): string {
  if (process.env.SLICE_OTELCOL_BIN) return process.env.SLICE_OTELCOL_BIN;
  execFileSync('bash', [join(ROOT, 'test/cluster/build.sh'), 'otelcol'], { stdio: ['ignore', 'ignore', 'inherit'] });
  return join(execFileSync('bash', [join(ROOT, 'test/cluster/build.sh'), '--print-dir', 'otelcol'], { encoding: 'utf8' }).trim(), 'otelcol');
}

interface Agent {
  readonly ring: PayloadRing;
  readonly receiver: OtlpReceiver;
  port: number;
  spans(): Span[];
}

async function agent(): Promise<Agent> {
  const ring = new PayloadRing();
  const receiver = new OtlpReceiver({ ring, host: '127.0.0.1', port: 0, log: () => undefined });
  const port = await receiver.listen();
  return {
    ring,
    receiver,
    port,
    spans: () => {
      const out: Span[] = [];
      for (let p = ring.after(0); p; p = ring.after(p.seq)) {
        const r = p.kind === 'traces' && p.encoding === 'protobuf' ? decodeTracesProto(p.body, { source: 'slice' }) : undefined;
        if (r?.ok) out.push(...r.value);
      }
      return out;
    },
  };
}

function post(port: number, body: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, method: 'POST', path: '/v1/traces', headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) } }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
    });
    req.on('error', reject);
    req.end(body);
  });
}

function otlp(traceId: string, spans: readonly { spanId: string; parent?: string; service: string; kind: number; slice?: string }[]): string {
  const now = BigInt(Date.now()) * 1_000_000n;
  return JSON.stringify({
    resourceSpans: spans.map((s) => ({
      resource: { attributes: [{ key: 'service.name', value: { stringValue: s.service } }] },
      scopeSpans: [
        {
          spans: [
            {
              traceId,
              spanId: s.spanId,
              ...(s.parent ? { parentSpanId: s.parent } : {}),
              name: `${s.service} ${s.spanId}`,
              kind: s.kind,
              startTimeUnixNano: String(now),
              endTimeUnixNano: String(now + 1_000_000n),
              attributes: s.slice ? [{ key: ROUTING_KEY_ATTRIBUTE, value: { stringValue: s.slice } }] : [],
            },
          ],
        },
      ],
    })),
  });
}

async function waitFor(what: string, check: () => boolean, ms: number, tick?: () => Promise<unknown>): Promise<void> {
  const deadline = Date.now() + ms;
  let last = 0;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out after ${ms} ms waiting for ${what}`);
    if (tick && Date.now() - last >= 500) {
      last = Date.now();
      await tick();
    }
    await new Promise((r) => setTimeout(r, 20));
  }
}

void describe('the baseline collector on loopback', { timeout: 900_000 }, () => {
  let dir: string;
  let proc: ChildProcess | undefined;
  let output = '';
  const agents: Record<string, Agent> = {};
  const http = 20000 + Math.floor(Math.random() * 20000);
  const write = (slices: readonly RoutedSlice[]) => {
    const c = collectorConfig(slices) as { receivers: { otlp: { protocols: { http: { endpoint: string }; grpc: { endpoint: string } } } }; exporters: Record<string, { endpoint?: string }> };
    c.receivers.otlp.protocols.http.endpoint = `127.0.0.1:${http}`;
    c.receivers.otlp.protocols.grpc.endpoint = `127.0.0.1:${http + 1}`;
    for (const s of slices) c.exporters[`otlp_http/${s.namespace}`]!.endpoint = `http://127.0.0.1:${agents[s.slice]!.port}`;
    writeFileSync(join(dir, 'config.yaml'), JSON.stringify(c, null, 2));
  };

  before(async () => {
    const bin = collectorBinary();
    dir = mkdtempSync(join(tmpdir(), 'slice-otelcol-'));
    agents['alice-a'] = await agent();
    agents['bob-b'] = await agent();
    write([{ slice: 'alice-a', namespace: 'slice-alice-a' }]);
    proc = spawn(bin, [`--config=file:${join(dir, 'config.yaml')}`], { stdio: ['ignore', 'pipe', 'pipe'] });
    proc.stdout?.on('data', (d: Buffer) => (output += d.toString()));
    proc.stderr?.on('data', (d: Buffer) => (output += d.toString()));
    await waitFor('the collector listening', () => /Everything is ready/.test(output), 60_000);
  });
  after(async () => {
    proc?.kill('SIGTERM');
    for (const a of Object.values(agents)) await a.receiver.close();
    rmSync(dir, { recursive: true, force: true });
  });

  void test('spans without the key wait for the first span with it, then the whole trace goes to that slice only, marked as the baseline', async () => {
    const trace = hex(16);
    const [root, client, callee] = [hex(8), hex(8), hex(8)];
    assert.equal(await post(http, otlp(trace, [{ spanId: callee, parent: client, service: 'inventory', kind: 2 }])), 200);
    await new Promise((r) => setTimeout(r, 300));
    assert.equal(agents['alice-a']!.spans().filter((s) => s.traceId === trace).length, 0, 'held while no span had the key');
    assert.equal(await post(http, otlp(trace, [{ spanId: root, service: 'orders', kind: 2, slice: 'alice-a' }, { spanId: client, parent: root, service: 'orders', kind: 3, slice: 'alice-a' }])), 200);
    await waitFor('the whole trace', () => agents['alice-a']!.spans().filter((s) => s.traceId === trace).length === 3, 10_000);
    // a late span of the same trace follows at once
    const late = hex(8);
    assert.equal(await post(http, otlp(trace, [{ spanId: late, parent: callee, service: 'inventory', kind: 3 }])), 200);
    await waitFor('the late span', () => agents['alice-a']!.spans().some((s) => s.spanId === late), 10_000);
    const got = agents['alice-a']!.spans().filter((s) => s.traceId === trace);
    assert.ok(got.every((s) => spanOrigin(s) === 'baseline'));
    // another slice's key, or none: not alice's
    const other = hex(16);
    assert.equal(await post(http, otlp(other, [{ spanId: hex(8), service: 'orders', kind: 2, slice: 'bob-b' }, { spanId: hex(8), service: 'orders', kind: 2 }])), 200);
    await new Promise((r) => setTimeout(r, 500));
    assert.ok(!agents['alice-a']!.spans().some((s) => s.traceId === other));
  });

  void test('a rewritten config is reloaded in place: the new slice gets its traces, the old one keeps getting its own', async () => {
    const pid = proc?.pid;
    write([{ slice: 'alice-a', namespace: 'slice-alice-a' }, { slice: 'bob-b', namespace: 'slice-bob-b' }]);
    const bobTrace = hex(16);
    await waitFor("bob's trace after the reload", () => agents['bob-b']!.spans().some((s) => s.traceId === bobTrace), 30_000, () => post(http, otlp(bobTrace, [{ spanId: hex(8), service: 'orders', kind: 2, slice: 'bob-b' }])).catch(() => 0));
    assert.equal(proc?.pid, pid);
    assert.equal(proc?.exitCode, null, 'the collector was not restarted');
    assert.match(output, /reloading the configuration/);
    const aliceTrace = hex(16);
    await waitFor("alice's trace after the reload", () => agents['alice-a']!.spans().some((s) => s.traceId === aliceTrace), 10_000, () => post(http, otlp(aliceTrace, [{ spanId: hex(8), service: 'orders', kind: 2, slice: 'alice-a' }])));
    assert.ok(!agents['bob-b']!.spans().some((s) => s.traceId === aliceTrace), "bob's pipeline takes none of alice's");
  });
});
