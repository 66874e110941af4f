/**
 * What the JSON and protobuf decoders share once the wire-specific fields are read: enum names,
 * span events split into exceptions and other events, log bodies as text.
 */
import { codeLocationOf, exceptionOf } from '../attributes';
import {
  type AttrValue,
  type Attributes,
  type ExceptionInfo,
  type LogRecord,
  type ResourceInfo,
  type Span,
  type SpanEvent,
  type SpanKind,
  type StatusCode,
} from '../model';
import { type AttributeList, codeLocationOfList, httpStatusOfList } from './attributeList';
import { SpanRecord } from '../span';
import { type DecodeContext } from './limits';

const NO_EVENTS: readonly SpanEvent[] = Object.freeze([]);
/** The statuses without a message, shared: most spans have one of them. */
const BARE_STATUS: readonly { readonly code: StatusCode; readonly message: string }[] = [0, 1, 2].map((code) => Object.freeze({ code: code as StatusCode, message: '' }));
const NO_EXCEPTIONS: readonly ExceptionInfo[] = Object.freeze([]);

const KIND_NAMES: Readonly<Record<string, SpanKind>> = {
  SPAN_KIND_UNSPECIFIED: 0,
  SPAN_KIND_INTERNAL: 1,
  SPAN_KIND_SERVER: 2,
  SPAN_KIND_CLIENT: 3,
  SPAN_KIND_PRODUCER: 4,
  SPAN_KIND_CONSUMER: 5,
};

const STATUS_NAMES: Readonly<Record<string, StatusCode>> = { STATUS_CODE_UNSET: 0, STATUS_CODE_OK: 1, STATUS_CODE_ERROR: 2 };

/** SpanKind from an int or its enum name; 0 when unknown. */
export function spanKind(v: unknown): SpanKind {
  if (typeof v === 'number') return v >= 0 && v <= 5 && Number.isInteger(v) ? (v as SpanKind) : 0;
  if (typeof v === 'string') return Object.prototype.hasOwnProperty.call(KIND_NAMES, v) ? KIND_NAMES[v]! : 0;
  return 0;
}

/** StatusCode from an int or its enum name; 0 when unknown. */
export function statusCode(v: unknown): StatusCode {
  if (typeof v === 'number') return v === 1 || v === 2 ? v : 0;
  if (typeof v === 'string') return Object.prototype.hasOwnProperty.call(STATUS_NAMES, v) ? STATUS_NAMES[v]! : 0;
  return 0;
}

const SEVERITY_NAMES: readonly string[] = ['UNSPECIFIED', 'TRACE', 'TRACE2', 'TRACE3', 'TRACE4', 'DEBUG', 'DEBUG2', 'DEBUG3', 'DEBUG4', 'INFO', 'INFO2', 'INFO3', 'INFO4', 'WARN', 'WARN2', 'WARN3', 'WARN4', 'ERROR', 'ERROR2', 'ERROR3', 'ERROR4', 'FATAL', 'FATAL2', 'FATAL3', 'FATAL4'];

/** SeverityNumber from an int or its enum name (`SEVERITY_NUMBER_ERROR`); 0 when unknown. */
export function severityNumber(v: unknown): number {
  if (typeof v === 'number') return Number.isInteger(v) && v >= 0 && v <= 24 ? v : 0;
  if (typeof v === 'string' && v.startsWith('SEVERITY_NUMBER_')) {
    const i = SEVERITY_NAMES.indexOf(v.slice(16));
    return i < 0 ? 0 : i;
  }
  return 0;
}

/** A span event as read from the wire, before exceptions are split off. */
export interface RawEvent {
  readonly name: string;
  readonly timeMs: number;
  readonly attributes: Attributes;
}

/** Splits `exception` events off the other events. */
const NO_SPLIT: { readonly events: readonly SpanEvent[]; readonly exceptions: readonly ExceptionInfo[] } = Object.freeze({ events: NO_EVENTS, exceptions: NO_EXCEPTIONS });

export function splitEvents(raw: readonly RawEvent[] | undefined): { readonly events: readonly SpanEvent[]; readonly exceptions: readonly ExceptionInfo[] } {
  if (!raw || raw.length === 0) return NO_SPLIT;
  let events: SpanEvent[] | undefined;
  let exceptions: ExceptionInfo[] | undefined;
  for (const e of raw) {
    const ex = e.name === 'exception' ? exceptionOf(e.attributes, e.timeMs) : undefined;
    if (ex) (exceptions ??= []).push(ex);
    else (events ??= []).push(e);
  }
  return { events: events ?? NO_EVENTS, exceptions: exceptions ?? NO_EXCEPTIONS };
}

/** The fields of a span as read from the wire. */
export interface SpanFields {
  traceId: string;
  spanId: string;
  parentSpanId: string;
  name: string;
  kind: SpanKind;
  startMs: number;
  endMs: number;
  statusCode: StatusCode;
  statusMessage: string;
  attributes: AttributeList;
  rawEvents: readonly RawEvent[] | undefined;
}

/** A span from its wire fields. */
export function makeSpan(ctx: DecodeContext, resource: ResourceInfo, scope: string, f: SpanFields): Span {
  const { events, exceptions } = splitEvents(f.rawEvents);
  const d = f.endMs - f.startMs;
  const status = f.statusMessage === '' ? BARE_STATUS[f.statusCode]! : { code: f.statusCode, message: f.statusMessage };
  return new SpanRecord(ctx.source, f.traceId, f.spanId, f.parentSpanId, f.name, f.kind, f.startMs, f.endMs > 0 && d > 0 ? d : 0, status, codeLocationOfList(f.attributes), events, exceptions, resource, scope, f.kind === 2 ? httpStatusOfList(f.attributes) : 0, f.attributes);
}

/** The fields of a log record as read from the wire. */
export interface LogFields {
  timeMs: number;
  severityNumber: unknown;
  severityText: string;
  body: AttrValue | undefined;
  attributes: Attributes;
  traceId: string;
  spanId: string;
}

/** A LogRecord from its wire fields. */
export function makeLog(ctx: DecodeContext, resource: ResourceInfo, f: LogFields): LogRecord {
  const sev = severityNumber(f.severityNumber);
  return {
    source: ctx.source,
    timeMs: f.timeMs,
    severityNumber: sev,
    severityText: f.severityText,
    body: bodyText(f.body, ctx),
    attributes: f.attributes,
    code: codeLocationOf(f.attributes),
    traceId: f.traceId,
    spanId: f.spanId,
    exception: exceptionOf(f.attributes, f.timeMs),
    resource,
  };
}

/** A log body as text: strings as they are, anything else as JSON (bytes as their length). */
export function bodyText(v: AttrValue | undefined, ctx: DecodeContext): string {
  if (v === undefined || v === null) return '';
  if (typeof v === 'string') return v;
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  return ctx.str(JSON.stringify(v, (_k, x: unknown) => (x instanceof Uint8Array ? `<${x.length} bytes>` : x)));
}
