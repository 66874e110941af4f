import { join, resolve } from 'node:path';
import { runProbe } from '../extensionHostProbe';

/**
 * bench/telemetry-editor: the CodeLens provider on a 5,000-line file with 500 functions with data
 * (beside a provider of as many empty lenses, same process, same calls), and the longest
 * event-loop block of the extension host while 100,000 spans are ingested. Runs probe.ts in
 * code-server's real extension host against the production bundle (`npm run bench`).
 */
interface Quantiles {
  /** Wall time. */
  p50: number;
  p95: number;
  /** The extension host thread's time on a CPU (Linux), and its time waiting for one over all the calls. */
  cpuP50?: number;
  cpuP95?: number;
  waitMs?: number;
}
interface Burst {
  ingestMs: number;
  spansPerSec: number;
  maxBlockMs: number;
  loopDelayMaxMs: number;
  loopDelayP99Ms: number;
  gc: Record<string, { count: number; totalMs: number; maxMs: number }>;
}
interface Result {
  lens: { baseline: Quantiles; cached: Quantiles; fresh: Quantiles; baselineFresh: Quantiles; lenses: number; lines: number };
  burst: { spans: number; afterSetup: Burst; settled: Burst; activatedDuring: string[] };
}

async function main(): Promise<void> {
  const root = resolve(__dirname, '..', '..', '..');
  const result = await runProbe<Result>({ root, probe: join('out', 'bench', 'telemetry-editor', 'probe.js'), runName: 'bench-telemetry-editor', timeoutMs: 300_000 });
  const { lens, burst } = result;
  const ms = (n: number) => `${n.toFixed(3)} ms`;
  console.log(`bench/telemetry-editor (code-server ${process.env.SLICE_CODE_SERVER_VERSION ?? ''} extension host, production bundle)`);
  console.log(`  CodeLens provider, ${lens.lines} lines, ${lens.lenses} functions with data (goal p95 < 2 ms), 300 calls each;`);
  console.log(`  wall time, and the extension host thread's time on a CPU (a call preempted by the workbench or code-server on this machine's two cores waits for a CPU in its wall time)`);
  const row = (name: string, q: Quantiles, vs?: Quantiles) => {
    console.log(`    ${name.padEnd(40)} wall p50 ${ms(q.p50)}  p95 ${ms(q.p95)}${vs ? `  (p95 ${(q.p95 / vs.p95).toFixed(1)}× the baseline's beside it)` : ''}`);
    if (q.cpuP50 !== undefined && q.cpuP95 !== undefined) console.log(`    ${''.padEnd(40)} on CPU p50 ${ms(q.cpuP50)}  p95 ${ms(q.cpuP95)}${vs?.cpuP95 ? `  (p95 ${(q.cpuP95 / vs.cpuP95).toFixed(1)}× the baseline's)` : ''}; waiting for a CPU ${(q.waitMs ?? 0).toFixed(0)} ms over the 300 calls`);
  };
  row(`baseline: ${lens.lenses} empty lenses, host idle`, lens.baseline);
  row('Slice, views cached, host idle', lens.cached, lens.baseline);
  row('baseline, right after 50 new spans', lens.baselineFresh);
  row('Slice, right after 50 new spans', lens.fresh, lens.baselineFresh);
  console.log(`  bursts of ${burst.spans.toLocaleString('en')} spans (200 OTLP/JSON requests of 500), file open in a visible editor (goal: longest block < 50 ms)`);
  const show = (name: string, b: Burst) => {
    console.log(`    ${name}`);
    console.log(`      longest event-loop block           ${b.maxBlockMs.toFixed(1)} ms  (monitorEventLoopDelay max ${b.loopDelayMaxMs.toFixed(1)} ms, p99 ${b.loopDelayP99Ms.toFixed(1)} ms)`);
    const gc = Object.entries(b.gc).map(([kind, g]) => `${kind} ${g.count}× (longest ${g.maxMs.toFixed(1)} ms, ${g.totalMs.toFixed(0)} ms in all)`);
    console.log(`      garbage collection                 ${gc.join('; ') || 'none'}`);
    console.log(`      ingest time                        ${b.ingestMs.toFixed(0)} ms  (${Math.round(b.spansPerSec).toLocaleString('en')} spans/s, decode + aggregate + trace store)`);
  };
  show('right after the lens measurements (the young generation grown to its largest by them)', burst.afterSetup);
  show('on a settled host (after a full collection, as between bursts of an idle host)', burst.settled);
  if (burst.activatedDuring.length > 0) console.log(`    extensions VS Code activated during the bursts: ${burst.activatedDuring.join(', ')}`);
}

main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});
