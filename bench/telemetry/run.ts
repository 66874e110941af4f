/**
 * bench/telemetry: spans per second decoded and aggregated on one core, for OTLP/JSON and OTLP
 * protobuf, beside a bare JSON.parse of the same JSON payloads (the floor), and the heap after
 * 1,000,000 spans. Goals (issue 6): >= 150,000 spans/s; heap < 150 MB after 1M spans.
 *
 *   node --expose-gc out/bench/telemetry/run.js     (re-executes itself with --expose-gc when needed)
 */
import { execFileSync } from 'node:child_process';
import { type PerformanceEntry, PerformanceObserver, constants as perfConstants } from 'node:perf_hooks';
import { decodeLogsJson, decodeLogsJsonTree, decodeTracesJson } from '../../src/core/telemetry/otlp/decodeJson';
import { decodeTracesProto } from '../../src/core/telemetry/otlp/decodeProto';
import { TelemetryAggregator } from '../../src/core/telemetry/aggregate/aggregator';
import { Locator } from '../../src/core/telemetry/locate';
import { PathMapper } from '../../src/core/telemetry/pathMapping';
import { RejectionCounter } from '../../src/core/telemetry/rejections';
import { type Span } from '../../src/core/telemetry/model';
import { TraceStore } from '../../src/core/telemetry/traceStore';
import { type SpanBatch, packSpans, spansOf } from '../../src/core/telemetry/spanBatch';
import { LruTraceStore } from './lruTraceStore';
import { SPANS_PER_BATCH, makeLogPayloads, makePayloads } from './payloads';

const GOAL_SPANS_PER_S = 150_000;
const GOAL_HEAP_MB = 150;
const MILLION = 1_000_000;

const gc = (globalThis as { gc?: () => void }).gc;
if (!gc) {
  console.log('re-running with --expose-gc: node --expose-gc out/bench/telemetry/run.js');
  execFileSync(process.execPath, ['--expose-gc', __filename], { stdio: 'inherit' });
  process.exit(0);
}

function aggregator(): TelemetryAggregator {
  return new TelemetryAggregator({ locator: new Locator(new PathMapper([{ containerPath: '/app', localPath: '/home/dev/orders' }])) });
}

/** Runs `step` over the payloads round-robin for ~`seconds`; returns spans/s. */
function measure(seconds: number, n: number, step: (i: number) => void): number {
  let batches = 0;
  const t0 = performance.now();
  let elapsed = 0;
  while (elapsed < seconds * 1000) {
    for (let k = 0; k < 8; k++) step(batches++ % n);
    elapsed = performance.now() - t0;
  }
  return (batches * SPANS_PER_BATCH) / (elapsed / 1000);
}

/**
 * Measures the cases interleaved, ROUNDS times, and keeps each case's best round: on a shared
 * machine the best round is the one least disturbed, and interleaving keeps the ratios fair.
 */
const ROUNDS = 5;
function bestOf(cases: Record<string, { n: number; step: (i: number) => void }>): Record<string, number> {
  const best: Record<string, number> = {};
  for (const [name, c] of Object.entries(cases)) {
    for (let i = 0; i < 2 * c.n; i++) c.step(i % c.n); // warm-up
    best[name] = 0;
  }
  for (let r = 0; r < ROUNDS; r++) {
    for (const [name, c] of Object.entries(cases)) best[name] = Math.max(best[name]!, measure(0.6, c.n, c.step));
  }
  return best;
}

interface BurstRun {
  readonly rate: number;
  /** Young-generation collections (scavenges) during the burst: count, longest and total pause. */
  readonly minor: number;
  readonly longestMs: number;
  readonly totalMs: number;
}

const BURST_BATCHES = 400;

/**
 * The extension host's share of a burst (structured clone + unpack + aggregate + trace store) on a
 * fresh aggregator and store, after a warm-up and a full collection: spans/s, and the pauses of the
 * young-generation collections meanwhile, which are what blocks the extension host's event loop
 * longest in a burst.
 */
