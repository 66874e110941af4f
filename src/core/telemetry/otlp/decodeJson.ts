/**
 * OTLP/JSON (the OTLP/HTTP JSON encoding) of ExportTraceServiceRequest and ExportLogsServiceRequest
 * to the core model. Every field is checked: a payload of the wrong shape is rejected or its bad
 * items skipped, and counted; nothing throws.
 *
 * Accepted beyond the spec where it is cheap: base64 ids (proto3 JSON of other tools), enum
 * names for kind/status, int64 as numbers, the pre-1.0 `instrumentationLibrarySpans/Logs`.
 */
import { resourceInfoOf } from '../attributes';
import { type Result, ok } from '../../base/result';
import { type LogRecord, type ResourceInfo, type Span, EMPTY_RESOURCE } from '../model';
import { type Rejection, reject } from '../rejections';
import { jsonAnyValue, jsonAttributeList, jsonAttributes } from './anyValue';
import { type RawEvent, makeLog, makeSpan, spanKind, statusCode } from './build';
import { DecodeContext, type DecodeOptions } from './limits';
import { jsonId, nanosToMs } from './scalars';

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

let utf8: InstanceType<typeof TextDecoder> | undefined;

/** Parses the payload to its root object, or a rejection. */
function parseRoot(payload: string | Uint8Array, ctx: DecodeContext): Result<Obj, Rejection> {
  if (payload.length > ctx.maxBytes) return reject(ctx.counter, 'oversize', `${payload.length} bytes > cap ${ctx.maxBytes}`);
  if (payload.length === 0) return reject(ctx.counter, 'empty', 'empty payload');
  let root: unknown;
  try {
    const text = typeof payload === 'string' ? payload : (utf8 ??= new TextDecoder('utf-8')).decode(payload);
    root = JSON.parse(text);
  } catch (e) {
    return reject(ctx.counter, 'malformed-json', e instanceof Error ? e.message : 'invalid JSON');
  }
  if (!isObj(root)) return reject(ctx.counter, 'unexpected-shape', 'the root is not an object');
  return ok(root);
}

/** An optional array field: [] when absent, undefined when present but not an array. */
function arrayField(o: Obj, key: string, legacyKey?: string): readonly unknown[] | undefined {
  let v = o[key];
  if (v === undefined && legacyKey !== undefined) v = o[legacyKey];
  if (v === undefined || v === null) return [];
  return Array.isArray(v) ? v : undefined;
}

function resourceOf(rs: Obj, ctx: DecodeContext): ResourceInfo {
  const r = rs.resource;
  return isObj(r) && r.attributes !== undefined ? resourceInfoOf(jsonAttributes(r.attributes, ctx)) : EMPTY_RESOURCE;
}

function scopeName(ss: Obj): string {
  const s = ss.scope ?? ss.instrumentationLibrary;
  return isObj(s) && typeof s.name === 'string' ? s.name : '';
}

function str(v: unknown, ctx: DecodeContext): string {
  return typeof v === 'string' ? ctx.str(v) : '';
}

function events(list: unknown, ctx: DecodeContext): RawEvent[] | undefined {
  if (!Array.isArray(list) || list.length === 0) return undefined;
  const n = Math.min(list.length, ctx.maxEvents);
  if (list.length > n) ctx.count('item-limit', list.length - n);
  const out: RawEvent[] = [];
  for (let i = 0; i < n; i++) {
    const e: unknown = list[i];
    if (!isObj(e)) {
      ctx.count('invalid-item');
      continue;
    }
    out.push({ name: str(e.name, ctx), timeMs: nanosToMs(e.timeUnixNano), attributes: jsonAttributes(e.attributes, ctx) });
  }
  return out;
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
    rawEvents: events(s.events, ctx),
  });
}

/**
 * Decodes an OTLP/JSON ExportTraceServiceRequest. Bytes are read as UTF-8.
 * Rejects (and counts) oversize, empty, non-JSON and wrongly shaped payloads; skips and counts bad items.
 */
export function decodeTracesJson(payload: string | Uint8Array, options: DecodeOptions): Result<Span[], Rejection> {
  const ctx = new DecodeContext(options);
  const root = parseRoot(payload, ctx);
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
 * Decodes an OTLP/JSON ExportLogsServiceRequest, like {@link decodeTracesJson}.
 */
export function decodeLogsJson(payload: string | Uint8Array, options: DecodeOptions): Result<LogRecord[], Rejection> {
  const ctx = new DecodeContext(options);
  const root = parseRoot(payload, ctx);
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
