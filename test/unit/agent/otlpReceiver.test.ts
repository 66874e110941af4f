import { test } from 'node:test';
import assert from 'node:assert/strict';
import { type Server, request } from 'node:http';
import { deflateSync, gzipSync } from 'node:zlib';
import { Reader } from 'protobufjs/minimal';
import { DEFAULT_MAX_BODY_BYTES, OtlpReceiver } from '../../../src/agent/otlpReceiver';
import { PayloadRing } from '../../../src/agent/otlpRing';
import { fixtureBytes } from '../core/telemetry/fixtures';
import { fixtureBytes as metricFixture } from '../core/telemetry/metrics/fixtures';

interface Reply {
  status: number;
  type: string | undefined;
  body: Buffer;
  allow?: string;
}

/** One raw HTTP request to the receiver (node:http, so a body can be sent with any headers). */
function send(port: number, method: string, path: string, headers: Record<string, string>, body?: Uint8Array): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, method, path, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, type: res.headers['content-type'], body: Buffer.concat(chunks), ...(res.headers.allow ? { allow: res.headers.allow } : {}) }));
    });
    // the receiver may answer (413) and close before it has read the whole body
    req.on('error', (e: NodeJS.ErrnoException) => (e.code === 'EPIPE' || e.code === 'ECONNRESET' ? undefined : reject(e)));
    req.end(body);
  });
}

async function withReceiver(fn: (port: number, ring: PayloadRing, receiver: OtlpReceiver, logs: string[]) => Promise<void>, ring = new PayloadRing(), maxBodyBytes?: number): Promise<void> {
  const logs: string[] = [];
  const receiver = new OtlpReceiver({ ring, port: 0, log: (l) => logs.push(l), ...(maxBodyBytes ? { maxBodyBytes } : {}) });
  const port = await receiver.listen();
  try {
    await fn(port, ring, receiver, logs);
  } finally {
    await receiver.close();
  }
}

const JSON_TRACES = fixtureBytes('otlp-traces-node-sdk.json');
const PB_TRACES = fixtureBytes('go-traces.pb');
const PB_LOGS = fixtureBytes('go-logs.pb');

test('OTLP/JSON traces are held as received and answered 200 with an empty JSON response', async () => {
  await withReceiver(async (port, ring) => {
    const r = await send(port, 'POST', '/v1/traces', { 'content-type': 'application/json' }, JSON_TRACES);
    assert.equal(r.status, 200);
    assert.equal(r.type, 'application/json');
    assert.equal(r.body.toString(), '{}');
    const held = ring.after(0);
    assert.equal(held?.seq, 1);
    assert.equal(held?.kind, 'traces');
    assert.equal(held?.encoding, 'json');
    assert.ok(held);
    assert.deepEqual(Buffer.from(held.body), Buffer.from(JSON_TRACES));
  });
});

test('protobuf logs, with a charset parameter, answer an empty protobuf body', async () => {
  await withReceiver(async (port, ring) => {
    const r = await send(port, 'POST', '/v1/logs', { 'content-type': 'application/x-protobuf; charset=binary' }, PB_LOGS);
    assert.equal(r.status, 200);
    assert.equal(r.type, 'application/x-protobuf');
    assert.equal(r.body.length, 0);
    assert.equal(ring.after(0)?.kind, 'logs');
    assert.equal(ring.after(0)?.encoding, 'protobuf');
  });
});

test('gzip and deflate (zlib-wrapped) bodies are decompressed before they are held', async () => {
  await withReceiver(async (port, ring) => {
    assert.equal((await send(port, 'POST', '/v1/traces', { 'content-type': 'application/x-protobuf', 'content-encoding': 'gzip' }, gzipSync(PB_TRACES))).status, 200);
    assert.equal((await send(port, 'POST', '/v1/traces', { 'content-type': 'application/json', 'content-encoding': 'deflate' }, deflateSync(JSON_TRACES))).status, 200);
    assert.deepEqual(Buffer.from(ring.after(0)!.body), Buffer.from(PB_TRACES));
    assert.deepEqual(Buffer.from(ring.after(1)!.body), Buffer.from(JSON_TRACES));
    assert.equal(ring.last, 2);
  });
});

