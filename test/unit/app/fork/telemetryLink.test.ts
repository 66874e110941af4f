// The editor's telemetry link on a real agent over loopback: with `metrics`, it subscribes to the
// agent's metrics stream on the same socket as traces and logs, delivers both kinds, and after a
// cut resumes each stream after its own last sequence number (no payload twice, none lost).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { PayloadRing } from '../../../../src/agent/otlpRing';
import { AgentServer } from '../../../../src/agent/server';
import { TelemetryLink } from '../../../../src/app/fork/telemetryLink';
import { WsTransport } from '../../../../src/platform/agent-link/wsTransport';
import { fixtureBytes as metricFixture } from '../../core/telemetry/metrics/fixtures';
import { fixtureBytes } from '../../core/telemetry/fixtures';
import { until } from '../../../support/until';

async function withAgent(fn: (agentPort: number, ring: PayloadRing) => Promise<void>): Promise<void> {
  const ring = new PayloadRing();
  const server = new AgentServer({ host: '127.0.0.1', port: 0, token: 'tok', syncRoot: '/tmp', version: 't', log: () => undefined, telemetry: ring });
  const port = await server.listen();
  try {
    await fn(port, ring);
  } finally {
    await server.close();
  }
}

const ws = (port: number) => new WsTransport({ url: `ws://127.0.0.1:${port}/v1/connect`, token: 'tok', pingIntervalMs: 0 });

test('with metrics, one link carries traces and metrics, each stream resuming after its own cursor across a cut', async () => {
  await withAgent(async (port, ring) => {
    const link = new TelemetryLink({ transport: ws(port), backoff: { initialMs: 10, maxMs: 50 }, metrics: true });
    const got: string[] = [];
    link.onPayload((p) => got.push(`${p.kind}#${p.seq}`));
    try {
      ring.push('metrics', 'json', metricFixture('cumulative.1.json'));
      ring.push('traces', 'json', fixtureBytes('otlp-traces-node-sdk.json'));
      ring.push('metrics', 'json', metricFixture('cumulative.2.json'));
      link.start();
      await until('three payloads', () => got.length === 3);
      assert.deepEqual([...got].sort(), ['metrics#1', 'metrics#2', 'traces#1']);
      link.cut();
      await until('the link back', () => link.counts.connects === 2);
      ring.push('metrics', 'json', metricFixture('cumulative.3.json'));
      ring.push('traces', 'json', fixtureBytes('otlp-traces-node-sdk.json'));
      await until('five payloads', () => got.length === 5);
      await new Promise((r) => setTimeout(r, 50));
      assert.deepEqual([...got].sort(), ['metrics#1', 'metrics#2', 'metrics#3', 'traces#1', 'traces#2'], 'nothing twice after the resubscribe');
      assert.equal(link.lastMetricsSequence, 3);
      assert.equal(link.lastSequence, 2);
      assert.deepEqual([link.counts.dropped, link.counts.metricsDropped, link.counts.metricsReceived], [0, 0, 3]);
    } finally {
      link.dispose();
    }
  });
});

test('without metrics, the link never subscribes to the metrics stream (nothing of it arrives)', async () => {
  await withAgent(async (port, ring) => {
    const link = new TelemetryLink({ transport: ws(port), backoff: { initialMs: 10, maxMs: 50 } });
    const got: string[] = [];
    link.onPayload((p) => got.push(p.kind));
    try {
      ring.push('metrics', 'json', metricFixture('cumulative.1.json'));
      ring.push('traces', 'json', fixtureBytes('otlp-traces-node-sdk.json'));
      link.start();
      await until('the trace payload', () => got.length === 1);
      await new Promise((r) => setTimeout(r, 50));
      assert.deepEqual(got, ['traces']);
    } finally {
      link.dispose();
    }
  });
});
