/**
 * OTLP/JSON (the OTLP/HTTP JSON encoding) of ExportTraceServiceRequest and ExportLogsServiceRequest
 * to the core model. Every field is checked: a payload of the wrong shape is rejected or its bad
 * items skipped, and counted; nothing throws.
 *
 * Accepted beyond the spec where it is cheap: base64 ids (proto3 JSON of other tools), enum
 * names for kind/status, int64 as numbers, the pre-1.0 `instrumentationLibrarySpans/Logs`.
 */
import { type Result, ok } from '../../base/result';
import { type LogRecord, type ResourceInfo, type Span } from '../model';
import { type Rejection, reject } from '../rejections';
import { jsonAnyValue, jsonAttributeList, jsonAttributes } from './anyValue';
import { makeLog, makeSpan, spanKind, statusCode } from './build';
import { type Obj, arrayField, eventsFrom, isObj, resourceFrom, scopeNameFrom, str } from './jsonTree';
import { DecodeContext, type DecodeOptions } from './limits';
import { TapeScanner } from './jsonTape/tape';
import { CACHED_VALUES, OTLP_KEYS } from './jsonTape/keys';
import { tapeLogs } from './jsonTape/logs';
import { tapeTraces } from './jsonTape/traces';
import { jsonId, nanosToMs } from './scalars';

let utf8: InstanceType<typeof TextDecoder> | undefined;

/** A rejection when the payload is oversize or empty. */
function sizeRejection(payload: string | Uint8Array, ctx: DecodeContext): Result<never, Rejection> | undefined {
  if (payload.length > ctx.maxBytes) return reject(ctx.counter, 'oversize', `${payload.length} bytes > cap ${ctx.maxBytes}`);
  if (payload.length === 0) return reject(ctx.counter, 'empty', 'empty payload');
  return undefined;
}

/** The payload as text (bytes read as UTF-8), or a rejection when it is oversize or empty. */
function textOf(payload: string | Uint8Array, ctx: DecodeContext): Result<string, Rejection> {
  return sizeRejection(payload, ctx) ?? ok(typeof payload === 'string' ? payload : (utf8 ??= new TextDecoder('utf-8')).decode(payload));
}

let scanner: TapeScanner | undefined;
const tapeScanner = () => (scanner ??= new TapeScanner(OTLP_KEYS, CACHED_VALUES));

/** Parses the text to its root object, or a rejection. */
function parseRoot(text: string, ctx: DecodeContext): Result<Obj, Rejection> {
  let root: unknown;
  try {
    root = JSON.parse(text);
  } catch (e) {
    return reject(ctx.counter, 'malformed-json', e instanceof Error ? e.message : 'invalid JSON');
  }
  if (!isObj(root)) return reject(ctx.counter, 'unexpected-shape', 'the root is not an object');
  return ok(root);
}

function resourceOf(rs: Obj, ctx: DecodeContext): ResourceInfo {
  return resourceFrom(rs.resource, ctx);
}

function scopeName(ss: Obj): string {
  return scopeNameFrom(ss.scope ?? ss.instrumentationLibrary);
}

function span(s: Obj, ctx: DecodeContext, resource: ResourceInfo, scope: string): Span {
  const st = s.status;
  return makeSpan(ctx, resource, scope, {
    traceId: jsonId(s.traceId, 16),
    spanId: jsonId(s.spanId, 8),
    parentSpanId: jsonId(s.parentSpanId, 8),
    name: str(s.name, ctx),
    kind: spanKind(s.kind),
    startMs: nanosToMs(s.startTimeUnixNano),
    endMs: nanosToMs(s.endTimeUnixNano),
    statusCode: isObj(st) ? statusCode(st.code) : 0,
    statusMessage: isObj(st) ? str(st.message, ctx) : '',
    attributes: jsonAttributeList(s.attributes, ctx),
    rawEvents: eventsFrom(s.events, ctx),
  });
}

/**
 * Decodes an OTLP/JSON ExportTraceServiceRequest. Bytes are read as UTF-8.
 * Rejects (and counts) oversize, empty, non-JSON and wrongly shaped payloads; skips and counts bad items.
 *
 * Read off the WebAssembly scanner's tape (./jsonTape/) where it can; payloads it leaves alone
 * (not JSON, non-ASCII text, an escaped key, deep nesting) go through `JSON.parse`
 * ({@link decodeTracesJsonTree}), which answers them the same way.
 */
export function decodeTracesJson(payload: string | Uint8Array, options: DecodeOptions): Result<Span[], Rejection> {
  const ctx = new DecodeContext(options);
  const bad = sizeRejection(payload, ctx);
  if (bad) return bad;
  const fast = tapeScanner().read(payload, (tape) => tapeTraces(tape, ctx));
  if (typeof fast !== 'string') return fast;
  return decodeTracesJsonTree(payload, options, ctx);
}

