import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { Session } from 'node:inspector/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type PerformanceEntry, PerformanceObserver, constants as perfConstants, monitorEventLoopDelay } from 'node:perf_hooks';
import { setFlagsFromString } from 'node:v8';
import * as vscode from 'vscode';
import { type SliceApi } from '../../src/container';
import { FUNCTIONS, sourceFile, traceRequest } from './payload';

/**
 * Runs inside the real extension host (as the payload's extensionTestsPath) against the production
 * bundle. Reports:
 * - the CodeLens provider's time on a 5,000-line file with 500 functions with data, cached views
 *   and right after 50 new spans were ingested (changed entries recomputed), beside a baseline provider that returns the same
 *   number of empty lenses, called the same way in the same process;
 * - the longest event-loop block while a burst of 100,000 spans (200 OTLP/JSON requests of 500,
 *   as SDK batch exporters send them, as bytes as the relay delivers them) is ingested with the
 *   file open in a visible editor, once VS Code has stopped activating extensions: right after the
 *   lens measurements, and again on a settled host; with the garbage collections of each burst by
 *   kind (the longest block is most often a scavenge of the young generation).
 * SLICE_BENCH_CPUPROFILE=<file>: a CPU profile of the first burst; SLICE_BENCH_TRACE_GC=1: V8's line
 * per collection during the bursts, in the run folder's code-server.log.
 */
const quantile = (xs: number[], q: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(q * s.length))]!;
};

/**
 * How long this thread has waited for a CPU (runnable while another thread or process had it), in
 * ms, from the kernel's scheduler statistics (`run_delay`, in ns, brought up to date each time the
 * thread gets a CPU back); undefined where there are none.
 */
