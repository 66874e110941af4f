// Whole traces on the real cluster (issue 22): the baseline's spans of a trace that carries a slice's
// routing key go through the platform's OpenTelemetry Collector (deploy/platform/70-otelcol.yaml) to
// that slice's agent, and the owner reads them through a port-forward made with their own identity.
// Bob can neither receive nor read alice's routed traces, nor reach the collector or alice's agent.
// A hop that drops the key is found in what alice receives.
//
// The baseline's workload POSTs OTLP/JSON to the collector as the sample's SDK does (from inside its
// own pod, so the collector's NetworkPolicy is the real one); the platform must be installed with the
// collector (scripts/platform-install.sh).
import { after, before, describe, test } from 'node:test';
import * as assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import * as k8s from '@kubernetes/client-node';
import { type Span, decodeTracesProto } from '../../../src/core/telemetry';
import { findKeyDrops, spanOrigin } from '../../../src/core/telemetry/routedTrace';
import { ROUTED_OTLP_PORT, ROUTED_OTLP_SERVICE, ROUTING_KEY_ATTRIBUTE } from '../../../src/core/routing/routedTelemetry';
import { PortForwardTransport } from '../../../src/platform/agent-link/portForwardTransport';
import { type RelayedPayload, TelemetryLink } from '../../../src/app/fork/telemetryLink';
import { postFrom } from './postFromPod';
import { admin, alice, bob, cleanup, createBaseline, createSlice, forkPod, sliceBody, waitForPhase } from '../slices/sliceFixture';
import { statusCode } from '../smoke/helpers';

const id = randomBytes(3).toString('hex');
const baseline = `slice-test-baseline-rt${id}`;
const aliceSlice = `alice-rt-${id}`;
const bobSlice = `bob-rt-${id}`;
const WORKLOAD = 'web';
const COLLECTOR = 'http://slice-otelcol.slice-system.svc.cluster.local:4318/v1/traces';


interface TestSpan {
  readonly spanId: string;
  readonly parent?: string;
  readonly service: string;
  readonly kind: 2 | 3;
  readonly slice?: string;
}

/** An OTLP/JSON ExportTraceServiceRequest with one resource per service, as a baseline SDK sends it. */
function otlp(traceId: string, spans: readonly TestSpan[]): string {
  const now = BigInt(Date.now()) * 1_000_000n;
  const byService = new Map<string, TestSpan[]>();
  for (const s of spans) byService.set(s.service, [...(byService.get(s.service) ?? []), s]);
  return JSON.stringify({
    resourceSpans: [...byService].map(([service, list]) => ({
      resource: { attributes: [{ key: 'service.name', value: { stringValue: service } }] },
      scopeSpans: [
        {
          scope: { name: 'routed-test' },
          spans: list.map((s) => ({
            traceId,
            spanId: s.spanId,
            ...(s.parent ? { parentSpanId: s.parent } : {}),
            name: `${service} ${s.spanId}`,
            kind: s.kind,
            startTimeUnixNano: String(now),
            endTimeUnixNano: String(now + 1_000_000n),
            attributes: s.slice ? [{ key: ROUTING_KEY_ATTRIBUTE, value: { stringValue: s.slice } }] : [],
          })),
        },
      ],
    })),
  });
}

const hex = (n: number) => randomBytes(n).toString('hex');

async function podOf(kc: k8s.KubeConfig, namespace: string, selector: string): Promise<{ name: string; container: string }> {
  const pods = await kc.makeApiClient(k8s.CoreV1Api).listNamespacedPod({ namespace, labelSelector: selector });
  const p = pods.items.find((x) => x.status?.phase === 'Running' && !x.metadata?.deletionTimestamp);
  if (!p) throw new Error(`no running pod ${selector} in ${namespace}`);
  return { name: p.metadata!.name!, container: p.spec!.containers[0]!.name };
}