/** {@link decodeTracesJson} through `JSON.parse` and the tree of objects it builds (the tape's fallback, and what tests compare it with). */
export function decodeTracesJsonTree(payload: string | Uint8Array, options: DecodeOptions, context?: DecodeContext): Result<Span[], Rejection> {
  const ctx = context ?? new DecodeContext(options);
  const text = textOf(payload, ctx);
  if (!text.ok) return text;
  return treeTracesJson(text.value, ctx);
}

function treeTracesJson(text: string, ctx: DecodeContext): Result<Span[], Rejection> {
  const root = parseRoot(text, ctx);
  if (!root.ok) return root;
  const rss = arrayField(root.value, 'resourceSpans');
  if (!rss) return reject(ctx.counter, 'unexpected-shape', 'resourceSpans is not an array');
  const spans: Span[] = [];
  for (const rs of rss) {
    if (!isObj(rs)) {
      ctx.count('invalid-item');
      continue;
    }
    const resource = resourceOf(rs, ctx);
    const sss = arrayField(rs, 'scopeSpans', 'instrumentationLibrarySpans');
    if (!sss) {
      ctx.count('invalid-item');
      continue;
    }
    for (const ss of sss) {
      if (!isObj(ss)) {
        ctx.count('invalid-item');
        continue;
      }
      const list = arrayField(ss, 'spans');
      if (!list) {
        ctx.count('invalid-item');
        continue;
      }
      const scope = scopeName(ss);
      for (let i = 0; i < list.length; i++) {
        if (ctx.items >= ctx.maxItems) {
          ctx.count('item-limit', list.length - i);
          break;
        }
        const s = list[i];
        if (!isObj(s)) {
          ctx.count('invalid-item');
          continue;
        }
        spans.push(span(s, ctx, resource, scope));
        ctx.items++;
      }
    }
  }
  return ok(spans);
}

/**
 * Decodes an OTLP/JSON ExportLogsServiceRequest, like {@link decodeTracesJson} (off the tape where it can).
 */
export function decodeLogsJson(payload: string | Uint8Array, options: DecodeOptions): Result<LogRecord[], Rejection> {
  const ctx = new DecodeContext(options);
  const bad = sizeRejection(payload, ctx);
  if (bad) return bad;
  const fast = tapeScanner().read(payload, (tape) => tapeLogs(tape, ctx));
  if (typeof fast !== 'string') return fast;
  return decodeLogsJsonTree(payload, options, ctx);
}

/** {@link decodeLogsJson} through `JSON.parse` and the tree of objects it builds (the tape's fallback, and what tests compare it with). */
export function decodeLogsJsonTree(payload: string | Uint8Array, options: DecodeOptions, context?: DecodeContext): Result<LogRecord[], Rejection> {
  const ctx = context ?? new DecodeContext(options);
  const text = textOf(payload, ctx);
  if (!text.ok) return text;
  return treeLogsJson(text.value, ctx);
}

function treeLogsJson(text: string, ctx: DecodeContext): Result<LogRecord[], Rejection> {
  const root = parseRoot(text, ctx);
  if (!root.ok) return root;
  const rls = arrayField(root.value, 'resourceLogs');
  if (!rls) return reject(ctx.counter, 'unexpected-shape', 'resourceLogs is not an array');
  const logs: LogRecord[] = [];
  for (const rl of rls) {
    if (!isObj(rl)) {
      ctx.count('invalid-item');
      continue;
    }
    const resource = resourceOf(rl, ctx);
    const sls = arrayField(rl, 'scopeLogs', 'instrumentationLibraryLogs');
    if (!sls) {
      ctx.count('invalid-item');
      continue;
    }
    for (const sl of sls) {
      const list = isObj(sl) ? arrayField(sl, 'logRecords') : undefined;
      if (!list) {
        ctx.count('invalid-item');
        continue;
      }
      for (let i = 0; i < list.length; i++) {
        if (ctx.items >= ctx.maxItems) {
          ctx.count('item-limit', list.length - i);
          break;
        }
        const r = list[i];
        if (!isObj(r)) {
          ctx.count('invalid-item');
          continue;
        }
        const t = nanosToMs(r.timeUnixNano);
        logs.push(
          makeLog(ctx, resource, {
            timeMs: t > 0 ? t : nanosToMs(r.observedTimeUnixNano),
            severityNumber: r.severityNumber,
            severityText: str(r.severityText, ctx),
            body: jsonAnyValue(r.body, ctx, 0),
            attributes: jsonAttributes(r.attributes, ctx),
            traceId: jsonId(r.traceId, 16),
            spanId: jsonId(r.spanId, 8),
          }),
        );
        ctx.items++;
      }
    }
  }
  return ok(logs);
}
