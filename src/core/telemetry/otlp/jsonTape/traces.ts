/**
 * OTLP/JSON ExportTraceServiceRequest to spans, read off the tape (./tape.ts): the same answer as
 * the tree path of ../decodeJson.ts (JSON.parse, then ../jsonTree.ts) for every payload, the same
 * counts of skipped items, without building the tree. The hot fields of a span (ids, name, kind,
 * times, status, events, attributes with scalar values) are read in place; anything rarer (the resource,
 * the scope, array/kvlist/bytes values, a field of an unexpected type) is parsed on its own
 * with JSON.parse and read by the tree path's functions, so both paths answer alike by construction.
 */
import { type Result, ok } from '../../../base/result';
import { type ResourceInfo, type Span, type StatusCode } from '../../model';
import { type Rejection } from '../../rejections';
import { EMPTY_LIST, materialize } from '../attributeList';
import { type RawEvent, makeSpan, spanKind, statusCode } from '../build';
import { scopeNameFrom } from '../jsonTree';
import { type DecodeContext } from '../limits';
import {
  ABSENT,
  K_ATTRIBUTES,
  K_CODE,
  K_END,
  K_EVENTS,
  K_KIND,
  K_LEGACY_SCOPE,
  K_LEGACY_SCOPE_SPANS,
  K_MESSAGE,
  K_NAME,
  K_PARENT_SPAN_ID,
  K_RESOURCE_SPANS,
  K_SCOPE,
  K_SCOPE_SPANS,
  K_SPANS,
  K_SPAN_ID,
  K_START,
  K_STATUS,
  K_TIME,
  K_TRACE_ID,
} from './keys';
import { TapeReader } from './reader';
import { type RequestLayout, eachItem, eachScope } from './scopes';
import { ARRAY, NULL, NUMBER, OBJECT, STRING, type Tape } from './tape';
import { attributeList, id, time } from './values';

const TRACES: RequestLayout = { resources: K_RESOURCE_SPANS, resourcesName: 'resourceSpans', scopes: K_SCOPE_SPANS, legacyScopes: K_LEGACY_SCOPE_SPANS };

/**
 * Decodes the trace request on the tape. Rejects (and counts) a request of the wrong shape, skips
 * and counts bad items, exactly as the tree path does.
 */
export function tapeTraces(tape: Tape, ctx: DecodeContext): Result<Span[], Rejection> {
  const r = new TapeReader(tape, ctx.transient);
  const spans: Span[] = [];
  return eachScope(r, ctx, TRACES, (ss, resource) => scopeSpans(r, ss, ctx, resource, spans)) ?? ok(spans);
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
  // ss.scope ?? ss.instrumentationLibrary
  const s = scope === ABSENT || r.kind(scope) === NULL ? legacy : scope;
  const scopeName = scopeNameFrom(s === ABSENT ? undefined : r.value(s));
  eachItem(r, ctx, list, (sp) => out.push(span(r, sp, ctx, resource, scopeName)));
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
