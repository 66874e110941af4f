/**
 * The recent traces, by trace id, with their spans: what the trace waterfall draws and the
 * Traces view lists. Bounded: at most `maxTraces` traces (the least recently updated go first)
 * and at most `maxSpansPerTrace` spans per trace (later spans of a full trace are counted, not kept).
 */
import { type Span, type SourceTag, STATUS_ERROR } from './model';

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
  readonly startMs: number;
  readonly durationMs: number;
  readonly spanCount: number;
  readonly errors: number;
}

export interface TraceStoreOptions {
  /** Most traces kept (default 200). */
  readonly maxTraces?: number;
  /** Most spans kept per trace (default 1,000). */
  readonly maxSpansPerTrace?: number;
}

interface Entry {
  readonly traceId: string;
  readonly source: SourceTag;
  readonly spans: Span[];
  root: Span | undefined;
  first: Span;
  startMs: number;
  endMs: number;
  errors: number;
  dropped: number;
}

const isError = (s: Span) => s.status.code === STATUS_ERROR || s.exceptions.length > 0;

/** Recent traces by id, bounded, most recently updated last. */
export class TraceStore {
  /** Map iteration order is insertion order: re-inserting on update keeps the newest last. */
  private readonly traces = new Map<string, Entry>();
  private readonly maxTraces: number;
  private readonly maxSpans: number;

  constructor(options: TraceStoreOptions = {}) {
    this.maxTraces = Math.max(1, options.maxTraces ?? 200);
    this.maxSpans = Math.max(1, options.maxSpansPerTrace ?? 1000);
  }

  get size(): number {
    return this.traces.size;
  }

  /** Adds spans (of any traces); spans without a trace id are ignored. */
  add(spans: readonly Span[]): void {
    for (let i = 0; i < spans.length; i++) {
      const s = spans[i]!;
      if (s.traceId.length === 0) continue;
      let e = this.traces.get(s.traceId);
      if (e) {
        this.traces.delete(s.traceId);
      } else {
        e = { traceId: s.traceId, source: s.source, spans: [], root: undefined, first: s, startMs: s.startMs, endMs: s.startMs + s.durationMs, errors: 0, dropped: 0 };
      }
      this.traces.set(s.traceId, e);
      if (e.spans.length >= this.maxSpans) {
        e.dropped++;
        continue;
      }
      e.spans.push(s);
      if (s.parentSpanId.length === 0 && !e.root) e.root = s;
      if (s.startMs < e.first.startMs) e.first = s;
      e.startMs = Math.min(e.startMs, s.startMs);
      e.endMs = Math.max(e.endMs, s.startMs + s.durationMs);
      if (isError(s)) e.errors++;
    }
    while (this.traces.size > this.maxTraces) {
      const oldest = this.traces.keys().next().value;
      if (oldest === undefined) break;
      this.traces.delete(oldest);
    }
  }

  /** A trace by id (lowercase hex), or undefined when unknown or evicted. */
  get(traceId: string): StoredTrace | undefined {
    const e = this.traces.get(traceId.toLowerCase());
    return e ? freeze(e) : undefined;
  }

  /** The most recently updated traces first. */
  recent(limit = 50): TraceSummary[] {
    const out: TraceSummary[] = [];
    const all = [...this.traces.values()];
    for (let i = all.length - 1; i >= 0 && out.length < limit; i--) {
      const e = all[i]!;
      const root = e.root ?? e.first;
      out.push({ traceId: e.traceId, source: e.source, name: root.name, startMs: e.startMs, durationMs: e.endMs - e.startMs, spanCount: e.spans.length, errors: e.errors });
    }
    return out;
  }

  clear(): void {
    this.traces.clear();
  }
}

function freeze(e: Entry): StoredTrace {
  return {
    traceId: e.traceId,
    source: e.source,
    spans: [...e.spans],
    root: e.root ?? e.first,
    startMs: e.startMs,
    durationMs: e.endMs - e.startMs,
    errors: e.errors,
    dropped: e.dropped,
  };
}
