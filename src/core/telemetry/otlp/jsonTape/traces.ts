/**
 * OTLP/JSON ExportTraceServiceRequest to spans, read off the tape (./tape.ts): the same answer as
 * the tree path of ../decodeJson.ts (JSON.parse, then ../jsonTree.ts) for every payload, the same
 * counts of skipped items, without building the tree. The hot fields of a span (ids, name, kind,
 * times, status, events, attributes with scalar values) are read in place; anything rarer (the resource,
 * the scope, array/kvlist/bytes values, a field of an unexpected type) is parsed on its own
 * with JSON.parse and read by the tree path's functions, so both paths answer alike by construction.
 */
import { type Result, ok } from '../../../base/result';
import { type AttrValue, type ResourceInfo, type Span, type StatusCode } from '../../model';
import { type Rejection, reject } from '../../rejections';
import { jsonAnyValue, jsonAttributeList } from '../anyValue';
import { type AttributeList, EMPTY_LIST, materialize, newList } from '../attributeList';
import { type RawEvent, makeSpan, spanKind, statusCode } from '../build';
import { resourceFrom, scopeNameFrom } from '../jsonTree';
import { type DecodeContext } from '../limits';
import { decimalRangeNanosToMs, int64ToNumber, jsonId, lowerHexIdIn, nanosToMs } from '../scalars';
import { TapeReader } from './reader';
import { ARRAY, FALSE, NULL, NUMBER, OBJECT, STRING, TRUE, type Tape } from './tape';

/** The keys the decoder reads; a key's id is 1 + its index here. */
export const TRACE_KEYS = [
  'resourceSpans',
  'resource',
  'scopeSpans',
  'instrumentationLibrarySpans',
  'scope',
  'instrumentationLibrary',
  'spans',
  'traceId',
  'spanId',
  'parentSpanId',
  'name',
  'kind',
  'startTimeUnixNano',
  'endTimeUnixNano',
  'attributes',
  'events',
  'status',
  'code',
  'message',
  'key',
  'value',
  'stringValue',
  'intValue',
  'boolValue',
  'doubleValue',
  'timeUnixNano',
] as const;

/** The keys whose string values repeat from span to span: attribute keys and string values, span names, status messages. */
export const TRACE_CACHED_VALUES: ReadonlySet<string> = new Set(['key', 'stringValue', 'name', 'message']);

const K_RESOURCE_SPANS = 1;
const K_RESOURCE = 2;
const K_SCOPE_SPANS = 3;
const K_LEGACY_SCOPE_SPANS = 4;
const K_SCOPE = 5;
const K_LEGACY_SCOPE = 6;
const K_SPANS = 7;
const K_TRACE_ID = 8;
const K_SPAN_ID = 9;
const K_PARENT_SPAN_ID = 10;
const K_NAME = 11;
const K_KIND = 12;
const K_START = 13;
const K_END = 14;
const K_ATTRIBUTES = 15;
const K_EVENTS = 16;
const K_STATUS = 17;
const K_CODE = 18;
const K_MESSAGE = 19;
const K_KEY = 20;
const K_VALUE = 21;
const K_STRING_VALUE = 22;
const K_INT_VALUE = 23;
const K_BOOL_VALUE = 24;
const K_DOUBLE_VALUE = 25;
const K_TIME = 26;

/** No such member (token indexes are >= 0). */
const ABSENT = -1;

/**
 * Decodes the trace request on the tape. Rejects (and counts) a request of the wrong shape, skips
 * and counts bad items, exactly as the tree path does.
 */
export function tapeTraces(tape: Tape, ctx: DecodeContext): Result<Span[], Rejection> {
  const r = new TapeReader(tape, ctx.transient);
  if (r.kind(0) !== OBJECT) return reject(ctx.counter, 'unexpected-shape', 'the root is not an object');
  let rss = ABSENT;
  for (let m = 1, end = r.end(0); m < end; m = r.after(m + 1)) if (r.keyId(m) === K_RESOURCE_SPANS) rss = m + 1;
  const spans: Span[] = [];
  if (rss === ABSENT || r.kind(rss) === NULL) return ok(spans);
  if (r.kind(rss) !== ARRAY) return reject(ctx.counter, 'unexpected-shape', 'resourceSpans is not an array');
  for (let rs = rss + 1, end = r.end(rss); rs < end; rs = r.after(rs)) {
    if (r.kind(rs) !== OBJECT) {
      ctx.count('invalid-item');
      continue;
    }
    let resource = ABSENT;
    let sss = ABSENT;
    let legacy = ABSENT;
    for (let m = rs + 1, e = r.end(rs); m < e; m = r.after(m + 1)) {
      const id = r.keyId(m);
      if (id === K_RESOURCE) resource = m + 1;
      else if (id === K_SCOPE_SPANS) sss = m + 1;
      else if (id === K_LEGACY_SCOPE_SPANS) legacy = m + 1;
    }
    const res = resourceFrom(resource === ABSENT ? undefined : r.value(resource), ctx);
    if (sss === ABSENT) sss = legacy;
    if (sss === ABSENT || r.kind(sss) === NULL) continue;
    if (r.kind(sss) !== ARRAY) {
      ctx.count('invalid-item');
      continue;
    }
    for (let ss = sss + 1, e = r.end(sss); ss < e; ss = r.after(ss)) {
      if (r.kind(ss) !== OBJECT) {
        ctx.count('invalid-item');
        continue;
      }
      scopeSpans(r, ss, ctx, res, spans);
    }
  }
  return ok(spans);
}

