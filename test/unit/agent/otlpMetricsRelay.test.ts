// Metrics through the agent: OTLP metrics POSTed to the receiver are held in the metrics ring and
// relayed only to a client that subscribes to the metrics stream, with their own sequence numbers;
// a traces-and-logs client on the same agent never sees them (no junk, no false gaps); a client
// without the agent's token gets nothing.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { request } from 'node:http';
import { OtlpReceiver } from '../../../src/agent/otlpReceiver';
import { PayloadRing } from '../../../src/agent/otlpRing';
import { TelemetryRelay } from '../../../src/agent/otlpRelay';
import { AgentServer } from '../../../src/agent/server';
import { parseMessage } from '../../../src/core/agent/messages';
import { MessageType, decodeFrame } from '../../../src/core/agent/protocol';
import { TelemetryLink } from '../../../src/app/fork/telemetryLink';
import { WsTransport } from '../../../src/platform/agent-link/wsTransport';
import { distribution } from '../../../src/core/telemetry/metrics/read';
import { subscribeMetrics } from '../../support/metricsStream';
import { fixtureBytes as metricFixture } from '../core/telemetry/metrics/fixtures';
import { fixtureBytes } from '../core/telemetry/fixtures';
import { until } from '../../support/until';

function post(port: number, path: string, type: string, body: Uint8Array): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, method: 'POST', path, headers: { 'content-type': type } }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
    });
    req.on('error', reject);
    req.end(body);
  });
}

async function withAgent(fn: (agentPort: number, otlpPort: number, ring: PayloadRing) => Promise<void>): Promise<void> {
  const ring = new PayloadRing();
  const server = new AgentServer({ host: '127.0.0.1', port: 0, token: 'tok', syncRoot: '/tmp', version: 't', log: () => undefined, telemetry: ring });
  const receiver = new OtlpReceiver({ ring, port: 0, log: () => undefined });
  const [agentPort, otlpPort] = [await server.listen(), await receiver.listen()];
  try {
    await fn(agentPort, otlpPort, ring);
  } finally {
    await receiver.close();
    await server.close();
  }
}

const ws = (port: number, token = 'tok') => new WsTransport({ url: `ws://127.0.0.1:${port}/v1/connect`, token, pingIntervalMs: 0 });

test('metrics POSTed to the agent reach a metrics-stream subscriber and its store; a traces-and-logs client gets none of them', async () => {
  await withAgent(async (agentPort, otlpPort) => {
    const link = new TelemetryLink({ transport: ws(agentPort), backoff: { initialMs: 10, maxMs: 50 } });
    const kinds: string[] = [];
    link.onPayload((p) => kinds.push(p.kind));
    link.start();
    const sub = await subscribeMetrics(ws(agentPort));
    try {
      assert.deepEqual(await sub.subscribed, { first: 0, last: 0, dropped: 0 });
      assert.equal(await post(otlpPort, '/v1/metrics', 'application/json', metricFixture('cumulative.1.json')), 200);
      assert.equal(await post(otlpPort, '/v1/traces', 'application/json', fixtureBytes('otlp-traces-node-sdk.json')), 200);
      assert.equal(await post(otlpPort, '/v1/metrics', 'application/x-protobuf', metricFixture('cumulative.2.pb')), 200);
      await until('two metric payloads', () => sub.frames.length === 2);
      await until('the trace payload', () => kinds.length === 1);
      assert.deepEqual(sub.frames.map((f) => [f.seq, f.kind, f.encoding, f.dropped]), [[1, 'metrics', 'json', 0], [2, 'metrics', 'protobuf', 0]]);
      assert.deepEqual(kinds, ['traces']);
      assert.equal(link.counts.dropped, 0, 'the metrics stream leaves no gap in the traces stream');
      assert.equal(sub.rejections.total, 0);
      const http = distribution(sub.store, 'slice', 'http.server.request.duration', 0, Date.now() + 60_000, (a) => a['http.route'] === '/orders');
      assert.ok(http && http.count > 0, 'the route histogram is in the store');
      assert.equal(sub.store.seriesOf('slice', 'shop.orders.created').length, 2);
    } finally {
      sub.connection.dispose();
      link.dispose();
    }
  });
});

test('a resubscribe after #n resumes the metrics stream there; the traces stream keeps its own cursor', async () => {
  await withAgent(async (agentPort, _otlp, ring) => {
    for (let i = 0; i < 3; i++) ring.push('metrics', 'json', metricFixture('delta.1.json'));
    ring.push('traces', 'json', fixtureBytes('otlp-traces-node-sdk.json'));
    const sub = await subscribeMetrics(ws(agentPort), 2);
    try {
      assert.deepEqual(await sub.subscribed, { first: 1, last: 3, dropped: 0 });
      await until('the payload after #2', () => sub.frames.length === 1);
      assert.equal(sub.frames[0]!.seq, 3);
    } finally {
      sub.connection.dispose();
    }
  });
});

test('without the agent\'s token there is no metrics stream', async () => {
  await withAgent(async (agentPort, _otlp, ring) => {
    ring.push('metrics', 'json', metricFixture('delta.1.json'));
    await assert.rejects(subscribeMetrics(ws(agentPort, 'not-the-token')));
  });
});

test('the relay keeps one cursor per stream on a socket, and answers an agent without a metrics ring with an empty stream', () => {
  const sent: Uint8Array[] = [];
  const socket = { send: (f: Uint8Array) => sent.push(f), bufferedAmount: 0 };
  const messages = () => sent.map((f) => {
    const frame = decodeFrame(f);
    assert.ok(frame.ok);
    const m = parseMessage(frame.value);
    assert.ok(m.ok);
    return m.value;
  });
  const ring = new PayloadRing();
  const relay = new TelemetryRelay(ring, socket);
  relay.subscribe(1, 0);
  relay.subscribe(2, 0, 'metrics');
  ring.push('metrics', 'json', new Uint8Array(4));
  ring.push('traces', 'json', new Uint8Array(4));
  ring.push('metrics', 'protobuf', new Uint8Array(4));
  const payloads = messages().flatMap((m) => (m.type === MessageType.TelemetryPayload ? [[m.meta.kind, m.meta.seq, m.meta.dropped]] : []));
  assert.deepEqual(payloads, [['metrics', 1, 0], ['traces', 1, 0], ['metrics', 2, 0]]);
  relay.dispose();
  sent.length = 0;
  const bare = new TelemetryRelay(new PayloadRing({ metrics: false }), socket);
  bare.subscribe(3, 0, 'metrics');
  assert.deepEqual(messages(), [{ type: MessageType.TelemetrySubscribed, meta: { first: 0, last: 0, dropped: 0 } }]);
  bare.dispose();
});
