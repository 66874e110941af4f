import { type Span } from '../../src/core/telemetry/model';

/**
 * The baseline of the trace store's burst row: recent traces kept the textbook way, in one map in
 * recency order (a trace deleted and re-inserted on each update, the oldest deleted past the bound),
 * as src/core/telemetry/traceStore.ts did before it kept two insert-only generations.
 */
export class LruTraceStore {
  private readonly traces = new Map<string, { readonly traceId: string; readonly spans: Span[] }>();

  constructor(private readonly maxTraces = 200) {}

  add(spans: readonly Span[]): void {
    for (const s of spans) {
      let e = this.traces.get(s.traceId);
      if (e) this.traces.delete(s.traceId);
      else e = { traceId: s.traceId, spans: [] };
      this.traces.set(s.traceId, e);
      e.spans.push(s);
    }
    while (this.traces.size > this.maxTraces) this.traces.delete(this.traces.keys().next().value!);
  }
}