async function hostBurst(packed: readonly SpanBatch[], store: { add(spans: readonly Span[]): void }): Promise<BurstRun> {
  const agg = aggregator();
  const step = (i: number) => {
    const p = structuredClone(packed[i % packed.length]!);
    for (let from = 0; from < p.count; from += 250) {
      const chunk = spansOf(p, from, Math.min(p.count, from + 250));
      agg.addSpans(chunk);
      store.add(chunk);
    }
  };
  for (let i = 0; i < 2 * packed.length; i++) step(i);
  gc!();
  const pauses: number[] = [];
  const observer = new PerformanceObserver((list) => {
    for (const e of list.getEntries()) if ((e as PerformanceEntry & { detail?: { kind?: number } }).detail?.kind === perfConstants.NODE_PERFORMANCE_GC_MINOR) pauses.push(e.duration);
  });
  observer.observe({ entryTypes: ['gc'] });
  const t0 = performance.now();
  for (let i = 0; i < BURST_BATCHES; i++) step(i);
  const ms = performance.now() - t0;
  await new Promise((r) => setTimeout(r, 20)); // the observer hears of the collections on a later turn
  observer.disconnect();
  return { rate: (BURST_BATCHES * SPANS_PER_BATCH) / (ms / 1000), minor: pauses.length, longestMs: Math.max(0, ...pauses), totalMs: pauses.reduce((a, b) => a + b, 0) };
}