test('a gzip bomb is cut at the cap (after decompression) and answered 413; nothing is held', async () => {
  const cap = DEFAULT_MAX_BODY_BYTES;
  // 256 MiB of zeros is ~250 KiB gzipped: fully inflated it would be 12× the cap
  const bomb = gzipSync(Buffer.alloc(256 * 1024 * 1024), { level: 9 });
  assert.ok(bomb.length < cap / 10, `the bomb is small on the wire (${bomb.length} bytes)`);
  const before = process.memoryUsage().rss;
  await withReceiver(async (port, ring, receiver) => {
    const r = await send(port, 'POST', '/v1/traces', { 'content-type': 'application/json', 'content-encoding': 'gzip' }, bomb);
    assert.equal(r.status, 413);
    assert.equal(r.type, 'application/json');
    assert.deepEqual(JSON.parse(r.body.toString()), { code: 3, message: 'the body is over the 20971520-byte limit once decompressed' });
    assert.equal(ring.size, 0);
    assert.equal(receiver.stats.rejected[413], 1);
    // the receiver still answers afterwards
    assert.equal((await send(port, 'POST', '/v1/traces', { 'content-type': 'application/json' }, JSON_TRACES)).status, 200);
  });
  const grown = process.memoryUsage().rss - before;
  assert.ok(grown < 200 * 1024 * 1024, `memory stayed bounded (rss grew ${grown} bytes)`);
});

test('an uncompressed body over the cap, declared or not, is answered 413', async () => {
  await withReceiver(
    async (port) => {
      assert.equal((await send(port, 'POST', '/v1/traces', { 'content-type': 'application/json' }, Buffer.alloc(5000, 0x20))).status, 413);
      assert.equal((await send(port, 'POST', '/v1/traces', { 'content-type': 'application/json', 'transfer-encoding': 'chunked' }, Buffer.alloc(5000, 0x20))).status, 413);
    },
    new PayloadRing(),
    4096,
  );
});

test('unknown content types and encodings are 415; wrong paths 404; wrong methods 405; garbage gzip 400', async () => {
  await withReceiver(async (port, ring, receiver) => {
    const text = await send(port, 'POST', '/v1/traces', { 'content-type': 'text/plain' }, JSON_TRACES);
    assert.equal(text.status, 415);
    assert.match(text.body.toString(), /application\/json or application\/x-protobuf/);
    assert.equal((await send(port, 'POST', '/v1/traces', {}, JSON_TRACES)).status, 415);
    assert.equal((await send(port, 'POST', '/v1/traces', { 'content-type': 'application/json', 'content-encoding': 'br' }, JSON_TRACES)).status, 415);
    assert.equal((await send(port, 'POST', '/v1/profiles', { 'content-type': 'application/json' }, JSON_TRACES)).status, 404);
    assert.equal((await send(port, 'POST', '/', { 'content-type': 'application/json' }, JSON_TRACES)).status, 404);
    const get = await send(port, 'GET', '/v1/traces', {});
    assert.equal(get.status, 405);
    assert.equal(get.allow, 'POST');
    const bad = await send(port, 'POST', '/v1/logs', { 'content-type': 'application/x-protobuf', 'content-encoding': 'gzip' }, Buffer.from('not gzip at all'));
    assert.equal(bad.status, 400);
    // a protobuf request's error is a google.rpc.Status in protobuf
    assert.equal(bad.type, 'application/x-protobuf');
    const status = new Reader(bad.body);
    assert.equal(status.uint32(), 8);
    assert.equal(status.int32(), 3);
    assert.equal(status.uint32(), 18);
    assert.match(status.string(), /^the gzip body does not decompress: /);
    assert.equal(ring.size, 0);
    assert.deepEqual(receiver.stats.rejected, { 400: 1, 404: 2, 405: 1, 415: 3 });
  });
});