function scopeSpans(r: TapeReader, ss: number, ctx: DecodeContext, resource: ResourceInfo, out: Span[]): void {
  let list = ABSENT;
  let scope = ABSENT;
  let legacy = ABSENT;
  for (let m = ss + 1, e = r.end(ss); m < e; m = r.after(m + 1)) {
    const id = r.keyId(m);
    if (id === K_SPANS) list = m + 1;
    else if (id === K_SCOPE) scope = m + 1;
    else if (id === K_LEGACY_SCOPE) legacy = m + 1;
  }
  if (list !== ABSENT && r.kind(list) !== ARRAY && r.kind(list) !== NULL) {
    ctx.count('invalid-item');
    return;
  }
  // ss.scope ?? ss.instrumentationLibrary
  const s = scope === ABSENT || r.kind(scope) === NULL ? legacy : scope;
  const scopeName = scopeNameFrom(s === ABSENT ? undefined : r.value(s));
  if (list === ABSENT || r.kind(list) === NULL) return;
  let i = 0;
  for (let sp = list + 1, e = r.end(list); sp < e; sp = r.after(sp), i++) {
    if (ctx.items >= ctx.maxItems) {
      ctx.count('item-limit', r.length(list) - i);
      break;
    }
    if (r.kind(sp) !== OBJECT) {
      ctx.count('invalid-item');
      continue;
    }
    out.push(span(r, sp, ctx, resource, scopeName));
    ctx.items++;
  }
}

function span(r: TapeReader, sp: number, ctx: DecodeContext, resource: ResourceInfo, scope: string): Span {
  let traceId = ABSENT;
  let spanId = ABSENT;
  let parentSpanId = ABSENT;
  let name = ABSENT;
  let kind = ABSENT;
  let start = ABSENT;
  let end = ABSENT;
  let attributes = ABSENT;
  let events = ABSENT;
  let status = ABSENT;
  for (let m = sp + 1, e = r.end(sp); m < e; m = r.after(m + 1)) {
    switch (r.keyId(m)) {
      case K_TRACE_ID:
        traceId = m + 1;
        break;
      case K_SPAN_ID:
        spanId = m + 1;
        break;
      case K_PARENT_SPAN_ID:
        parentSpanId = m + 1;
        break;
      case K_NAME:
        name = m + 1;
        break;
      case K_KIND:
        kind = m + 1;
        break;
      case K_START:
        start = m + 1;
        break;
      case K_END:
        end = m + 1;
        break;
      case K_ATTRIBUTES:
        attributes = m + 1;
        break;
      case K_EVENTS:
        events = m + 1;
        break;
      case K_STATUS:
        status = m + 1;
        break;
    }
  }
  let code: StatusCode = 0;
  let message = '';
  if (status !== ABSENT && r.kind(status) === OBJECT) {
    let c = ABSENT;
    let msg = ABSENT;
    for (let m = status + 1, e = r.end(status); m < e; m = r.after(m + 1)) {
      const id = r.keyId(m);
      if (id === K_CODE) c = m + 1;
      else if (id === K_MESSAGE) msg = m + 1;
    }
    code = c === ABSENT ? 0 : statusCode(r.kind(c) === NUMBER ? r.number(c) : r.value(c));
    message = msg !== ABSENT && r.kind(msg) === STRING ? ctx.str(r.string(msg)) : '';
  }
  return makeSpan(ctx, resource, scope, {
    traceId: id(r, traceId, 16),
    spanId: id(r, spanId, 8),
    parentSpanId: id(r, parentSpanId, 8),
    name: name !== ABSENT && r.kind(name) === STRING ? ctx.str(r.string(name)) : '',
    kind: kind === ABSENT ? 0 : spanKind(r.kind(kind) === NUMBER ? r.number(kind) : r.value(kind)),
    startMs: time(r, start),
    endMs: time(r, end),
    statusCode: code,
    statusMessage: message,
    attributes: attributeList(r, attributes, ctx),
    rawEvents: events === ABSENT ? undefined : eventList(r, events, ctx),
  });
}

