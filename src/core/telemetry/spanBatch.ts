/**
 * A span batch: the one form decoded spans travel in, from the decode worker (or the in-thread
 * decoder) to the pipeline that aggregates and stores them, read back as {@link SpanRecord}s a chunk
 * at a time (`spansOf`). The compact transfer form of decoded spans: numbers in typed arrays (transferred, not copied), every string once in a string table
 * (deduplicated: names, paths, functions and messages repeat across a batch), resources once per
 * batch, and each span's attributes as the JSON text of their flat `[key, value, ...]` list (see
 * core/telemetry/otlp/attributeList), made into an object only when something reads it (the
 * trace waterfall, a hover) — aggregating a span never does. Structured-cloning the decoder's span
 * objects instead would copy every attribute object and lose the lazy getter.
 */
import { type CodeLocation, type ExceptionInfo, type ResourceInfo, type Span, type SpanEvent, type SpanKind, type StatusCode, EMPTY_ATTRIBUTES, EMPTY_RESOURCE } from './model';
import { EMPTY_LIST } from './otlp/attributeList';
import { attrsFromJson, attrsToJson } from './attrJson';
import { SpanRecord } from './span';

/** Int32 slots per span. */
const I_SOURCE = 0;
const I_TRACE = 1;
const I_SPAN = 2;
const I_PARENT = 3;
const I_NAME = 4;
const I_KIND = 5;
const I_STATUS = 6;
const I_STATUS_MSG = 7;
const I_CODE = 8; // 1 when the span has a code location
const I_CODE_FILE = 9;
const I_CODE_FN = 10;
const I_ATTRS = 11; // -1: the empty attributes
const I_EVENTS = 12; // first event index
const I_EVENT_COUNT = 13;
const I_EX = 14; // first exception index
const I_EX_COUNT = 15;
const I_RESOURCE = 16; // -1: EMPTY_RESOURCE
const I_SCOPE = 17;
const I_HTTP = 18; // a server span's HTTP status, 0: none
const INTS = 19;
/** Float64 slots per span. */
const F_START = 0;
const F_DURATION = 1;
const F_LINE = 2; // NaN: undefined
const F_COLUMN = 3;
const FLOATS = 4;

/** Decoded spans in their transfer form (plain data: typed arrays, strings, plain objects). */
export interface SpanBatch {
  readonly count: number;
  readonly strings: string[];
  readonly ints: Int32Array;
  readonly floats: Float64Array;
  /** Per event: name, attributes (string indexes; -1: empty attributes). */
  readonly eventInts: Int32Array;
  readonly eventTimes: Float64Array;
  /** Per exception: type, message, stacktrace (string indexes). */
  readonly exInts: Int32Array;
  readonly exTimes: Float64Array;
  readonly resources: ResourceInfo[];
}

/** The buffers of a packed batch, to transfer rather than copy. */
export function transferList(p: SpanBatch): ArrayBuffer[] {
  return [p.ints.buffer, p.floats.buffer, p.eventInts.buffer, p.eventTimes.buffer, p.exInts.buffer, p.exTimes.buffer] as ArrayBuffer[];
}

class StringTable {
  readonly strings: string[] = [];
  private readonly index = new Map<string, number>();
  /** The index of `s` (undefined: -1). */
  of(s: string | undefined): number {
    if (s === undefined) return -1;
    let i = this.index.get(s);
    if (i === undefined) {
      i = this.strings.length;
      this.strings.push(s);
      this.index.set(s, i);
    }
    return i;
  }
  /** A string that will not repeat (ids, attribute JSON): no dedup lookup. */
  once(s: string): number {
    this.strings.push(s);
    return this.strings.length - 1;
  }
}

const num = (n: number | undefined) => (n === undefined ? NaN : n);

/**
 * Packs decoded spans (in the worker). A span's attributes go as their list, without building the
 * attribute object there: an object of dynamic keys costs a string-table lookup per key, and the
 * list's text is one fast JSON.stringify of an array.
 */
