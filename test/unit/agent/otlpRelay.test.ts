import { test } from 'node:test';
import assert from 'node:assert/strict';
import { PayloadRing } from '../../../src/agent/otlpRing';
import { TelemetryRelay, relayRequest } from '../../../src/agent/otlpRelay';
import { AgentServer } from '../../../src/agent/server';
import { type Message, encodeMessage, parseMessage } from '../../../src/core/agent/messages';
import { MessageType, decodeFrame } from '../../../src/core/agent/protocol';
import { type RelayedPayload, TelemetryLink } from '../../../src/app/fork/telemetryLink';
import { WsTransport } from '../../../src/platform/agent-link/wsTransport';
import { until } from '../../support/until';

async function withAgent(ring: PayloadRing, fn: (port: number) => Promise<void>): Promise<void> {
  const server = new AgentServer({ host: '127.0.0.1', port: 0, token: 'tok', syncRoot: '/tmp', version: 't', log: () => undefined, telemetry: ring });
  const port = await server.listen();
  try {
    await fn(port);
  } finally {
    await server.close();
  }
}

const body = (i: number) => new TextEncoder().encode(JSON.stringify({ resourceSpans: [], i }));
const indexOf = (p: RelayedPayload) => (JSON.parse(new TextDecoder().decode(p.body)) as { i: number }).i;

test('the telemetry messages round-trip through the frame codec', () => {
  const messages: Message[] = [
    { type: MessageType.TelemetrySubscribe, meta: { since: 42 } },
    { type: MessageType.TelemetrySubscribed, meta: { first: 3, last: 9, dropped: 2 } },
    { type: MessageType.TelemetryPayload, meta: { seq: 7, kind: 'logs', encoding: 'protobuf', receivedMs: 1_700_000_000_000, dropped: 0 } },
  ];
  for (const m of messages) {
    const frame = decodeFrame(encodeMessage(m, 5, new Uint8Array([1, 2, 3])));
    assert.ok(frame.ok);
    const parsed = parseMessage(frame.value);
    assert.ok(parsed.ok);
    assert.deepEqual(parsed.value, m);
    assert.deepEqual([...frame.value.payload], [1, 2, 3]);
  }
  const bad = decodeFrame(encodeMessage({ type: MessageType.TelemetryPayload, meta: { seq: -1, kind: 'logs', encoding: 'json', receivedMs: 0, dropped: 0 } }, 0));
  assert.ok(bad.ok);
  const refused = parseMessage(bad.value);
  assert.ok(!refused.ok);
  assert.match(refused.error.message, /malformed TelemetryPayload message: seq must be a non-negative integer/);
  assert.equal(relayRequest(encodeMessage({ type: MessageType.TelemetrySubscribe, meta: { since: 4 } }, 9))?.since, 4);
  assert.equal(relayRequest(encodeMessage({ type: MessageType.RunHook, meta: {} }, 9)), undefined);
});

test('a token holder gets what the ring holds, then new payloads; a reconnect resumes with no duplicate and no loss', async () => {
  const ring = new PayloadRing();
  for (let i = 1; i <= 5; i++) ring.push('traces', 'json', body(i));
  await withAgent(ring, async (port) => {
    const link = new TelemetryLink({ transport: new WsTransport({ url: `ws://127.0.0.1:${port}/v1/connect`, token: 'tok', pingIntervalMs: 0 }), backoff: { initialMs: 10, maxMs: 50 } });
    const got: number[] = [];
    link.onPayload((p) => got.push(indexOf(p)));
    link.start();
    try {
      await until('the 5 held payloads', () => got.length === 5);
      ring.push('logs', 'protobuf', body(6));
      await until('a new payload', () => got.length === 6);
      for (let round = 0; round < 3; round++) {
        link.cut();
        // arrive while the link is down: they must come after the reconnect, once
        ring.push('traces', 'json', body(7 + round * 2));
        ring.push('traces', 'json', body(8 + round * 2));
        await until(`round ${round}`, () => got.length === 8 + round * 2);
      }
      // a large, compressible payload travels deflated and arrives whole
      const large = new TextEncoder().encode(JSON.stringify({ resourceSpans: [], i: 13, pad: 'x'.repeat(200_000) }));
      ring.push('traces', 'json', large);
      await until('the large payload', () => got.length === 13);
      assert.deepEqual(got, [...Array(13).keys()].map((i) => i + 1));
      assert.equal(link.counts.dropped, 0);
      assert.ok(link.counts.connects >= 4);
      assert.equal(link.lastSequence, 13);
    } finally {
      link.dispose();
    }
  });
});