test('OTLP metrics: /v1/metrics in JSON, protobuf and gzip go to the metrics ring, with the same limits and answers as traces', async () => {
  const ring = new PayloadRing({ metrics: { maxCount: 2 } });
  await withReceiver(async (port) => {
    const json = metricFixture('cumulative.1.json');
    const pb = metricFixture('cumulative.1.pb');
    const a = await send(port, 'POST', '/v1/metrics', { 'content-type': 'application/json' }, json);
    assert.deepEqual([a.status, a.body.toString()], [200, '{}']);
    const b = await send(port, 'POST', '/v1/metrics', { 'content-type': 'application/x-protobuf', 'content-encoding': 'gzip' }, gzipSync(pb));
    assert.deepEqual([b.status, b.body.length, b.type], [200, 0, 'application/x-protobuf']);
    assert.equal(ring.size, 0, 'metrics are not in the traces and logs ring');
    const m = ring.metrics!;
    assert.deepEqual([m.first, m.last], [1, 2]);
    assert.deepEqual([m.after(0)?.kind, m.after(0)?.encoding, m.after(1)?.encoding], ['metrics', 'json', 'protobuf']);
    assert.deepEqual(Buffer.from(m.after(1)!.body), Buffer.from(pb));
    await send(port, 'POST', '/v1/traces', { 'content-type': 'application/json' }, JSON_TRACES);
    assert.deepEqual([ring.first, ring.last], [1, 1], 'the traces ring counts its own sequence');
    await send(port, 'POST', '/v1/metrics', { 'content-type': 'application/json' }, json);
    assert.deepEqual([m.first, m.last, m.dropped], [2, 3, 1], 'the metrics ring has its own bounds');
    const wrong = await send(port, 'GET', '/v1/metrics', {});
    assert.equal(wrong.status, 405);
    const cut = await send(port, 'POST', '/v1/metrics', { 'content-type': 'application/json' }, new Uint8Array(40_000));
    assert.equal(cut.status, 413);
  }, ring, 30_000);
});

test('an agent without a metrics ring refuses nothing over HTTP but drops metrics, counted', () => {
  const ring = new PayloadRing({ metrics: false });
  assert.equal(ring.push('metrics', 'json', new Uint8Array(3)), undefined);
  assert.equal(ring.metricsRefused, 1);
  assert.equal(ring.size, 0);
});

test('the ring is bounded in count and bytes, counts what it evicts, and sequence numbers only grow', () => {
  const ring = new PayloadRing({ maxCount: 3, maxBytes: 1000 });
  for (let i = 0; i < 5; i++) ring.push('traces', 'json', new Uint8Array(10));
  assert.equal(ring.size, 3);
  assert.equal(ring.dropped, 2);
  assert.deepEqual([ring.first, ring.last], [3, 5]);
  assert.equal(ring.after(0)?.seq, 3, 'a cursor before the ring starts at its oldest');
  assert.equal(ring.after(3)?.seq, 4);
  assert.equal(ring.after(5), undefined);
  ring.push('logs', 'protobuf', new Uint8Array(991));
  assert.equal(ring.size, 1, 'bytes bound: only the newest fits');
  assert.equal(ring.heldBytes, 991);
  assert.equal(ring.dropped, 5);
  assert.equal(ring.first, 6);
  ring.push('logs', 'protobuf', new Uint8Array(5000));
  assert.equal(ring.size, 1, 'the newest is always kept, even alone over the byte bound');
  assert.equal(ring.last, 7);
});

test('the receiver listens on loopback only by default', async () => {
  const receiver = new OtlpReceiver({ ring: new PayloadRing(), port: 0, log: () => undefined });
  await receiver.listen();
  const address = (receiver as unknown as { server: Server }).server.address();
  await receiver.close();
  assert.equal(typeof address === 'object' && address ? address.address : '', '127.0.0.1');
});
