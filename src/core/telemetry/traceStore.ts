/**
 * The recent traces, by trace id, with their spans: what the trace waterfall draws and the
 * Traces view lists. Bounded: at most `maxTraces` traces, of which at least the `maxTraces / 2`
 * most recently updated, and at most `maxSpansPerTrace` spans per trace (later spans of a full
 * trace are counted, not kept).
 *
 * The traces are kept in two generations of insert-only maps (the newer takes traces as they are
 * added or updated; once it holds `maxTraces / 2`, it becomes the older and the older is dropped),
 * not in one map kept in recency order by deleting and re-inserting a trace on each update. In V8,
 * a map that is updated that way replaces its hash table every few hundred updates, and each
 * replaced table links to its successor: once one table of the chain has reached the old
 * generation, it keeps every later table, and every trace they held, alive through each
 * young-generation collection until the next full one. In a burst, the extension host then copied
 * and promoted tens of MB of evicted traces in single pauses of 40–80 ms.
 */
import { httpOf } from './attributes';
import { type Span, type SourceTag, STATUS_ERROR, answeredOnPurpose } from './model';

/** A trace as the editor shows it. */
export interface StoredTrace {
  readonly traceId: string;
  readonly source: SourceTag;
  /** Spans in arrival order. */
  readonly spans: readonly Span[];
  /** The root span (no parent), or the earliest span when the root has not arrived. */
  readonly root: Span;
  readonly startMs: number;
  /** From the earliest start to the latest end of the spans kept. */
  readonly durationMs: number;
  /** Spans with an error status or an exception. */
  readonly errors: number;
  /** Spans that arrived after the trace was full. */
  readonly dropped: number;
}

/** A line of the recent-traces list. */
export interface TraceSummary {
  readonly traceId: string;
  readonly source: SourceTag;
  readonly name: string;
  /** The root span's HTTP method, route (or path) and response status, when it is an HTTP span. */
  readonly method: string | undefined;
  readonly route: string | undefined;
  readonly status: number | undefined;
  readonly startMs: number;
  readonly durationMs: number;
  readonly spanCount: number;
  readonly errors: number;
}

export interface TraceStoreOptions {
  /** Most traces kept (default 200; an odd number is rounded up); at least the most recently updated half of them are. */
  readonly maxTraces?: number;
  /** Most spans kept per trace (default 1,000). */
  readonly maxSpansPerTrace?: number;
}

interface Entry {
  /** When the trace was last updated (the store's update count then): the recency order. */
  touched: number;
  readonly traceId: string;
  readonly source: SourceTag;
  readonly spans: Span[];
  /** Indexes into {@link spans} (numbers, not references: see {@link release}); -1: no root yet. */
  rootAt: number;
  firstAt: number;
  startMs: number;
  endMs: number;
  errors: number;
  dropped: number;
}

const isError = (s: Span) => s.status.code === STATUS_ERROR || s.exceptions.length > 0;
/**
 * The failures of a trace: its error spans, but for those of a service whose server span answered
 * a 4xx on purpose (model.ts `answeredOnPurpose`, the aggregator's rule too). Read only for traces with errors.
 */
function failures(e: Entry): number {
  if (e.errors === 0) return 0;
  const answered = new Set<string | undefined>();
  for (const s of e.spans) if (answeredOnPurpose(s, s.httpStatus ?? httpOf(s.attributes).status ?? 0)) answered.add(s.resource.serviceName);
  if (answered.size === 0) return e.errors;
  let n = 0;
  for (const s of e.spans) if (isError(s) && !answered.has(s.resource.serviceName)) n++;
  return n;
}

/** Recent traces by id, bounded. */
export class TraceStore {
  /** The traces added or updated since the generations last turned over (insert-only). */
  private newer = new Map<string, Entry>();
  /** The generation before: its traces not updated since (an updated one is also in {@link newer}, which wins). */
  private older = new Map<string, Entry>();
  /** Traces a generation holds before it turns over. */
  private readonly generation: number;
  private readonly maxSpans: number;
  private updates = 0;

