/**
 * The OTLP/JSON fast path: ExportTraceServiceRequest and ExportLogsServiceRequest read in one pass
 * over the text by ./jsonScanner.ts, straight into the model (no `JSON.parse` tree of the many
 * tiny `{key, value: {stringValue}}` objects). Where the shape is not the common one (a status,
 * events, a resource, an odd attribute value) the scanner builds that value as `JSON.parse` would
 * and the tree readers of ./jsonTree.ts and ./anyValue.ts decide, so both paths share one meaning.
 *
 * It answers exactly what the `JSON.parse` path answers, or nothing: invalid JSON, a key twice
 * where it matters, a resource after its spans, anything it does not follow makes it return
 * undefined and the caller decodes with `JSON.parse` (rejections included). Counts are kept on a
 * scratch counter and only added to the caller's when the fast path succeeds.
 */
import { type Result, ok } from '../../base/result';
import { type AttrValue, type LogRecord, type ResourceInfo, type Span, EMPTY_RESOURCE } from '../model';
import { type Rejection, RejectionCounter } from '../rejections';
import { jsonAnyValue } from './anyValue';
import { type AttributeList, EMPTY_LIST, materialize } from './attributeList';
import { type RawEvent, makeLog, makeSpan, spanKind, statusCode } from './build';
import { attributeListOf, idOf, nanosOf } from './fastJsonValues';
import { BAIL, JsonScanner } from './jsonScanner';
import { eventsFrom, isObj, resourceFrom, scopeNameFrom, str } from './jsonTree';
import { DecodeContext, type DecodeOptions } from './limits';

/** Runs `walk` with a scratch counter; its result and counts when it went through, undefined when it bailed. */
function attempt<T>(text: string, options: DecodeOptions, walk: (sc: JsonScanner, ctx: DecodeContext) => T[]): Result<T[], Rejection> | undefined {
  const scratch = new RejectionCounter();
  const ctx = new DecodeContext({ ...options, counter: scratch });
  let out: T[];
  try {
    out = walk(new JsonScanner(text), ctx);
  } catch {
    return undefined; // BAIL, or anything unforeseen: the JSON.parse path decides
  }
  options.counter?.addAll(scratch);
  return ok(out);
}

/** The OTLP/JSON traces decoder's answer without `JSON.parse`, or undefined when the fast path gives up. */
export function fastTracesJson(text: string, options: DecodeOptions): Result<Span[], Rejection> | undefined {
  return attempt(text, options, (sc, ctx) => requestOf(sc, ctx, 'resourceSpans', spansOfResource));
}

/** The OTLP/JSON logs decoder's answer without `JSON.parse`, or undefined when the fast path gives up. */
export function fastLogsJson(text: string, options: DecodeOptions): Result<LogRecord[], Rejection> | undefined {
  return attempt(text, options, (sc, ctx) => requestOf(sc, ctx, 'resourceLogs', logsOfResource));
}

type ResourceReader<T> = (sc: JsonScanner, ctx: DecodeContext, out: T[]) => void;

/** The root object: its `resourceSpans`/`resourceLogs` array, each element read by `each`. */
function requestOf<T>(sc: JsonScanner, ctx: DecodeContext, field: string, each: ResourceReader<T>): T[] {
  const out: T[] = [];
  let seen = false;
  if (sc.ws() !== 123) throw BAIL; // a root that is not an object: the tree path rejects it
  if (sc.objectStart()) {
    do {
      const k = sc.key();
      if (k !== field) {
        sc.skip();
        continue;
      }
      if (seen) throw BAIL;
      seen = true;
      const c = sc.ws();
      if (c === 110) sc.skip(); // null: no resources
      else if (c !== 91) throw BAIL; // not an array: rejected by the tree path
      else if (sc.arrayStart()) {
        do {
          if (sc.ws() === 123) each(sc, ctx, out);
          else {
            sc.skip();
            ctx.count('invalid-item');
          }
        } while (sc.arrayNext());
      }
    } while (sc.objectNext());
  }
  sc.end();
  return out;
}