function waitedMs(): number | undefined {
  try {
    const wait = Number(readFileSync('/proc/thread-self/schedstat', 'utf8').split(' ')[1]);
    return Number.isFinite(wait) ? wait / 1e6 : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Timed calls: wall time, and the time the extension host thread was on a CPU during each call
 * (wall time less its wait for a CPU; the calls never sleep). On this machine's two cores the
 * workbench's renderer, code-server and the decode worker share the CPUs with the extension host,
 * and a call they preempt waits for a CPU for up to tens of ms: that wait is in its wall time but
 * is not the provider's work. (Linux's per-thread CPU clocks available to Node count in scheduler
 * ticks or are only brought up to date at a context switch: too coarse for sub-millisecond calls.)
 */
class Calls {
  private readonly wall: number[] = [];
  private readonly cpu: number[] = [];
  private waitMs = 0;

  async time(f: () => Promise<unknown>): Promise<void> {
    const a = waitedMs();
    const s = performance.now();
    await f();
    const e = performance.now();
    const b = waitedMs();
    this.wall.push(e - s);
    if (a !== undefined && b !== undefined) {
      this.cpu.push(Math.max(0, e - s - (b - a)));
      this.waitMs += b - a;
    }
  }

  summary(): { p50: number; p95: number; cpuP50?: number; cpuP95?: number; waitMs?: number } {
    const out = { p50: quantile(this.wall, 0.5), p95: quantile(this.wall, 0.95) };
    return this.cpu.length === this.wall.length ? { ...out, cpuP50: quantile(this.cpu, 0.5), cpuP95: quantile(this.cpu, 0.95), waitMs: this.waitMs } : out;
  }
}

/** Waits until no extension has been activated for 3 s (at most 30 s); the ids active then. */
async function quietHost(): Promise<Set<string>> {
  const active = () => new Set(vscode.extensions.all.filter((e) => e.isActive).map((e) => e.id));
  let seen = active();
  let quietSince = performance.now();
  const deadline = performance.now() + 30_000;
  while (performance.now() - quietSince < 3000 && performance.now() < deadline) {
    await new Promise((r) => setTimeout(r, 250));
    const now = active();
    if (now.size !== seen.size) {
      seen = now;
      quietSince = performance.now();
    }
  }
  return seen;
}

const utf8 = new TextEncoder();
/**
 * A payload as the agent's relay hands it to the service: bytes off the JavaScript heap (a string
 * body would be a 300 KB heap object per request, and 200 of them made in the burst's first
 * moments would be the bench's garbage, not the extension's).
 */
const asRelayed = (json: string): Uint8Array => utf8.encode(json);

/** Count, total and longest pause of each kind of garbage collection. */
function gcSummary(gcs: readonly { kind: string; ms: number }[]): Record<string, { count: number; totalMs: number; maxMs: number }> {
  const out: Record<string, { count: number; totalMs: number; maxMs: number }> = {};
  for (const { kind, ms } of gcs) {
    const k = (out[kind] ??= { count: 0, totalMs: 0, maxMs: 0 });
    k.count++;
    k.totalMs += ms;
    k.maxMs = Math.max(k.maxMs, ms);
  }
  return out;
}

/**
 * One burst: 100,000 spans in 200 requests (`requests`, the series from `seed`), all queued at once; the longest
 * gap between timer ticks, the event-loop delay, and the garbage collections meanwhile.
 * `profileTo`: a CPU profile of the extension host during the burst (open it in Chrome DevTools).
 */
async function burst(t: SliceApi['telemetry'], seed: number, requests: readonly Uint8Array[], profileTo: string | undefined) {
  const h = monitorEventLoopDelay({ resolution: 1 });
  const inspector = profileTo ? new Session() : undefined;
  if (inspector) {
    inspector.connect();
    await inspector.post('Profiler.enable');
    await inspector.post('Profiler.start');
  }
  // ticks start after the profiler (whose start blocks the loop once)
  let maxGap = 0;
  let last = performance.now();
  let ticking = true;
  const tick = () => {
    const now = performance.now();
    maxGap = Math.max(maxGap, now - last);
    last = now;
    if (ticking) setTimeout(tick, 0);
  };
  setTimeout(tick, 0);
  // garbage collections during the burst, by kind: a long pause here is the heap's doing
  const gcs: { kind: string; ms: number }[] = [];
  const gcKinds: Record<number, string> = { [perfConstants.NODE_PERFORMANCE_GC_MAJOR]: 'major', [perfConstants.NODE_PERFORMANCE_GC_MINOR]: 'minor', [perfConstants.NODE_PERFORMANCE_GC_INCREMENTAL]: 'incremental', [perfConstants.NODE_PERFORMANCE_GC_WEAKCB]: 'weak callbacks' };
  const gcObserver = new PerformanceObserver((list) => {
    for (const e of list.getEntries()) gcs.push({ kind: gcKinds[(e as PerformanceEntry & { detail?: { kind?: number } }).detail?.kind ?? -1] ?? 'other', ms: e.duration });
  });
  gcObserver.observe({ entryTypes: ['gc'] });
  // SLICE_BENCH_TRACE_GC=1: V8 writes a line per collection of the bursts (what each kept and
  // promoted, and where its pause went) to the extension host's stdout, which code-server's log keeps.
  if (process.env.SLICE_BENCH_TRACE_GC) setFlagsFromString('--trace-gc-nvp');
  h.enable();
  const s0 = performance.now();
  await Promise.all(requests.map((body) => t.service.ingest({ kind: 'traces', encoding: 'json', body, source: 'mine' })));
  const ingestMs = performance.now() - s0;
  await t.settled();
  await new Promise((r) => setTimeout(r, 300)); // let throttled renders run inside the measurement
  h.disable();
  if (process.env.SLICE_BENCH_TRACE_GC) setFlagsFromString('--no-trace-gc-nvp');
  gcObserver.disconnect();
  ticking = false;
  if (inspector && profileTo) {
    const { profile } = await inspector.post('Profiler.stop');
    writeFileSync(profileTo, JSON.stringify(profile));
    inspector.disconnect();
  }
  return { ingestMs, spansPerSec: 100_000 / (ingestMs / 1000), maxBlockMs: maxGap, loopDelayMaxMs: h.max / 1e6, loopDelayP99Ms: h.percentile(99) / 1e6, gc: gcSummary(gcs) };
}

export async function run(): Promise<void> {
  const ext = vscode.extensions.getExtension<SliceApi>('slice-dev.slice');
  if (!ext) throw new Error('slice-dev.slice is not loaded');
  const api = await ext.activate();
  const t = api.telemetry;
  // Each burst's request bodies are made before what precedes it (the set-up; the full collection
  // between the bursts), not right before it: making them (60 MB of JSON text, and the objects it is
  // made of) would leave the bench's garbage in the young generation when the burst starts. Only one
  // burst's bodies are held at a time: 60 MB of memory outside the JavaScript heap, which V8 counts
  // towards starting a full collection.
  const burstBodies = (seed: number) => Array.from({ length: 200 }, (_, i) => asRelayed(traceRequest(seed + i, 500)));
  let bodies = burstBodies(0);
  const dir = mkdtempSync(join(tmpdir(), 'slice-bench-editor-'));
  const file = join(dir, 'bench.js');
  writeFileSync(file, sourceFile());
  await t.setPathMappings([{ containerPath: '/app', localPath: dir }]);
  t.service.clear();
  const doc = await vscode.workspace.openTextDocument(vscode.Uri.file(file));
  await vscode.window.showTextDocument(doc);

  // Data for every function, then the lens provider warmed up (symbols cached for this version).
  for (let s = 0; s < 20; s++) await t.service.ingest({ kind: 'traces', encoding: 'json', body: asRelayed(traceRequest(1000 + s, 500)), source: 'mine' });
  await t.settled();
  const token = new vscode.CancellationTokenSource().token;
  const warm = await t.codeLens.provideCodeLenses(doc);
  if (warm.length !== FUNCTIONS) throw new Error(`expected ${FUNCTIONS} lenses, got ${warm.length}`);
  const baseline: vscode.CodeLensProvider = {
    provideCodeLenses: (d) => {
      const out: vscode.CodeLens[] = [];
      for (let i = 0; i < FUNCTIONS; i++) out.push(new vscode.CodeLens(new vscode.Range(Math.min(i * 10, d.lineCount - 1), 0, Math.min(i * 10, d.lineCount - 1), 0)));
      return Promise.resolve(out);
    },
  };
  const time = async (f: () => Promise<unknown>, n = 300) => {
    const calls = new Calls();
    for (let i = 0; i < n; i++) await calls.time(f);
    return calls.summary();
  };
  const base = await time(() => Promise.resolve(baseline.provideCodeLenses(doc, token)));
  const cached = await time(() => t.codeLens.provideCodeLenses(doc));
  // Right after new data: before each timed call, 50 new spans over 50 functions are ingested (not
  // timed). The calls alternate between Slice's provider and the baseline, so both run in the same
  // conditions: the renders the last change scheduled, the garbage it left.
  let seed = 5000;
  const freshCalls = new Calls();
  const baseFreshCalls = new Calls();
  for (let i = 0; i < 300; i++) {
    await t.service.ingest({ kind: 'traces', encoding: 'json', body: asRelayed(traceRequest(seed++, 50)), source: 'mine' });
    await freshCalls.time(() => t.codeLens.provideCodeLenses(doc));
    await t.service.ingest({ kind: 'traces', encoding: 'json', body: asRelayed(traceRequest(seed++, 50)), source: 'mine' });
    await baseFreshCalls.time(() => Promise.resolve(baseline.provideCodeLenses(doc, token)));
  }
  const fresh = freshCalls.summary();
  const baselineFresh = baseFreshCalls.summary();

  // The bursts are measured once the host is quiet: VS Code activates built-in extensions (JSON
  // language features, configuration editing, …) in the first seconds, and their module loading
  // would land in the measurement as its pauses and its garbage collections.
  const activatedBefore = await quietHost();
  // First right after the set-up above (25,000 spans and 900 lens calls in a few seconds grew the
  // young generation to its largest, and what they keep is still in it); then on a settled host:
  // after a full collection, as an idle host's memory reducer leaves it between bursts.
  const afterSetup = await burst(t, 0, bodies, process.env.SLICE_BENCH_CPUPROFILE);
  bodies = burstBodies(200);
  const settler = new Session();
  settler.connect();
  await settler.post('HeapProfiler.collectGarbage');
  settler.disconnect();
  await new Promise((r) => setTimeout(r, 1000));
  const settled = await burst(t, 200, bodies, undefined);
  const activatedDuring = vscode.extensions.all.filter((e) => e.isActive && !activatedBefore.has(e.id)).map((e) => e.id);
  const result = {
    lens: { baseline: base, cached, fresh, baselineFresh, lenses: warm.length, lines: doc.lineCount },
    burst: { spans: 100_000, afterSetup, settled, activatedDuring },
  };
  console.log(`SLICE_BENCH ${JSON.stringify(result)}`);
  t.service.clear();
  await t.setPathMappings(undefined);
}