  constructor(options: TraceStoreOptions = {}) {
    this.generation = Math.max(1, Math.ceil((options.maxTraces ?? 200) / 2));
    this.maxSpans = Math.max(1, options.maxSpansPerTrace ?? 1000);
  }

  get size(): number {
    let n = this.newer.size;
    for (const id of this.older.keys()) if (!this.newer.has(id)) n++;
    return n;
  }

  /** Adds spans (of any traces); spans without a trace id are ignored. */
  add(spans: readonly Span[]): void {
    for (let i = 0; i < spans.length; i++) {
      const s = spans[i]!;
      if (s.traceId.length === 0) continue;
      const e = this.entryFor(s);
      e.touched = ++this.updates;
      if (e.spans.length >= this.maxSpans) {
        e.dropped++;
        continue;
      }
      const at = e.spans.push(s) - 1;
      if (s.parentSpanId.length === 0 && e.rootAt < 0) e.rootAt = at;
      if (s.startMs < e.spans[e.firstAt]!.startMs) e.firstAt = at;
      e.startMs = Math.min(e.startMs, s.startMs);
      e.endMs = Math.max(e.endMs, s.startMs + s.durationMs);
      if (isError(s)) e.errors++;
    }
  }

  /** The span's trace in the newer generation: found there, brought over from the older, or new. */
  private entryFor(s: Span): Entry {
    const found = this.newer.get(s.traceId);
    if (found) return found;
    const moving = this.older.get(s.traceId);
    if (this.newer.size >= this.generation) {
      // the older generation goes, but for its traces updated since (in the newer) and this one
      for (const [id, evicted] of this.older) if (evicted !== moving && !this.newer.has(id)) release(evicted);
      this.older = this.newer;
      this.newer = new Map();
    }
    const e = moving ?? { touched: 0, traceId: s.traceId, source: s.source, spans: [], rootAt: -1, firstAt: 0, startMs: s.startMs, endMs: s.startMs + s.durationMs, errors: 0, dropped: 0 };
    this.newer.set(s.traceId, e);
    return e;
  }

  /** A trace by id (lowercase hex), or undefined when unknown or evicted. */
  get(traceId: string): StoredTrace | undefined {
    const id = traceId.toLowerCase();
    const e = this.newer.get(id) ?? this.older.get(id);
    return e ? freeze(e) : undefined;
  }

  /** The most recently updated traces first. */
  recent(limit = 50): TraceSummary[] {
    const all = [...this.newer.values()];
    for (const [id, e] of this.older) if (!this.newer.has(id)) all.push(e);
    all.sort((a, b) => b.touched - a.touched);
    return all.slice(0, Math.max(0, limit)).map((e) => {
      const root = rootOf(e);
      const http = httpOf(root.attributes);
      return { traceId: e.traceId, source: e.source, name: root.name, method: http.method, route: http.route, status: http.status, startMs: e.startMs, durationMs: e.endMs - e.startMs, spanCount: e.spans.length, errors: failures(e) };
    });
  }

  clear(): void {
    for (const e of this.older.values()) release(e);
    for (const e of this.newer.values()) release(e);
    this.newer = new Map();
    this.older = new Map();
  }
}

const rootOf = (e: Entry): Span => e.spans[e.rootAt >= 0 ? e.rootAt : e.firstAt]!;

/**
 * An evicted trace lets go of its spans. V8 allocates the objects of an allocation site whose
 * objects tend to survive (trace entries do, while a burst fills the store) directly in its old
 * generation; such an entry, dead but not yet collected, would still point at its spans, and a
 * young-generation collection keeps alive whatever an old object points at. In a burst, that kept
 * every span (and its strings) of every evicted trace alive until they were promoted, and the
 * extension host paused 40–80 ms in single collections copying them. Slots overwritten with
 * `undefined` point at nothing.
 */
function release(e: Entry): void {
  const spans = e.spans as (Span | undefined)[];
  spans.fill(undefined);
  spans.length = 0;
}

function freeze(e: Entry): StoredTrace {
  return {
    traceId: e.traceId,
    source: e.source,
    spans: [...e.spans],
    root: rootOf(e),
    startMs: e.startMs,
    durationMs: e.endMs - e.startMs,
    errors: failures(e),
    dropped: e.dropped,
  };
}