async function main(): Promise<void> {
  const { json, proto } = makePayloads(32);
  const jsonBytes = json.reduce((a, s) => a + s.length, 0) / json.length;
  const protoBytes = proto.reduce((a, b) => a + b.length, 0) / proto.length;
  console.log(`bench/telemetry (node ${process.version}, one core, best of ${ROUNDS} interleaved rounds; batches of ${SPANS_PER_BATCH} spans, ${(jsonBytes / 1024).toFixed(0)} KiB JSON / ${(protoBytes / 1024).toFixed(0)} KiB protobuf per batch, 5% errors with stack traces)`);
  const counter = new RejectionCounter();
  let sink = 0;

  const aggJ = aggregator();
  const aggP = aggregator();
  const decodeRates = bestOf({
    floor: {
      n: json.length,
      step: (i) => {
        const o = JSON.parse(json[i]!) as { resourceSpans: unknown[] };
        sink += o.resourceSpans.length;
      },
    },
    json: {
      n: json.length,
      step: (i) => {
        const r = decodeTracesJson(json[i]!, { source: 'slice', counter });
        if (r.ok) aggJ.addSpans(r.value);
      },
    },
    proto: {
      n: proto.length,
      step: (i) => {
        const r = decodeTracesProto(proto[i]!, { source: 'slice', counter });
        if (r.ok) aggP.addSpans(r.value);
      },
    },
    jsonOnly: {
      n: json.length,
      step: (i) => {
        const r = decodeTracesJson(json[i]!, { source: 'slice', counter });
        if (r.ok) sink += r.value.length;
      },
    },
    protoOnly: {
      n: proto.length,
      step: (i) => {
        const r = decodeTracesProto(proto[i]!, { source: 'slice', counter });
        if (r.ok) sink += r.value.length;
      },
    },
  });
  // OTLP/JSON logs: the tape decoder beside the JSON.parse tree path it replaced and bare JSON.parse.
  const logs = makeLogPayloads(32);
  const logRates = bestOf({
    logsFloor: {
      n: logs.length,
      step: (i) => {
        const o = JSON.parse(logs[i]!) as { resourceLogs: unknown[] };
        sink += o.resourceLogs.length;
      },
    },
    logsTape: {
      n: logs.length,
      step: (i) => {
        const r = decodeLogsJson(logs[i]!, { source: 'slice', counter });
        if (r.ok) sink += r.value.length;
      },
    },
    logsTree: {
      n: logs.length,
      step: (i) => {
        const r = decodeLogsJsonTree(logs[i]!, { source: 'slice', counter });
        if (r.ok) sink += r.value.length;
      },
    },
  });
  logs.length = 0;
  // The aggregator alone, on spans decoded beforehand, is measured after the rows above, not beside
  // them: holding 32,000 decoded spans makes V8 pretenure the decoders' allocation sites (they saw
  // everything survive), so the decoders' later garbage goes straight to the old generation and
  // every scavenge copies what it points to. The decode rows measured 10-30% slower beside them, an
  // artefact of this bench (the decode worker holds nothing), gone with --no-allocation-site-pretenuring.
  const decodedJ = json.map((t) => decodeTracesJson(t, { source: 'slice', counter })).map((r) => (r.ok ? r.value : []));
  const decodedP = proto.map((b) => decodeTracesProto(b, { source: 'slice', counter })).map((r) => (r.ok ? r.value : []));
  const aggJOnly = aggregator();
  const aggPOnly = aggregator();
  const aggRates = bestOf({
    aggJsonOnly: { n: decodedJ.length, step: (i) => aggJOnly.addSpans(decodedJ[i]!) },
    aggProtoOnly: { n: decodedP.length, step: (i) => aggPOnly.addSpans(decodedP[i]!) },
  });
  // The product's split (src/platform/telemetry): the decode worker decodes and packs each payload
  // (typed-array columns, a string table, each span's attribute list as JSON text); the extension
  // host unpacks it in chunks of 250 and feeds the aggregator and the trace store. Measured last, for
  // the reason above (the host rows hold the packed batches).
  const workerRates = bestOf({
    workerJson: {
      n: json.length,
      step: (i) => {
        const r = decodeTracesJson(json[i]!, { source: 'slice', counter, transient: true });
        if (r.ok) sink += packSpans(r.value).count;
      },
    },
    workerProto: {
      n: proto.length,
      step: (i) => {
        const r = decodeTracesProto(proto[i]!, { source: 'slice', counter, transient: true });
        if (r.ok) sink += packSpans(r.value).count;
      },
    },
  });
  const packed = json.map((t) => decodeTracesJson(t, { source: 'slice', counter })).map((r) => packSpans(r.ok ? r.value : []));
  const aggHost = aggregator();
  const store = new TraceStore();
  const hostRates = bestOf({
    host: {
      n: packed.length,
      step: (i) => {
        const p = structuredClone(packed[i]!); // what postMessage hands the host
        for (let from = 0; from < p.count; from += 250) {
          const chunk = spansOf(p, from, Math.min(p.count, from + 250));
          aggHost.addSpans(chunk);
          store.add(chunk);
        }
      },
    },
  });
  // The same share in a burst, with Slice's trace store and with the one-map LRU (the baseline),
  // alternating, twice each.
  const bursts: { ours: BurstRun[]; lru: BurstRun[] } = { ours: [], lru: [] };
  for (let r = 0; r < 2; r++) {
    bursts.ours.push(await hostBurst(packed, new TraceStore()));
    bursts.lru.push(await hostBurst(packed, new LruTraceStore()));
  }
  packed.length = 0;
  const { workerJson, workerProto } = workerRates as Record<'workerJson' | 'workerProto', number>;
  const { host } = hostRates as Record<'host', number>;
  const { floor, json: jsonRate, proto: protoRate, jsonOnly, protoOnly } = decodeRates as Record<'floor' | 'json' | 'proto' | 'jsonOnly' | 'protoOnly', number>;
  const { aggJsonOnly, aggProtoOnly } = aggRates as Record<'aggJsonOnly' | 'aggProtoOnly', number>;

  decodedJ.length = 0; // not counted in the heap below
  decodedP.length = 0;

  // heap after 1M spans through decode + aggregate (half JSON, half protobuf), then a full GC
  gc!();
  const before = process.memoryUsage().heapUsed;
  const agg = aggregator();
  const batches = Math.ceil(MILLION / SPANS_PER_BATCH);
  for (let b = 0; b < batches; b++) {
    const r = b % 2 === 0 ? decodeTracesJson(json[b % json.length]!, { source: b % 4 === 0 ? 'baseline' : 'slice', counter }) : decodeTracesProto(proto[b % proto.length]!, { source: 'slice', counter });
    if (r.ok) agg.addSpans(r.value);
  }
  gc!();
  const heapMb = process.memoryUsage().heapUsed / 1024 / 1024;
  const aggMb = (process.memoryUsage().heapUsed - before) / 1024 / 1024;
  // outside the JS heap: array buffers, among them the OTLP/JSON scanner's WebAssembly memory (input + tape + string cache)
  const buffersMb = process.memoryUsage().arrayBuffers / 1024 / 1024;
  const st = agg.stats();

  const k = (n: number) => `${Math.round(n).toLocaleString('en-US')} spans/s`;
  console.log(`  bare JSON.parse (floor)                 ${k(floor)}`);
  console.log(`  OTLP/JSON decode + aggregate            ${k(jsonRate)}  (${(floor / jsonRate).toFixed(2)}× the floor's time)`);
  console.log(`  OTLP/protobuf decode + aggregate        ${k(protoRate)}  (${(floor / protoRate).toFixed(2)}× the floor's time)`);
  console.log(`    decode only: JSON ${k(jsonOnly)}, protobuf ${k(protoOnly)}`);
  const us = (rate: number) => `${(1e6 / rate).toFixed(2)} µs`;
  console.log(`    per span: JSON.parse ${us(floor)}; decode JSON ${us(jsonOnly)}, protobuf ${us(protoOnly)}; aggregate alone (spans decoded beforehand) ${us(aggJsonOnly)} for JSON-decoded spans, ${us(aggProtoOnly)} for protobuf-decoded ones`);
  const { logsFloor, logsTape, logsTree } = logRates as Record<'logsFloor' | 'logsTape' | 'logsTree', number>;
  const records = (n: number) => `${Math.round(n).toLocaleString('en-US')} records/s`;
  console.log(`  OTLP/JSON logs decode                   ${records(logsTape)}  (${(logsFloor / logsTape).toFixed(2)}× the time of a bare JSON.parse, ${records(logsFloor)}; through JSON.parse's tree ${records(logsTree)}, ${(logsTree > 0 ? logsTape / logsTree : 0).toFixed(2)}× slower)`);
  console.log(`  as the extension splits the work: decode worker (decode + pack) JSON ${k(workerJson)} (${(floor / workerJson).toFixed(2)}× the floor's time), protobuf ${k(workerProto)};`);
  console.log(`    extension host (structured clone + unpack + aggregate + trace store) ${k(host)}; a burst goes at the slower of the two, each on its own core`);
  const burstRow = (runs: BurstRun[]) =>
    `${k(Math.max(...runs.map((b) => b.rate)))}, young-generation collections ${runs.map((b) => `${b.minor}× longest ${b.longestMs.toFixed(1)} ms (${b.totalMs.toFixed(0)} ms in all)`).join(' / ')}`;
  const longest = (runs: BurstRun[]) => Math.max(...runs.map((b) => b.longestMs));
  console.log(`  extension host's share of a burst of ${(BURST_BATCHES * SPANS_PER_BATCH).toLocaleString('en-US')} spans (fresh aggregator and trace store, after a full collection), two runs each:`);
  console.log(`    with Slice's trace store (two insert-only generations)    ${burstRow(bursts.ours)}`);
  console.log(`    with a one-map LRU trace store (the baseline)             ${burstRow(bursts.lru)}`);
  console.log(`    longest young-generation pause: ${(longest(bursts.lru) / Math.max(0.01, longest(bursts.ours))).toFixed(0)}× shorter with Slice's store`);
  console.log(`  heap after ${batches * SPANS_PER_BATCH} spans (after GC)      ${heapMb.toFixed(1)} MB total, ${aggMb.toFixed(1)} MB held by the aggregator (${st.keys} entries, ${st.evictions} evicted, ${st.unlocated} unlocated); array buffers outside the heap ${buffersMb.toFixed(1)} MB (the OTLP/JSON scanner's WebAssembly memory among them)`);
  console.log(`  rejections: ${JSON.stringify(counter.snapshot())}  (sink ${sink > 0 ? 'ok' : '-'})`);
  const goal = (name: string, met: boolean, detail: string) => console.log(`goal ${name}: ${met ? 'met' : 'NOT MET'} (${detail})`);
  goal(`OTLP/JSON >= ${GOAL_SPANS_PER_S.toLocaleString('en-US')} spans/s`, jsonRate >= GOAL_SPANS_PER_S, k(jsonRate));
  goal(`OTLP/protobuf >= ${GOAL_SPANS_PER_S.toLocaleString('en-US')} spans/s`, protoRate >= GOAL_SPANS_PER_S, k(protoRate));
  goal(`heap after 1M spans < ${GOAL_HEAP_MB} MB`, heapMb < GOAL_HEAP_MB, `${heapMb.toFixed(1)} MB`);
}

main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});