/** A ResourceSpans/ResourceLogs object: its resource, then its scopes (`scopes`/`legacy` key), each read by `each`. */
function resourceOf<T>(sc: JsonScanner, ctx: DecodeContext, out: T[], scopes: string, legacy: string, each: (sc: JsonScanner, ctx: DecodeContext, resource: ResourceInfo, out: T[]) => void): void {
  let resource: ResourceInfo | undefined;
  let scopesSeen = false;
  if (!sc.objectStart()) return;
  do {
    const k = sc.key();
    if (k === 'resource') {
      if (resource !== undefined || scopesSeen) throw BAIL; // twice, or after the scopes it applies to
      resource = resourceFrom(sc.value(), ctx);
    } else if (k === scopes || k === legacy) {
      if (scopesSeen) throw BAIL;
      scopesSeen = true;
      resource ??= EMPTY_RESOURCE;
      const c = sc.ws();
      if (c === 110) sc.skip();
      else if (c !== 91) {
        sc.skip();
        ctx.count('invalid-item');
      } else if (sc.arrayStart()) {
        do {
          if (sc.ws() === 123) each(sc, ctx, resource, out);
          else {
            sc.skip();
            ctx.count('invalid-item');
          }
        } while (sc.arrayNext());
      }
    } else sc.skip();
  } while (sc.objectNext());
}

function spansOfResource(sc: JsonScanner, ctx: DecodeContext, out: Span[]): void {
  resourceOf(sc, ctx, out, 'scopeSpans', 'instrumentationLibrarySpans', spansOfScope);
}

function logsOfResource(sc: JsonScanner, ctx: DecodeContext, out: LogRecord[]): void {
  resourceOf(sc, ctx, out, 'scopeLogs', 'instrumentationLibraryLogs', logsOfScope);
}

/**
 * The items array of a scope (at its value): null is none, anything but an array an invalid item;
 * past the item cap the rest are counted, not read.
 */
function itemsOf<T>(sc: JsonScanner, ctx: DecodeContext, out: T[], item: (sc: JsonScanner, ctx: DecodeContext) => T): void {
  const c = sc.ws();
  if (c === 110) return sc.skip();
  if (c !== 91) {
    sc.skip();
    ctx.count('invalid-item');
    return;
  }
  if (!sc.arrayStart()) return;
  do {
    if (ctx.items >= ctx.maxItems) {
      ctx.count('item-limit', sc.skipRest());
      return;
    }
    if (sc.ws() !== 123) {
      sc.skip();
      ctx.count('invalid-item');
      continue;
    }
    out.push(item(sc, ctx));
    ctx.items++;
  } while (sc.arrayNext());
}

function spansOfScope(sc: JsonScanner, ctx: DecodeContext, resource: ResourceInfo, out: Span[]): void {
  let scope: string | undefined;
  let spansSeen = false;
  if (!sc.objectStart()) return;
  do {
    const k = sc.key();
    if (k === 'scope' || k === 'instrumentationLibrary') {
      if (scope !== undefined || spansSeen) throw BAIL;
      scope = scopeNameFrom(sc.value());
    } else if (k === 'spans') {
      if (spansSeen) throw BAIL;
      spansSeen = true;
      const sn = (scope ??= '');
      itemsOf(sc, ctx, out, (s, c) => spanOf(s, c, resource, sn));
    } else sc.skip();
  } while (sc.objectNext());
}

function logsOfScope(sc: JsonScanner, ctx: DecodeContext, resource: ResourceInfo, out: LogRecord[]): void {
  let recordsSeen = false;
  if (!sc.objectStart()) return;
  do {
    const k = sc.key();
    if (k === 'logRecords') {
      if (recordsSeen) throw BAIL;
      recordsSeen = true;
      itemsOf(sc, ctx, out, (s, c) => logOf(s, c, resource));
    } else sc.skip();
  } while (sc.objectNext());
}

/** Each span and log field once: a second one would win in JSON.parse, after this path acted on the first. */
function once(seen: number, bit: number): number {
  if ((seen & bit) !== 0) throw BAIL;
  return seen | bit;
}

/** The span fields this path reads, by index; a key written plainly is matched in place (`"name":`), any other spelling is read and looked up. */
const SPAN_KEYS = ['traceId', 'spanId', 'parentSpanId', 'name', 'kind', 'startTimeUnixNano', 'endTimeUnixNano', 'status', 'attributes', 'events'];
const LOG_KEYS = ['timeUnixNano', 'observedTimeUnixNano', 'severityNumber', 'severityText', 'body', 'attributes', 'traceId', 'spanId'];

