// The baseline's metrics to each routed slice's owner (issue 23): a baseline workload exports OTLP
// metrics to the platform's collector, whose metrics/<slice ns> pipeline marks them as the
// baseline's and sends them to the slice's agent; the owner's editor receives them on the metrics
// stream through a port-forward made with their own identity, and stores them as the baseline's.
// Bob cannot put metrics into alice's slice: his fork reaches neither the collector nor alice's
// routed port. Needs the platform installed from this tree (scripts/platform-install.sh).
import { after, before, describe, test } from 'node:test';
import * as assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import * as k8s from '@kubernetes/client-node';
import { ROUTED_OTLP_PORT, ROUTED_OTLP_SERVICE } from '../../../src/core/routing/routedTelemetry';
import { PortForwardTransport } from '../../../src/platform/agent-link/portForwardTransport';
import { TelemetryLink } from '../../../src/app/fork/telemetryLink';
import { decodePayload } from '../../../src/core/telemetry/decodePayload';
import { type Metric } from '../../../src/core/telemetry/metrics/model';
import { routeHistogramPayload } from '../../support/routeHistograms';
import { postFrom } from './postFromPod';
import { admin, alice, bob, cleanup, createBaseline, createSlice, forkPod, sliceBody, waitForPhase } from '../slices/sliceFixture';

const id = randomBytes(3).toString('hex');
const baseline = `slice-test-baseline-bm${id}`;
const aliceSlice = `alice-bm-${id}`;
const bobSlice = `bob-bm-${id}`;
const WORKLOAD = 'web';
const COLLECTOR = 'http://slice-otelcol.slice-system.svc.cluster.local:4318/v1/metrics';


async function waitFor(what: string, check: () => boolean, ms: number, tick?: () => Promise<void>): Promise<void> {
  const deadline = Date.now() + ms;
  let last = 0;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out after ${ms} ms waiting for ${what}`);
    if (tick && Date.now() - last >= 5000) {
      last = Date.now();
      await tick();
    }
    await new Promise((r) => setTimeout(r, 200));
  }
}

const logs: string[] = [];
const logger = { trace: () => undefined, debug: () => undefined, info: (m: string) => logs.push(`info ${m}`), warn: (m: string) => logs.push(`warn ${m}`), error: (m: unknown) => logs.push(`error ${String(m)}`) };
const owned: { dispose(): void }[] = [];

/** The editor's metrics subscription as `kc` to the fork of `slice`: every metric it relays, decoded as the pipeline decodes it. */
function metricsOf(kc: k8s.KubeConfig, slice: string): Metric[] {
  const transport = new PortForwardTransport({ kubeConfig: kc, namespace: `slice-${slice}`, workload: WORKLOAD, logger, requestTimeoutMs: 10_000, pingIntervalMs: 2000 });
  const link = new TelemetryLink({ transport, logger, backoff: { initialMs: 100, maxMs: 1000 }, metrics: true });
  owned.push(link, transport);
  const out: Metric[] = [];
  link.onPayload((p) => {
    if (p.kind !== 'metrics') return;
    const a = decodePayload({ kind: 'metrics', encoding: p.encoding, body: p.body, source: 'slice' });
    if (a.kind === 'metrics') out.push(...a.metrics);
  });
  link.start();
  return out;
}

const served = (metrics: readonly Metric[], service: string) => metrics.filter((m) => m.resource.serviceName === service && m.name === 'http.server.request.duration');

void describe('the baseline\'s metrics to the slice owner', { timeout: 600_000 }, () => {
  let web: { name: string; container: string };
  before(async () => {
    await createBaseline(baseline);
    await createSlice(alice, sliceBody('alice', `bm-${id}`, baseline, [{ workload: WORKLOAD }], { ttl: '1h' }));
    await createSlice(bob, sliceBody('bob', `bm-${id}`, baseline, [{ workload: WORKLOAD }], { ttl: '1h' }));
    await waitForPhase(aliceSlice, ['Ready'], 180_000);
    await waitForPhase(bobSlice, ['Ready'], 180_000);
    const pods = await admin.makeApiClient(k8s.CoreV1Api).listNamespacedPod({ namespace: baseline, labelSelector: `app=${WORKLOAD}` });
    const p = pods.items.find((x) => x.status?.phase === 'Running' && !x.metadata?.deletionTimestamp);
    assert.ok(p, 'the baseline pod runs');
    web = { name: p.metadata!.name!, container: p.spec!.containers[0]!.name };
  });
  after(async () => {
    for (const d of owned.splice(0)) d.dispose();
    await cleanup([aliceSlice, bobSlice], baseline);
  });

  void test('the baseline\'s route histogram reaches alice\'s editor marked as the baseline\'s; bob\'s forged metrics reach no one', async () => {
    const hers = metricsOf(alice, aliceSlice);
    const service = `baseline-web-${id}`;
    // the collector picks up a new slice's pipeline when the kubelet swaps its config file (up to about a minute)
    await waitFor('the baseline\'s metrics at alice', () => served(hers, service).length > 0, 240_000, async () => {
      const body = routeHistogramPayload(service, [{ route: '/orders', method: 'GET', timeMs: Date.now() - 1000, durationsMs: [8, 9, 12] }]);
      await postFrom(admin, baseline, web, COLLECTOR, body);
    });
    const m = served(hers, service)[0]!;
    assert.equal(m.source, 'baseline', 'stored as the baseline\'s (slice.source=baseline from the collector)');
    assert.equal(m.resource.attributes['slice.source'], 'baseline');

    const forged = `forged-${id}`;
    const pod = (await forkPod(`slice-${bobSlice}`, WORKLOAD)).metadata!.name!;
    const body = routeHistogramPayload(forged, [{ route: '/orders', method: 'GET', timeMs: Date.now() - 1000, durationsMs: [1] }]);
    for (const url of [COLLECTOR, `http://${ROUTED_OTLP_SERVICE}.slice-${aliceSlice}.svc.cluster.local:${ROUTED_OTLP_PORT}/v1/metrics`]) {
      const out = await postFrom(bob, `slice-${bobSlice}`, { name: pod, container: WORKLOAD }, url, body);
      assert.match(out, /^error /, `bob's fork reached ${url}: ${out}`);
    }
    // a baseline export after bob's attempts: had his got through, it would have arrived first
    const after = hers.length;
    await waitFor('another baseline export at alice', () => hers.length > after, 60_000, async () => {
      await postFrom(admin, baseline, web, COLLECTOR, routeHistogramPayload(service, [{ route: '/orders', method: 'GET', timeMs: Date.now() - 1000, durationsMs: [7] }]));
    });
    assert.equal(hers.filter((x) => x.resource.serviceName === forged).length, 0, 'none of bob\'s');
  });
});
