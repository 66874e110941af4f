/**
 * OTLP protobuf (the OTLP/HTTP binary encoding) of ExportTraceServiceRequest and
 * ExportLogsServiceRequest to the core model, through protobufjs and the schema of ./proto. A
 * payload protobufjs cannot read (truncated, wrong wire types, not protobuf) is rejected and counted.
 */
import { resourceInfoOf } from '../attributes';
import { type Result, ok } from '../../base/result';
import { type LogRecord, type ResourceInfo, type Span, EMPTY_RESOURCE } from '../model';
import { type Rejection, reject } from '../rejections';
import { type ProtoAnyValue, type ProtoKeyValue, protoAnyValue, protoAttributeList, protoAttributes } from './anyValue';
import { type RawEvent, makeLog, makeSpan, spanKind, statusCode } from './build';
import { DecodeContext, type DecodeOptions } from './limits';
import { internReader } from './proto/internReader';
import { otlpDecodeTypes } from './proto/schema';
import { bytesToHexId, nanosToMs } from './scalars';

/* The shapes protobufjs produces for the schema of ./proto/descriptor.ts (repeated fields are arrays, absent messages null). */
interface PResource {
  readonly attributes: readonly ProtoKeyValue[];
}
interface PScope {
  readonly name: string;
}
interface PEvent {
  readonly timeUnixNano: unknown;
  readonly name: string;
  readonly attributes: readonly ProtoKeyValue[];
}
interface PSpan {
  readonly traceId: Uint8Array;
  readonly spanId: Uint8Array;
  readonly parentSpanId: Uint8Array;
  readonly name: string;
  readonly kind: number;
  readonly startTimeUnixNano: unknown;
  readonly endTimeUnixNano: unknown;
  readonly attributes: readonly ProtoKeyValue[];
  readonly events: readonly PEvent[];
  readonly status: { readonly code: number; readonly message: string } | null;
}
interface PTraces {
  readonly resourceSpans: readonly { readonly resource: PResource | null; readonly scopeSpans: readonly { readonly scope: PScope | null; readonly spans: readonly PSpan[] }[] }[];
}
interface PLog {
  readonly timeUnixNano: unknown;
  readonly observedTimeUnixNano: unknown;
  readonly severityNumber: number;
  readonly severityText: string;
  readonly body: ProtoAnyValue | null;
  readonly attributes: readonly ProtoKeyValue[];
  readonly traceId: Uint8Array;
  readonly spanId: Uint8Array;
}
interface PLogs {
  readonly resourceLogs: readonly { readonly resource: PResource | null; readonly scopeLogs: readonly { readonly scope: PScope | null; readonly logRecords: readonly PLog[] }[] }[];
}

function decode<T>(payload: Uint8Array, ctx: DecodeContext, which: 'exportTraceRequest' | 'exportLogsRequest'): Result<T, Rejection> {
  if (payload.length > ctx.maxBytes) return reject(ctx.counter, 'oversize', `${payload.length} bytes > cap ${ctx.maxBytes}`);
  try {
    return ok(otlpDecodeTypes()[which].decode(internReader(payload)) as unknown as T);
  } catch (e) {
    return reject(ctx.counter, 'malformed-protobuf', e instanceof Error ? e.message : 'invalid protobuf');
  }
}

function resourceOf(r: PResource | null, ctx: DecodeContext): ResourceInfo {
  return r && r.attributes.length > 0 ? resourceInfoOf(protoAttributes(r.attributes, ctx)) : EMPTY_RESOURCE;
}

function events(list: readonly PEvent[], ctx: DecodeContext): RawEvent[] | undefined {
  if (list.length === 0) return undefined;
  const n = Math.min(list.length, ctx.maxEvents);
  if (list.length > n) ctx.count('item-limit', list.length - n);
  const out: RawEvent[] = [];
  for (let i = 0; i < n; i++) {
    const e = list[i]!;
    out.push({ name: ctx.str(e.name), timeMs: nanosToMs(e.timeUnixNano), attributes: protoAttributes(e.attributes, ctx) });
  }
  return out;
}

/**
 * Decodes an OTLP protobuf ExportTraceServiceRequest (already decompressed by the caller, which
 * also caps the decompressed size). An empty payload is a valid request with no spans.
 */
export function decodeTracesProto(payload: Uint8Array, options: DecodeOptions): Result<Span[], Rejection> {
  const ctx = new DecodeContext(options);
  const msg = decode<PTraces>(payload, ctx, 'exportTraceRequest');
  if (!msg.ok) return msg;
  const spans: Span[] = [];
  for (const rs of msg.value.resourceSpans) {
    const resource = resourceOf(rs.resource, ctx);
    for (const ss of rs.scopeSpans) {
      const scope = ss.scope ? ctx.str(ss.scope.name) : '';
      const list = ss.spans;
      for (let i = 0; i < list.length; i++) {
        if (ctx.items >= ctx.maxItems) {
          ctx.count('item-limit', list.length - i);
          break;
        }
        const s = list[i]!;
        spans.push(
          makeSpan(ctx, resource, scope, {
            traceId: bytesToHexId(s.traceId, 16),
            spanId: bytesToHexId(s.spanId, 8),
            parentSpanId: bytesToHexId(s.parentSpanId, 8),
            name: ctx.str(s.name),
            kind: spanKind(s.kind),
            startMs: nanosToMs(s.startTimeUnixNano),
            endMs: nanosToMs(s.endTimeUnixNano),
            statusCode: s.status ? statusCode(s.status.code) : 0,
            statusMessage: s.status ? ctx.str(s.status.message) : '',
            attributes: protoAttributeList(s.attributes, ctx),
            rawEvents: events(s.events, ctx),
          }),
        );
        ctx.items++;
      }
    }
  }
  return ok(spans);
}

/** Decodes an OTLP protobuf ExportLogsServiceRequest, like {@link decodeTracesProto}. */
export function decodeLogsProto(payload: Uint8Array, options: DecodeOptions): Result<LogRecord[], Rejection> {
  const ctx = new DecodeContext(options);
  const msg = decode<PLogs>(payload, ctx, 'exportLogsRequest');
  if (!msg.ok) return msg;
  const logs: LogRecord[] = [];
  for (const rl of msg.value.resourceLogs) {
    const resource = resourceOf(rl.resource, ctx);
    for (const sl of rl.scopeLogs) {
      const list = sl.logRecords;
      for (let i = 0; i < list.length; i++) {
        if (ctx.items >= ctx.maxItems) {
          ctx.count('item-limit', list.length - i);
          break;
        }
        const r = list[i]!;
        const t = nanosToMs(r.timeUnixNano);
        logs.push(
          makeLog(ctx, resource, {
            timeMs: t > 0 ? t : nanosToMs(r.observedTimeUnixNano),
            severityNumber: r.severityNumber,
            severityText: ctx.str(r.severityText),
            body: protoAnyValue(r.body, ctx, 0),
            attributes: protoAttributes(r.attributes, ctx),
            traceId: bytesToHexId(r.traceId, 16),
            spanId: bytesToHexId(r.spanId, 8),
          }),
        );
        ctx.items++;
      }
    }
  }
  return ok(logs);
}
