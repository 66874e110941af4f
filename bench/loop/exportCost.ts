/**
 * bench/loop/exportCost: what a short export delay costs the app. The sample's orders service runs
 * on this machine (as in a fork: OpenTelemetry loaded first, OTLP over loopback, the delays set as the controller sets them: spans, log records and the metric interval),
 * once per delay, each beside the SDK's default (5 s) in the same run: under a steady load of
 * requests, the service's CPU time per request and the exports it sent per second; then idle (no
 * requests), its CPU time per second and what it still sends (the metric reader exports every
 * interval whether anything happened or not, and the editor decodes each export).
 *
 *   node out/bench/loop/exportCost.js     (needs the sample's dependencies: npm run sample:deploy caches them)
 *   SLICE_LOOP_COST_DELAYS=50,200,1000,5000  SLICE_LOOP_COST_RPS=100  SLICE_LOOP_COST_SECONDS=10
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, symlinkSync, mkdtempSync, cpSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createServer } from 'node:http';

/**
 * Where the app exports to: an OTLP/HTTP sink on loopback that counts and answers 200 with an empty
 * response (what the agent's receiver answers), so the cost measured is the app's alone.
 */
async function sink(): Promise<{ port: number; counts: { exports: number; bytes: number }; close(): Promise<void> }> {
  const counts = { exports: 0, bytes: 0 };
  const server = createServer((req, res) => {
    req.on('data', (c: Buffer) => (counts.bytes += c.length));
    req.on('end', () => {
      counts.exports++;
      res.writeHead(200, { 'content-type': req.headers['content-type'] ?? 'application/x-protobuf' }).end();
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const a = server.address();
  return { port: typeof a === 'object' && a ? a.port : 0, counts, close: () => new Promise((r) => server.close(() => r())) };
}

const DELAYS = (process.env.SLICE_LOOP_COST_DELAYS ?? '50,200,1000,5000').split(',').map(Number);
const RPS = Number(process.env.SLICE_LOOP_COST_RPS ?? 100);
const SECONDS = Number(process.env.SLICE_LOOP_COST_SECONDS ?? 10);

/** CPU time (ms) of a process so far, from /proc (utime + stime, in clock ticks of 10 ms). */
function cpuMs(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  return (Number(fields[11]) + Number(fields[12])) * 10;
}

async function waitForHttp(url: string): Promise<void> {
  for (const deadline = Date.now() + 30_000; Date.now() < deadline; await new Promise((r) => setTimeout(r, 100))) {
    try {
      await (await fetch(url)).arrayBuffer();
      return;
    } catch {
      /* not up yet */
    }
  }
  throw new Error(`${url} did not answer`);
}

interface Cost {
  readonly cpuPerRequestMs: number;
  readonly exportsPerSec: number;
  readonly idleCpuMsPerSec: number;
  readonly idleExportsPerSec: number;
  readonly idleBytesPerSec: number;
}

async function measure(app: string, delay: number, port: number): Promise<Cost> {
  const receiver = await sink();
  const ring = receiver.counts;
  const otlpPort = receiver.port;
  const child: ChildProcess = spawn(process.execPath, ['--require', join(app, 'telemetry', 'register.js'), join(app, 'lib', 'run.js'), join(app, 'services', 'orders')], {
    cwd: app,
    stdio: 'ignore',
    env: {
      ...process.env,
      PORT: String(port),
      HOST: '127.0.0.1',
      OTEL_SERVICE_NAME: 'orders',
      OTEL_EXPORTER_OTLP_ENDPOINT: `http://127.0.0.1:${otlpPort}`,
      OTEL_BSP_SCHEDULE_DELAY: String(delay),
      OTEL_BLRP_SCHEDULE_DELAY: String(delay),
      OTEL_METRIC_EXPORT_INTERVAL: String(delay),
      OTEL_METRIC_EXPORT_TIMEOUT: String(delay),
      LOG_LEVEL: 'info',
    },
  });
  try {
    const url = `http://127.0.0.1:${port}/orders/1`;
    await waitForHttp(url);
    // warm-up, then the measured stretch: RPS requests a second (GET /orders/1: a 404 from the handler, one span and a log line each)
    for (let i = 0; i < 50; i++) await (await fetch(url)).arrayBuffer();
    await new Promise((r) => setTimeout(r, Math.max(delay, 200) + 200));
    const accepted0 = ring.exports;
    const cpu0 = cpuMs(child.pid!);
    const t0 = performance.now();
    const pending: Promise<unknown>[] = [];
    for (let i = 0; i < RPS * SECONDS; i++) {
      const due = t0 + (i * 1000) / RPS;
      const wait = due - performance.now();
      if (wait > 0) await new Promise((r) => setTimeout(r, wait));
      pending.push(fetch(url).then((r) => r.arrayBuffer()));
    }
    await Promise.all(pending);
    const elapsed = (performance.now() - t0) / 1000;
    const cpu = cpuMs(child.pid!) - cpu0;
    const exports = ring.exports - accepted0;
    // idle: what the app still costs and sends with nothing to do
    await new Promise((r) => setTimeout(r, Math.max(delay, 200) * 2));
    const [e1, b1, c1, i0] = [ring.exports, ring.bytes, cpuMs(child.pid!), performance.now()];
    await new Promise((r) => setTimeout(r, SECONDS * 1000));
    const idle = (performance.now() - i0) / 1000;
    return {
      cpuPerRequestMs: cpu / (RPS * SECONDS),
      exportsPerSec: exports / elapsed,
      idleCpuMsPerSec: (cpuMs(child.pid!) - c1) / idle,
      idleExportsPerSec: (ring.exports - e1) / idle,
      idleBytesPerSec: (ring.bytes - b1) / idle,
    };
  } finally {
    child.kill('SIGTERM');
    await new Promise((r) => child.once('exit', r));
    await receiver.close();
  }
}

async function main(): Promise<void> {
  const root = resolve(__dirname, '..', '..', '..');
  const sample = join(root, 'sample', 'shop');
  const lock = createHash('sha256').update(readFileSync(join(sample, 'package-lock.json'))).digest('hex').slice(0, 12);
  const deps = join(process.env.SLICE_CACHE_DIR ?? join(process.env.HOME ?? '/root', '.cache', 'slice'), 'sample-shop', `deps-${lock}`, 'node_modules');
  if (!existsSync(deps)) throw new Error(`the sample's dependencies are not cached at ${deps}: npm run sample:deploy (or sample-deploy.sh --deps-only)`);
  const app = mkdtempSync(join(tmpdir(), 'slice-export-cost-'));
  try {
    for (const f of ['package.json', 'telemetry', 'lib', 'services']) cpSync(join(sample, f), join(app, f), { recursive: true });
    symlinkSync(deps, join(app, 'node_modules'));
    console.log(`bench/loop/exportCost: the sample's orders service at ${RPS} requests/s for ${SECONDS} s per export delay, OTLP to a sink on loopback`);
    const rows: (Cost & { delay: number })[] = [];
    for (const delay of DELAYS) {
      const r = await measure(app, delay, 18_000 + rows.length);
      rows.push({ delay, ...r });
      console.log(`  delay ${String(delay).padStart(5)} ms: under load ${r.cpuPerRequestMs.toFixed(3)} ms of CPU per request, ${r.exportsPerSec.toFixed(1)} exports/s; idle ${r.idleCpuMsPerSec.toFixed(1)} ms of CPU per s, ${r.idleExportsPerSec.toFixed(1)} exports/s, ${(r.idleBytesPerSec / 1024).toFixed(1)} KiB/s`);
    }
    const base = rows.find((r) => r.delay === 5000) ?? rows[rows.length - 1]!;
    for (const r of rows) console.log(`  delay ${String(r.delay).padStart(5)} ms: CPU per request ${(r.cpuPerRequestMs / base.cpuPerRequestMs).toFixed(2)}×, idle CPU ${(r.idleCpuMsPerSec / Math.max(0.1, base.idleCpuMsPerSec)).toFixed(1)}× the ${base.delay} ms run's`);
  } finally {
    rmSync(app, { recursive: true, force: true });
  }
}

main().then(
  () => process.exit(0),
  (e: unknown) => {
    console.error(`bench/loop/exportCost failed: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`);
    process.exit(1);
  },
);