/** {@link eventsFrom} of the value at `i`. */
function eventList(r: TapeReader, i: number, ctx: DecodeContext): RawEvent[] | undefined {
  if (r.kind(i) !== ARRAY) return undefined;
  const total = r.length(i);
  if (total === 0) return undefined;
  const n = Math.min(total, ctx.maxEvents);
  if (total > n) ctx.count('item-limit', total - n);
  const out: RawEvent[] = [];
  let e = i + 1;
  for (let k = 0; k < n; k++, e = r.after(e)) {
    if (r.kind(e) !== OBJECT) {
      ctx.count('invalid-item');
      continue;
    }
    let name = ABSENT;
    let at = ABSENT;
    let attributes = ABSENT;
    for (let m = e + 1, end = r.end(e); m < end; m = r.after(m + 1)) {
      const id = r.keyId(m);
      if (id === K_NAME) name = m + 1;
      else if (id === K_TIME) at = m + 1;
      else if (id === K_ATTRIBUTES) attributes = m + 1;
    }
    const list = attributeList(r, attributes, ctx);
    out.push({ name: name !== ABSENT && r.kind(name) === STRING ? ctx.str(r.string(name)) : '', timeMs: time(r, at), attributes: materialize(list, list === EMPTY_LIST) });
  }
  return out;
}

function id(r: TapeReader, i: number, bytes: 8 | 16): string {
  if (i === ABSENT) return '';
  if (r.plainString(i)) {
    const s = r.start(i);
    const e = r.stop(i);
    const hex = lowerHexIdIn(r.text, s, e, bytes);
    if (hex === 1) return r.own(s, e);
    if (hex === 0) return '';
  }
  return jsonId(r.kind(i) === STRING ? r.string(i) : r.value(i), bytes);
}

function time(r: TapeReader, i: number): number {
  if (i === ABSENT) return 0;
  if (r.plainString(i)) return decimalRangeNanosToMs(r.text, r.start(i), r.stop(i));
  return nanosToMs(r.kind(i) === NUMBER ? r.number(i) : r.value(i));
}

/** {@link jsonAttributeList} of the value at `i`. */
function attributeList(r: TapeReader, i: number, ctx: DecodeContext): AttributeList {
  if (i === ABSENT || r.kind(i) === NULL) return EMPTY_LIST;
  if (r.kind(i) !== ARRAY) return jsonAttributeList(r.value(i), ctx);
  const total = r.length(i);
  if (total === 0) return EMPTY_LIST;
  const n = Math.min(total, ctx.maxAttributes);
  if (total > n) ctx.count('attribute-limit', total - n);
  const out = newList(n);
  let w = 0;
  let kv = i + 1;
  for (let k = 0; k < n; k++, kv = r.after(kv)) {
    if (r.kind(kv) !== OBJECT) {
      ctx.count('invalid-item');
      continue;
    }
    let key = ABSENT;
    let value = ABSENT;
    for (let m = kv + 1, e = r.end(kv); m < e; m = r.after(m + 1)) {
      const id = r.keyId(m);
      if (id === K_KEY) key = m + 1;
      else if (id === K_VALUE) value = m + 1;
    }
    const name = key !== ABSENT && r.kind(key) === STRING ? r.string(key) : undefined;
    if (name === undefined || name === '__proto__') {
      ctx.count('invalid-item');
      continue;
    }
    const v = value === ABSENT ? undefined : anyValue(r, value, ctx);
    out[w++] = name.length > 256 ? name.slice(0, 256) : name;
    out[w++] = v === undefined ? null : v;
  }
  if (w < out.length) out.length = w;
  return out;
}

/** {@link jsonAnyValue} of the value at `i` (depth 0): an object of one scalar member read in place. */
function anyValue(r: TapeReader, i: number, ctx: DecodeContext): AttrValue | undefined {
  if (r.kind(i) === OBJECT) {
    const m = i + 1;
    if (m + 1 < r.end(i) && r.after(m + 1) === r.end(i)) {
      const v = m + 1;
      const vk = r.kind(v);
      switch (r.keyId(m)) {
        case K_STRING_VALUE:
          if (vk === STRING) {
            const s = r.string(v);
            return s.length <= ctx.maxStringLength ? s : ctx.str(s);
          }
          break;
        case K_INT_VALUE:
          if (vk === NUMBER || vk === STRING) {
            const n = int64ToNumber(vk === NUMBER ? r.number(v) : r.string(v));
            return Number.isNaN(n) ? undefined : n;
          }
          break;
        case K_BOOL_VALUE:
          if (vk === TRUE) return true;
          if (vk === FALSE) return false;
          break;
        case K_DOUBLE_VALUE:
          if (vk === NUMBER) return r.number(v);
          break;
      }
    }
  }
  return jsonAnyValue(r.value(i), ctx, 0);
}