async function waitFor(what: string, check: () => boolean, ms: number, tick?: () => Promise<void>): Promise<void> {
  const deadline = Date.now() + ms;
  let last = 0;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out after ${ms} ms waiting for ${what}`);
    if (tick && Date.now() - last >= 3000) {
      last = Date.now();
      await tick();
    }
    await new Promise((r) => setTimeout(r, 100));
  }
}

const logs: string[] = [];
const logger = { trace: () => undefined, debug: () => undefined, info: (m: string) => logs.push(`info ${m}`), warn: (m: string) => logs.push(`warn ${m}`), error: (m: unknown) => logs.push(`error ${String(m)}`) };
const owned: { dispose(): void }[] = [];
const own = <T extends { dispose(): void }>(d: T): T => (owned.push(d), d);

/** A telemetry link as `kc` to the fork of `slice`, collecting the spans it relays. */
function spansOf(kc: k8s.KubeConfig, slice: string): { spans: Span[]; payloads: RelayedPayload[] } {
  const transport = own(new PortForwardTransport({ kubeConfig: kc, namespace: `slice-${slice}`, workload: WORKLOAD, logger, requestTimeoutMs: 10_000, pingIntervalMs: 2000 }));
  const link = own(new TelemetryLink({ transport, logger, backoff: { initialMs: 100, maxMs: 1000 } }));
  const out = { spans: [] as Span[], payloads: [] as RelayedPayload[] };
  link.onPayload((p) => {
    out.payloads.push(p);
    if (p.kind !== 'traces' || p.encoding !== 'protobuf') return;
    const r = decodeTracesProto(p.body, { source: 'slice' });
    if (r.ok) out.spans.push(...r.value);
  });
  link.start();
  return out;
}

void describe('whole traces: the baseline collector to the slice owner', { timeout: 600_000 }, () => {
  let web: { name: string; container: string };
  before(async () => {
    await createBaseline(baseline);
    await createSlice(alice, sliceBody('alice', `rt-${id}`, baseline, [{ workload: WORKLOAD }], { ttl: '1h' }));
    await createSlice(bob, sliceBody('bob', `rt-${id}`, baseline, [{ workload: WORKLOAD }], { ttl: '1h' }));
    await waitForPhase(aliceSlice, ['Ready'], 180_000);
    await waitForPhase(bobSlice, ['Ready'], 180_000);
    web = await podOf(admin, baseline, `app=${WORKLOAD}`);
  });
  after(async () => {
    for (const d of owned.splice(0)) d.dispose();
    await cleanup([aliceSlice, bobSlice], baseline);
  });

  void test("alice receives her routed traces whole (the baseline's own hops, marked as such, and the hop that dropped the key); bob receives none of them", async () => {
    const mine = spansOf(alice, aliceSlice);
    const his = spansOf(bob, bobSlice);
    // The controller writes the collector's config when the slices appear, and the kubelet swaps
    // the mounted file within a minute or so: probe until alice's pipeline carries a trace.
    const probe = hex(16);
    await waitFor('the first routed span at alice', () => mine.spans.some((s) => s.traceId === probe), 240_000, async () => {
      await postFrom(admin, baseline, web, COLLECTOR, otlp(probe, [{ spanId: hex(8), service: 'storefront', kind: 2, slice: aliceSlice }]));
    });

    // A trace through three baseline services: orders called inventory without the request's
    // baggage. inventory's span (no key) is exported first, as a real callee's is.
    const trace = hex(16);
    const [root, client, callee] = [hex(8), hex(8), hex(8)];
    assert.equal(await postFrom(admin, baseline, web, COLLECTOR, otlp(trace, [{ spanId: callee, parent: client, service: 'inventory', kind: 2 }])), '200');
    assert.equal(
      await postFrom(admin, baseline, web, COLLECTOR, otlp(trace, [
        { spanId: root, service: 'orders', kind: 2, slice: aliceSlice },
        { spanId: client, parent: root, service: 'orders', kind: 3, slice: aliceSlice },
      ])),
      '200',
    );
    // bob's own routed trace, sent after alice's: once it reached bob, alice's would have too
    const bobTrace = hex(16);
    const unkeyed = hex(16);
    assert.equal(await postFrom(admin, baseline, web, COLLECTOR, otlp(unkeyed, [{ spanId: hex(8), service: 'orders', kind: 2 }])), '200');
    await waitFor("bob's own routed trace at bob", () => his.spans.some((s) => s.traceId === bobTrace), 60_000, async () => {
      await postFrom(admin, baseline, web, COLLECTOR, otlp(bobTrace, [{ spanId: hex(8), service: 'storefront', kind: 2, slice: bobSlice }]));
    });
    await waitFor("alice's whole trace", () => mine.spans.filter((s) => s.traceId === trace).length === 3, 30_000);

    const got = mine.spans.filter((s) => s.traceId === trace);
    assert.deepEqual(new Set(got.map((s) => s.spanId)), new Set([root, client, callee]));
    assert.ok(got.every((s) => spanOrigin(s) === 'baseline'), 'every span marked as the baseline');
    const drops = findKeyDrops(got);
    assert.equal(drops.length, 1);
    assert.equal(drops[0]!.callerService, 'orders');
    assert.equal(drops[0]!.calleeService, 'inventory');

    // bob got his, and nothing of alice's; nobody got the trace without a key
    assert.ok(!his.spans.some((s) => s.traceId === trace || s.traceId === probe), "bob received none of alice's spans");
    assert.ok(!his.spans.some((s) => s.traceId === unkeyed) && !mine.spans.some((s) => s.traceId === unkeyed), 'a trace without a key goes to no one');
    assert.ok(!mine.spans.some((s) => s.traceId === bobTrace), "alice received none of bob's spans");
    // no payload twice
    const seqs = mine.payloads.map((p) => p.seq);
    assert.equal(new Set(seqs).size, seqs.length);
  });

  void test("bob cannot read the collector or its config, nor reach the collector or alice's agent from his fork", async () => {
    const core = bob.makeApiClient(k8s.CoreV1Api);
    for (const call of [
      () => core.readNamespacedConfigMap({ name: 'slice-otelcol-config', namespace: 'slice-system' }),
      () => core.listNamespacedPod({ namespace: 'slice-system' }),
      () => core.readNamespacedService({ name: ROUTED_OTLP_SERVICE, namespace: `slice-${aliceSlice}` }),
    ]) {
      const status = await call().then(
        () => 200,
        (e: unknown) => statusCode(e),
      );
      assert.equal(status, 403);
    }
    const pod = (await forkPod(`slice-${bobSlice}`, WORKLOAD)).metadata!.name!;
    const fromBob = { name: pod, container: WORKLOAD };
    const inject = otlp(hex(16), [{ spanId: hex(8), service: 'forged', kind: 2, slice: aliceSlice }]);
    // his fork's egress is denied to slice-system and to alice's namespace (the names resolve: it is the policy that stops them)
    for (const url of [COLLECTOR, `http://${ROUTED_OTLP_SERVICE}.slice-${aliceSlice}.svc.cluster.local:${ROUTED_OTLP_PORT}/v1/traces`]) {
      const out = await postFrom(bob, `slice-${bobSlice}`, fromBob, url, inject);
      assert.match(out, /^error /, url);
      assert.doesNotMatch(out, /ENOTFOUND|EAI_AGAIN/, `${url}: ${out}`);
      process.stderr.write(`bob -> ${url}: ${out}\n`);
    }
  });
});
