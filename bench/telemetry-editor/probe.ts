import { mkdtempSync, writeFileSync } from 'node:fs';
import { Session } from 'node:inspector/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
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
 *   as SDK batch exporters send them) is ingested with the file open in a visible editor.
 */
const quantile = (xs: number[], q: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(q * s.length))]!;
};

export async function run(): Promise<void> {
  const ext = vscode.extensions.getExtension<SliceApi>('slice-dev.slice');
  if (!ext) throw new Error('slice-dev.slice is not loaded');
  const api = await ext.activate();
  const t = api.telemetry;
  const dir = mkdtempSync(join(tmpdir(), 'slice-bench-editor-'));
  const file = join(dir, 'bench.js');
  writeFileSync(file, sourceFile());
  await t.setPathMappings([{ containerPath: '/app', localPath: dir }]);
  t.service.clear();
  const doc = await vscode.workspace.openTextDocument(vscode.Uri.file(file));
  await vscode.window.showTextDocument(doc);

  // Data for every function, then the lens provider warmed up (symbols cached for this version).
  for (let s = 0; s < 20; s++) await t.service.ingest({ kind: 'traces', encoding: 'json', body: traceRequest(1000 + s, 500), source: 'mine' });
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
  const time = async (f: () => Promise<unknown>, n = 300, before?: (i: number) => Promise<unknown>) => {
    const xs: number[] = [];
    for (let i = 0; i < n; i++) {
      if (before) await before(i);
      const s = performance.now();
      await f();
      xs.push(performance.now() - s);
    }
    return { p50: quantile(xs, 0.5), p95: quantile(xs, 0.95) };
  };
  const base = await time(() => Promise.resolve(baseline.provideCodeLenses(doc, token)));
  const cached = await time(() => t.codeLens.provideCodeLenses(doc));
  // Right after new data: before each (timed) call, 50 new spans over 50 functions are ingested (not timed).
  const fresh = await time(
    () => t.codeLens.provideCodeLenses(doc),
    300,
    (i) => t.service.ingest({ kind: 'traces', encoding: 'json', body: traceRequest(5000 + i, 50), source: 'mine' }),
  );

  // The burst: 100,000 spans in 200 requests, all queued at once.
  const requests = Array.from({ length: 200 }, (_, i) => traceRequest(i, 500));
  const h = monitorEventLoopDelay({ resolution: 1 });
  // SLICE_BENCH_CPUPROFILE=<file>: a CPU profile of the extension host during the burst (open it in Chrome DevTools)
  const profileTo = process.env.SLICE_BENCH_CPUPROFILE;
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
  h.enable();
  const s0 = performance.now();
  await Promise.all(requests.map((body) => t.service.ingest({ kind: 'traces', encoding: 'json', body, source: 'mine' })));
  const ingestMs = performance.now() - s0;
  await t.settled();
  await new Promise((r) => setTimeout(r, 300)); // let throttled renders run inside the measurement
  h.disable();
  ticking = false;
  if (inspector && profileTo) {
    const { profile } = await inspector.post('Profiler.stop');
    writeFileSync(profileTo, JSON.stringify(profile));
    inspector.disconnect();
  }
  const result = {
    lens: { baseline: base, cached, fresh, lenses: warm.length, lines: doc.lineCount },
    burst: { spans: 100_000, ingestMs, spansPerSec: 100_000 / (ingestMs / 1000), maxBlockMs: maxGap, loopDelayMaxMs: h.max / 1e6, loopDelayP99Ms: h.percentile(99) / 1e6 },
  };
  console.log(`SLICE_BENCH ${JSON.stringify(result)}`);
  t.service.clear();
  await t.setPathMappings(undefined);
}