export function packSpans(spans: readonly Span[]): SpanBatch {
  const n = spans.length;
  const t = new StringTable();
  const ints = new Int32Array(n * INTS);
  const floats = new Float64Array(n * FLOATS);
  const eventInts: number[] = [];
  const eventTimes: number[] = [];
  const exInts: number[] = [];
  const exTimes: number[] = [];
  const resources: ResourceInfo[] = [];
  const resourceIndex = new Map<ResourceInfo, number>();
  for (let i = 0; i < n; i++) {
    const s = spans[i]!;
    const o = i * INTS;
    const f = i * FLOATS;
    ints[o + I_SOURCE] = t.of(s.source);
    ints[o + I_TRACE] = t.of(s.traceId);
    ints[o + I_SPAN] = t.once(s.spanId);
    ints[o + I_PARENT] = t.of(s.parentSpanId);
    ints[o + I_NAME] = t.of(s.name);
    ints[o + I_KIND] = s.kind;
    ints[o + I_STATUS] = s.status.code;
    ints[o + I_STATUS_MSG] = t.of(s.status.message);
    const c = s.code;
    ints[o + I_CODE] = c ? 1 : 0;
    ints[o + I_CODE_FILE] = t.of(c?.file);
    ints[o + I_CODE_FN] = t.of(c?.function);
    floats[f + F_LINE] = num(c?.line);
    floats[f + F_COLUMN] = num(c?.column);
    const list = SpanRecord.listOf(s);
    ints[o + I_ATTRS] = list === EMPTY_LIST ? -1 : t.once(attrsToJson(list));
    ints[o + I_EVENTS] = eventTimes.length;
    ints[o + I_EVENT_COUNT] = s.events.length;
    for (const e of s.events) {
      eventInts.push(t.of(e.name), e.attributes === EMPTY_ATTRIBUTES ? -1 : t.once(attrsToJson(e.attributes)));
      eventTimes.push(e.timeMs);
    }
    ints[o + I_EX] = exTimes.length;
    ints[o + I_EX_COUNT] = s.exceptions.length;
    for (const x of s.exceptions) {
      exInts.push(t.of(x.type), t.of(x.message), t.of(x.stacktrace));
      exTimes.push(x.timeMs);
    }
    let r = -1;
    if (s.resource !== EMPTY_RESOURCE) {
      r = resourceIndex.get(s.resource) ?? -1;
      if (r < 0) {
        r = resources.length;
        resources.push(s.resource);
        resourceIndex.set(s.resource, r);
      }
    }
    ints[o + I_RESOURCE] = r;
    ints[o + I_SCOPE] = t.of(s.scope);
    ints[o + I_HTTP] = s.httpStatus ?? 0;
    floats[f + F_START] = s.startMs;
    floats[f + F_DURATION] = s.durationMs;
  }
  return {
    count: n,
    strings: t.strings,
    ints,
    floats,
    eventInts: Int32Array.from(eventInts),
    eventTimes: Float64Array.from(eventTimes),
    exInts: Int32Array.from(exInts),
    exTimes: Float64Array.from(exTimes),
    resources,
  };
}

const NO_EVENTS: readonly SpanEvent[] = Object.freeze([]);
const NO_EXCEPTIONS: readonly ExceptionInfo[] = Object.freeze([]);

/** Span `i` of a batch; its attribute object is parsed from the batch's JSON text on first read. */
function spanAt(p: SpanBatch, i: number): Span {
  const s = p.strings;
  const o = i * INTS;
  const f = i * FLOATS;
  const ints = p.ints;
  const r = ints[o + I_RESOURCE]!;
  const a = ints[o + I_ATTRS]!;
  return new SpanRecord(
    s[ints[o + I_SOURCE]!]!,
    s[ints[o + I_TRACE]!]!,
    s[ints[o + I_SPAN]!]!,
    s[ints[o + I_PARENT]!]!,
    s[ints[o + I_NAME]!]!,
    ints[o + I_KIND] as SpanKind,
    p.floats[f + F_START]!,
    p.floats[f + F_DURATION]!,
    { code: ints[o + I_STATUS] as StatusCode, message: s[ints[o + I_STATUS_MSG]!]! },
    ints[o + I_CODE] === 1 ? codeAt(p, o, f) : undefined,
    eventsAt(p, ints[o + I_EVENTS]!, ints[o + I_EVENT_COUNT]!),
    exceptionsAt(p, ints[o + I_EX]!, ints[o + I_EX_COUNT]!),
    r < 0 ? EMPTY_RESOURCE : p.resources[r]!,
    s[ints[o + I_SCOPE]!]!,
    ints[o + I_HTTP]!,
    a < 0 ? EMPTY_ATTRIBUTES : s[a]!,
  );
}

const str = (p: SpanBatch, i: number) => (i < 0 ? undefined : p.strings[i]);
const opt = (n: number) => (Number.isNaN(n) ? undefined : n);

function codeAt(p: SpanBatch, o: number, f: number): CodeLocation {
  return { file: str(p, p.ints[o + I_CODE_FILE]!), line: opt(p.floats[f + F_LINE]!), column: opt(p.floats[f + F_COLUMN]!), function: str(p, p.ints[o + I_CODE_FN]!) };
}

function eventsAt(p: SpanBatch, first: number, count: number): readonly SpanEvent[] {
  if (count === 0) return NO_EVENTS;
  const out: SpanEvent[] = [];
  for (let e = first; e < first + count; e++) {
    const a = p.eventInts[e * 2 + 1]!;
    out.push({ name: p.strings[p.eventInts[e * 2]!]!, timeMs: p.eventTimes[e]!, attributes: a < 0 ? EMPTY_ATTRIBUTES : attrsFromJson(p.strings[a]!) });
  }
  return out;
}

function exceptionsAt(p: SpanBatch, first: number, count: number): readonly ExceptionInfo[] {
  if (count === 0) return NO_EXCEPTIONS;
  const out: ExceptionInfo[] = [];
  for (let e = first; e < first + count; e++) {
    out.push({ type: p.strings[p.exInts[e * 3]!]!, message: p.strings[p.exInts[e * 3 + 1]!]!, stacktrace: p.strings[p.exInts[e * 3 + 2]!]!, timeMs: p.exTimes[e]! });
  }
  return out;
}

/** The spans of a batch, `from` (inclusive) to `to` (exclusive). */
export function spansOf(p: SpanBatch, from = 0, to = p.count): Span[] {
  const out: Span[] = new Array<Span>(Math.max(0, to - from));
  for (let i = from; i < to; i++) out[i - from] = spanAt(p, i);
  return out;
}

/** The distinct `code.*` file paths of a packed batch (without making its spans). */
export function codeFiles(p: SpanBatch): string[] {
  const seen = new Set<number>();
  for (let i = 0; i < p.count; i++) {
    const f = p.ints[i * INTS + I_CODE_FILE]!;
    if (f >= 0) seen.add(f);
  }
  return [...seen].map((i) => p.strings[i]!);
}
