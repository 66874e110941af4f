import { type Span, STATUS_ERROR } from '../../core/telemetry';
import { type StoredTrace } from '../../core/telemetry/traceStore';
import { redact } from '../../core/telemetry/redact';
import { type SpanOrigin, findKeyDrops, spanOrigin } from '../../core/telemetry/routedTrace';

/** One row of the waterfall, as posted to the webview. */
export interface WaterfallSpan {
  readonly spanId: string;
  readonly name: string;
  readonly depth: number;
  /** From the trace start, in ms. */
  readonly offsetMs: number;
  readonly durationMs: number;
  readonly error: boolean;
  readonly service: string;
  /** `orders.js:18` when the span has a code location in the workspace. */
  readonly location: string | undefined;
  /** One-line details for the row's tooltip. */
  readonly detail: string;
  /** Whose span: the shared baseline's (through its collector) or the slice's fork. */
  readonly origin: SpanOrigin;
  /** When this span lost the routing key its caller had: which service lost it and how to fix it. */
  readonly keyLost: string | undefined;
}

/** The message the host posts: `{ type: 'trace', trace }`. */
export interface WaterfallTrace {
  readonly traceId: string;
  readonly name: string;
  readonly durationMs: number;
  readonly errors: number;
  readonly spanCount: number;
  readonly dropped: number;
  /** A routed trace: some of its spans are the baseline's (the rows then say whose each span is). */
  readonly routed: boolean;
  readonly spans: readonly WaterfallSpan[];
}

/** Messages of the webview: it asks for the trace once loaded, and to open a span's code. */
export type WebviewMessage = { readonly type: 'ready' } | { readonly type: 'openSpan'; readonly spanId: string };

export function isWebviewMessage(m: unknown): m is WebviewMessage {
  if (typeof m !== 'object' || m === null) return false;
  const t = (m as { type?: unknown }).type;
  return t === 'ready' || (t === 'openSpan' && typeof (m as { spanId?: unknown }).spanId === 'string');
}

/** The spans in tree order (parents before children, siblings by start), with depths. */
export function toWaterfall(trace: StoredTrace, locationOf: (s: Span) => string | undefined): WaterfallTrace {
  const byId = new Map(trace.spans.map((s) => [s.spanId, s]));
  const children = new Map<string, Span[]>();
  const roots: Span[] = [];
  for (const s of trace.spans) {
    if (s.parentSpanId && byId.has(s.parentSpanId) && s.parentSpanId !== s.spanId) {
      let list = children.get(s.parentSpanId);
      if (!list) children.set(s.parentSpanId, (list = []));
      list.push(s);
    } else {
      roots.push(s);
    }
  }
  const byStart = (a: Span, b: Span) => a.startMs - b.startMs;
  const lost = new Map(findKeyDrops(trace.spans).map((d) => [d.callee.spanId, `routing key lost: ${d.callerService} called ${d.calleeService} without the request's baggage`]));
  let routed = false;
  const out: WaterfallSpan[] = [];
  const seen = new Set<string>();
  const visit = (s: Span, depth: number) => {
    if (seen.has(s.spanId)) return;
    seen.add(s.spanId);
    const error = s.status.code === STATUS_ERROR || s.exceptions.length > 0;
    const ex = s.exceptions[s.exceptions.length - 1];
    const location = locationOf(s);
    const origin = spanOrigin(s);
    if (origin === 'baseline') routed = true;
    out.push({
      spanId: s.spanId,
      name: s.name,
      depth,
      offsetMs: s.startMs - trace.startMs,
      durationMs: s.durationMs,
      error,
      service: s.resource.serviceName ?? '',
      location,
      detail: [s.name, `${s.durationMs.toFixed(2)} ms`, s.resource.serviceName, ex ? `${ex.type}: ${redact(ex.message)}` : redact(s.status.message) || undefined].filter(Boolean).join(' · '),
      origin,
      keyLost: lost.get(s.spanId),
    });
    for (const c of (children.get(s.spanId) ?? []).sort(byStart)) visit(c, depth + 1);
  };
  for (const r of roots.sort(byStart)) visit(r, 0);
  return { traceId: trace.traceId, name: trace.root.name, durationMs: trace.durationMs, errors: trace.errors, spanCount: trace.spans.length, dropped: trace.dropped, routed, spans: out };
}