/** The index in `keys` of the next member's key (read with its colon), -1 for another key. */
function keyIndex(sc: JsonScanner, keys: readonly string[], quoted: readonly string[], first: readonly number[]): number {
  if (sc.ws() === 34) {
    const c = sc.text.charCodeAt(sc.pos + 1);
    for (let i = 0; i < quoted.length; i++) if (first[i] === c && sc.at(quoted[i]!)) return i;
  }
  return keys.indexOf(sc.key());
}
const quote = (keys: readonly string[]) => keys.map((k) => `"${k}":`);
const firsts = (keys: readonly string[]) => keys.map((k) => k.charCodeAt(0));
const SPAN_Q = quote(SPAN_KEYS);
const SPAN_F = firsts(SPAN_KEYS);
const LOG_Q = quote(LOG_KEYS);
const LOG_F = firsts(LOG_KEYS);

/** A string field (at its value) as `str` reads it. */
function strOf(sc: JsonScanner, ctx: DecodeContext): string {
  if (sc.ws() !== 34) return str(sc.value(), ctx);
  sc.scanString();
  return ctx.str(sc.stringValue());
}

function spanOf(sc: JsonScanner, ctx: DecodeContext, resource: ResourceInfo, scope: string): Span {
  let seen = 0;
  let traceId = '';
  let spanId = '';
  let parentSpanId = '';
  let name = '';
  let kind: unknown;
  let startMs = 0;
  let endMs = 0;
  let status: unknown;
  let attributes: AttributeList = EMPTY_LIST;
  let rawEvents: RawEvent[] | undefined;
  if (sc.objectStart()) {
    do {
      const k = keyIndex(sc, SPAN_KEYS, SPAN_Q, SPAN_F);
      if (k >= 0) seen = once(seen, 1 << k);
      switch (k) {
        case 0:
          traceId = idOf(sc, 16);
          break;
        case 1:
          spanId = idOf(sc, 8);
          break;
        case 2:
          parentSpanId = idOf(sc, 8);
          break;
        case 3:
          name = strOf(sc, ctx);
          break;
        case 4:
          kind = sc.value();
          break;
        case 5:
          startMs = nanosOf(sc);
          break;
        case 6:
          endMs = nanosOf(sc);
          break;
        case 7:
          status = sc.value();
          break;
        case 8:
          attributes = attributeListOf(sc, ctx);
          break;
        case 9:
          rawEvents = eventsFrom(sc.value(), ctx);
          break;
        default:
          sc.skip();
      }
    } while (sc.objectNext());
  }
  const st = isObj(status) ? status : undefined;
  return makeSpan(ctx, resource, scope, {
    traceId,
    spanId,
    parentSpanId,
    name,
    kind: spanKind(kind),
    startMs,
    endMs,
    statusCode: st ? statusCode(st.code) : 0,
    statusMessage: st ? str(st.message, ctx) : '',
    attributes,
    rawEvents,
  });
}

function logOf(sc: JsonScanner, ctx: DecodeContext, resource: ResourceInfo): LogRecord {
  let seen = 0;
  let timeMs = 0;
  let observedMs = 0;
  let severity: unknown;
  let severityText = '';
  let body: AttrValue | undefined;
  let attributes: AttributeList = EMPTY_LIST;
  let traceId = '';
  let spanId = '';
  if (sc.objectStart()) {
    do {
      const k = keyIndex(sc, LOG_KEYS, LOG_Q, LOG_F);
      if (k >= 0) seen = once(seen, 1 << k);
      switch (k) {
        case 0:
          timeMs = nanosOf(sc);
          break;
        case 1:
          observedMs = nanosOf(sc);
          break;
        case 2:
          severity = sc.value();
          break;
        case 3:
          severityText = strOf(sc, ctx);
          break;
        case 4:
          body = jsonAnyValue(sc.value(), ctx, 0);
          break;
        case 5:
          attributes = attributeListOf(sc, ctx);
          break;
        case 6:
          traceId = idOf(sc, 16);
          break;
        case 7:
          spanId = idOf(sc, 8);
          break;
        default:
          sc.skip();
      }
    } while (sc.objectNext());
  }
  return makeLog(ctx, resource, {
    timeMs: timeMs > 0 ? timeMs : observedMs,
    severityNumber: severity,
    severityText,
    body,
    attributes: materialize(attributes, attributes === EMPTY_LIST),
    traceId,
    spanId,
  });
}

