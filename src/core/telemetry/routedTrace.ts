/**
 * Routed traces: a trace that carries a slice's routing key crosses the baseline's workloads and the
 * slice's forks. The baseline's spans reach the editor through the baseline's collector, which marks
 * them (resource attribute `slice.source` = `baseline`, src/core/routing/collectorConfig.ts); the
 * fork's spans come straight from the fork's agent. This module tells them apart and finds the hops
 * that lost the key: a span with the key whose child in another process (or a server/consumer span)
 * has none, i.e. the caller did not propagate the baggage.
 */
import { BASELINE_SOURCE_ATTRIBUTE, BASELINE_SOURCE_VALUE } from '../routing/collectorConfig';
import { ROUTING_KEY_ATTRIBUTE } from '../routing/routedTelemetry';
import { type CodeLocation, type Span } from './model';

export type SpanOrigin = 'baseline' | 'fork';

/** Where a span was produced: the shared baseline (through the collector) or a fork. */
export function spanOrigin(span: Pick<Span, 'resource'>): SpanOrigin {
  return span.resource.attributes[BASELINE_SOURCE_ATTRIBUTE] === BASELINE_SOURCE_VALUE ? 'baseline' : 'fork';
}

/** The routing key a span carries (its public slice part, the Slice object name), or undefined. */
export function routingKeyOf(span: Pick<Span, 'attributes' | 'resource'>): string | undefined {
  const v = span.attributes[ROUTING_KEY_ATTRIBUTE] ?? span.resource.attributes[ROUTING_KEY_ATTRIBUTE];
  return typeof v === 'string' && v !== '' ? v : undefined;
}

/** A hop that dropped the key. */
export interface KeyDrop {
  readonly traceId: string;
  /** The slice part of the key (the Slice object name). */
  readonly key: string;
  /** The span with the key whose downstream span lost it (usually the HTTP client span). */
  readonly caller: Span;
  /** The first span without the key. */
  readonly callee: Span;
  readonly callerService: string;
  readonly calleeService: string;
  /**
   * The code that made the call: the caller's own `code.*` location, or its nearest ancestor's in
   * the same service (an HTTP client span has none; the handler or traced function around it has).
   */
  readonly location: CodeLocation | undefined;
}

const SERVER = 2;
const CONSUMER = 5;
const serviceOf = (s: Span) => s.resource.serviceName ?? '(unknown service)';

/**
 * The hops of one trace's spans where the key was present on the caller's span and absent
 * downstream. A child without the key counts when it starts another process's work: a server or
 * consumer span, or a span of another service. One drop per callee; the spans may come in any order.
 */
export function findKeyDrops(spans: readonly Span[]): KeyDrop[] {
  const byId = new Map<string, Span>();
  for (const s of spans) if (s.spanId) byId.set(s.spanId, s);
  const drops: KeyDrop[] = [];
  for (const callee of byId.values()) {
    if (!callee.parentSpanId || routingKeyOf(callee) !== undefined) continue;
    const caller = byId.get(callee.parentSpanId);
    if (!caller) continue;
    const key = routingKeyOf(caller);
    if (key === undefined) continue;
    const crossesProcess = callee.kind === SERVER || callee.kind === CONSUMER || serviceOf(callee) !== serviceOf(caller);
    if (!crossesProcess) continue;
    drops.push({ traceId: callee.traceId, key, caller, callee, callerService: serviceOf(caller), calleeService: serviceOf(callee), location: callingCode(caller, byId) });
  }
  return drops.sort((a, b) => a.callee.startMs - b.callee.startMs);
}

function callingCode(caller: Span, byId: ReadonlyMap<string, Span>): CodeLocation | undefined {
  const service = serviceOf(caller);
  let s: Span | undefined = caller;
  for (let hops = 0; s && hops < 64; hops++) {
    if (serviceOf(s) !== service) return undefined;
    if (s.code?.file) return s.code;
    s = s.parentSpanId ? byId.get(s.parentSpanId) : undefined;
  }
  return undefined;
}

/** The hover's words for a drop: which service lost the key, and how to fix propagation. */
export function keyDropMessage(d: KeyDrop): string {
  return (
    `The routing key of slice "${d.key}" was on ${d.callerService}'s span "${d.caller.name}" but not on ${d.calleeService}'s span "${d.callee.name}": ` +
    `this call did not pass the request's baggage on, so ${d.calleeService} and every hop after it served the baseline, not your slice. ` +
    `Make the call with the active context (an instrumented client, or propagation.inject(context.active(), headers) on the outgoing headers) ` +
    `so that the W3C 'baggage' header goes with it.`
  );
}

/** A drop placed in the developer's code: one per calling line, the latest drop's words. */
export interface KeyDropFinding {
  readonly file: string;
  /** 1-based. */
  readonly line: number;
  readonly column: number;
  readonly message: string;
  readonly drop: KeyDrop;
  /** How many of the traces looked at dropped the key at this line. */
  readonly count: number;
}

/**
 * The drops of these traces that land on a workspace line (`locate` maps a span's code location to
 * the workspace, or says it is not there), one finding per line, the latest drop kept.
 */
export function keyDropFindings(
  traces: readonly { readonly spans: readonly Span[] }[],
  locate: (code: CodeLocation) => { readonly file: string; readonly line: number; readonly column: number } | undefined,
): KeyDropFinding[] {
  const byLine = new Map<string, KeyDropFinding>();
  for (const t of traces) {
    for (const d of findKeyDrops(t.spans)) {
      if (!d.location) continue;
      const at = locate(d.location);
      if (!at) continue;
      const id = `${at.file}:${at.line}`;
      const prev = byLine.get(id);
      const latest = !prev || d.callee.startMs >= prev.drop.callee.startMs ? d : prev.drop;
      byLine.set(id, { file: at.file, line: at.line, column: at.column, message: keyDropMessage(latest), drop: latest, count: (prev?.count ?? 0) + 1 });
    }
  }
  return [...byLine.values()].sort((a, b) => (a.file < b.file ? -1 : a.file > b.file ? 1 : a.line - b.line));
}
