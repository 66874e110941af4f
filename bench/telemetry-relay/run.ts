/**
 * bench/telemetry-relay: OTLP/JSON export requests per second through the live path on loopback —
 * POST to the agent's OTLP receiver → ring → relay over the agent WebSocket → TelemetryLink in the
 * editor — beside the floor: the same POSTs to a bare node:http server that reads the body and
 * answers 200. Same payloads, same keep-alive client, same concurrency, interleaved rounds (best kept).
 *
 *   node out/bench/telemetry-relay/run.js
 */
import { Agent, type Server, createServer, request } from 'node:http';
import { type AddressInfo } from 'node:net';
import { OtlpReceiver } from '../../src/agent/otlpReceiver';
import { PayloadRing } from '../../src/agent/otlpRing';
import { AgentServer } from '../../src/agent/server';
import { TelemetryLink } from '../../src/app/fork/telemetryLink';
import { WsTransport } from '../../src/platform/agent-link/wsTransport';
import { SPANS_PER_BATCH, makePayloads } from '../telemetry/payloads';

const REQUESTS = 400;
const CONCURRENCY = 4;
const ROUNDS = 3;

const bodies = makePayloads(16).json.map((j) => Buffer.from(j));
const meanBytes = bodies.reduce((n, b) => n + b.length, 0) / bodies.length;
const agent = new Agent({ keepAlive: true, maxSockets: CONCURRENCY });

/** One POST; retried once when a keep-alive socket was closed under it (the usual keep-alive race). */
async function post(port: number, body: Buffer): Promise<void> {
  try {
    await postOnce(port, body);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ECONNRESET') throw e;
    await postOnce(port, body);
  }
}

function postOnce(port: number, body: Buffer): Promise<void> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, method: 'POST', path: '/v1/traces', agent, headers: { 'content-type': 'application/json', 'content-length': body.length } }, (res) => {
      res.resume();
      res.on('end', () => (res.statusCode === 200 ? resolve() : reject(new Error(`HTTP ${res.statusCode}`))));
    });
    req.on('error', reject);
    req.end(body);
  });
}

/** REQUESTS posts, CONCURRENCY at a time; resolves when `done()` says everything arrived. */
async function run(port: number, done: () => Promise<void>): Promise<number> {
  const t0 = performance.now();
  let next = 0;
  await Promise.all(Array.from({ length: CONCURRENCY }, async () => {
    while (next < REQUESTS) await post(port, bodies[next++ % bodies.length]!);
  }));
  await done();
  return REQUESTS / ((performance.now() - t0) / 1000);
}

async function main(): Promise<void> {
  const floor: Server = createServer((req, res) => {
    req.resume();
    req.on('end', () => res.writeHead(200, { 'content-type': 'application/json' }).end('{}'));
  });
  await new Promise<void>((r) => floor.listen(0, '127.0.0.1', r));
  const floorPort = (floor.address() as AddressInfo).port;

  const ring = new PayloadRing();
  const receiver = new OtlpReceiver({ ring, port: 0, log: () => undefined });
  const otlpPort = await receiver.listen();
  const server = new AgentServer({ host: '127.0.0.1', port: 0, token: 'bench', syncRoot: '/tmp', version: 'bench', log: () => undefined, telemetry: ring });
  const agentPort = await server.listen();
  const link = new TelemetryLink({ transport: new WsTransport({ url: `ws://127.0.0.1:${agentPort}/v1/connect`, token: 'bench', pingIntervalMs: 0 }) });
  let received = 0;
  link.onPayload(() => received++);
  link.start();
  while (link.current !== 'streaming') await new Promise((r) => setTimeout(r, 10));

  const best = { floor: 0, relay: 0 };
  for (let round = 0; round < ROUNDS; round++) {
    best.floor = Math.max(best.floor, await run(floorPort, () => Promise.resolve()));
    const target = received + REQUESTS;
    best.relay = Math.max(best.relay, await run(otlpPort, async () => {
      while (received < target) await new Promise((r) => setTimeout(r, 1));
    }));
  }
  const fmt = (n: number) => Math.round(n).toLocaleString('en-US');
  console.log(`payload: OTLP/JSON, ${SPANS_PER_BATCH} spans, ${(meanBytes / 1024).toFixed(0)} KiB; ${REQUESTS} requests × ${ROUNDS} rounds, ${CONCURRENCY} at a time (best round)`);
  console.log(`floor  bare node:http server          ${fmt(best.floor)} req/s  ${fmt((best.floor * meanBytes) / 2 ** 20)} MiB/s`);
  console.log(`relay  receiver → ring → ws → link    ${fmt(best.relay)} req/s  ${fmt((best.relay * meanBytes) / 2 ** 20)} MiB/s  ${fmt(best.relay * SPANS_PER_BATCH)} spans/s  (${(best.relay / best.floor).toFixed(2)}× the floor)`);
  console.log(`link   received ${received}, dropped ${link.counts.dropped}`);
  link.dispose();
  agent.destroy();
  await Promise.all([server.close(), receiver.close(), new Promise<void>((r) => floor.close(() => r()))]);
}

main().then(
  () => process.exit(0),
  (e: unknown) => {
    console.error(e);
    process.exit(1);
  },
);