test('payloads the ring evicted while the link was away are counted as dropped, never replayed twice', async () => {
  const ring = new PayloadRing({ maxCount: 4 });
  await withAgent(ring, async (port) => {
    const link = new TelemetryLink({ transport: new WsTransport({ url: `ws://127.0.0.1:${port}/v1/connect`, token: 'tok', pingIntervalMs: 0 }), backoff: { initialMs: 10, maxMs: 50 } });
    const got: number[] = [];
    let dropped = 0;
    link.onPayload((p) => got.push(indexOf(p)));
    link.onDropped((n) => (dropped += n));
    ring.push('traces', 'json', body(1));
    link.start();
    try {
      await until('the first payload', () => got.length === 1);
      link.dispose();
      for (let i = 2; i <= 10; i++) ring.push('traces', 'json', body(i));
      assert.equal(ring.dropped, 6);
    } finally {
      link.dispose();
    }
    // a new link that resumes after #1 (as a reconnecting one does) learns of 5 lost, gets 7..10
    const again = new TelemetryLink({ transport: new WsTransport({ url: `ws://127.0.0.1:${port}/v1/connect`, token: 'tok', pingIntervalMs: 0 }) });
    (again as unknown as { lastSeq: number }).lastSeq = 1;
    const rest: number[] = [];
    again.onPayload((p) => rest.push(indexOf(p)));
    again.onDropped((n) => (dropped += n));
    again.start();
    try {
      await until('the held payloads', () => rest.length === 4);
      assert.deepEqual(rest, [7, 8, 9, 10]);
      assert.equal(dropped, 5);
    } finally {
      again.dispose();
    }
  });
});

test('the relay stops sending while the socket is backed up and resumes once it drains', async () => {
  const ring = new PayloadRing();
  const frames: Uint8Array[] = [];
  const socket = { bufferedAmount: 0, send: (f: Uint8Array) => frames.push(f) };
  const relay = new TelemetryRelay(ring, socket, 1000);
  try {
    relay.subscribe(1, 0);
    assert.equal(frames.length, 1, 'the SUBSCRIBED answer');
    ring.push('traces', 'json', body(1));
    assert.equal(frames.length, 2);
    socket.bufferedAmount = 5000;
    ring.push('traces', 'json', body(2));
    ring.push('traces', 'json', body(3));
    assert.equal(frames.length, 2, 'nothing more while backed up');
    socket.bufferedAmount = 0;
    await until('the relay to resume', () => frames.length === 4);
    const seqs = frames.slice(1).map((f) => {
      const d = decodeFrame(f);
      assert.ok(d.ok);
      return d.value.meta.seq;
    });
    assert.deepEqual(seqs, [1, 2, 3]);
  } finally {
    relay.dispose();
  }
});

test('without a ring the agent refuses a subscription with an error, and stays up', async () => {
  const server = new AgentServer({ host: '127.0.0.1', port: 0, token: 'tok', syncRoot: '/tmp', version: 't', log: () => undefined });
  const port = await server.listen();
  const link = new TelemetryLink({ transport: new WsTransport({ url: `ws://127.0.0.1:${port}/v1/connect`, token: 'tok', pingIntervalMs: 0 }), backoff: { initialMs: 1000, maxMs: 1000 } });
  const errors: string[] = [];
  link.onError((e) => errors.push(e.message));
  link.start();
  try {
    await until('the refusal', () => errors.length > 0);
    assert.match(errors[0]!, /does not accept TelemetrySubscribe/);
  } finally {
    link.dispose();
    await server.close();
  }
});

test('a wrong token gets nothing: the link reports the 401 and retries', async () => {
  const ring = new PayloadRing();
  ring.push('traces', 'json', body(1));
  await withAgent(ring, async (port) => {
    const link = new TelemetryLink({ transport: new WsTransport({ url: `ws://127.0.0.1:${port}/v1/connect`, token: 'nope', pingIntervalMs: 0 }), backoff: { initialMs: 10, maxMs: 20 } });
    const errors: string[] = [];
    let got = 0;
    link.onError((e) => errors.push(e.message));
    link.onPayload(() => got++);
    link.start();
    try {
      await until('two refusals', () => errors.length >= 2);
      assert.match(errors[0]!, /refused the slice token \(401\)/);
      assert.equal(got, 0);
    } finally {
      link.dispose();
    }
  });
});
