/**
 * OTLP metrics in: ExportMetricsServiceRequest in OTLP/JSON (off the JSON tape where it can,
 * through `JSON.parse` otherwise) and in protobuf, to {@link Metric}s. Same caps and counted
 * rejections as the trace and log decoders (../otlp/limits.ts, ../rejections.ts): `maxItems` counts
 * data points. Nothing throws.
 */
import { type Result, ok } from '../../base/result';
import { resourceInfoOf } from '../attributes';
import { type ResourceInfo, EMPTY_RESOURCE } from '../model';
import { type ProtoKeyValue, protoAttributeList, protoAttributes } from '../otlp/anyValue';
import { DecodeContext, type DecodeOptions } from '../otlp/limits';
import { internReader } from '../otlp/proto/internReader';
import { bytesToHexId, int64ToNumber, nanosToMs } from '../otlp/scalars';
import { type Rejection, reject } from '../rejections';
import { MAX_EXEMPLARS, NO_BUCKETS, NO_EXEMPLARS, finite, internBounds, invalid, redactedAttributes, temporalityOf } from './build';
import { metricScanner, tapeMetrics } from './jsonTape';
import { treeMetrics } from './jsonTree';
import { type Exemplar, type ExpBuckets, type Metric, type NumberPoint, FLAG_NO_RECORDED_VALUE } from './model';
import { metricTypes } from './proto';

let utf8: InstanceType<typeof TextDecoder> | undefined;

function sizeRejection(payload: string | Uint8Array, ctx: DecodeContext): Result<never, Rejection> | undefined {
  if (payload.length > ctx.maxBytes) return reject(ctx.counter, 'oversize', `${payload.length} bytes > cap ${ctx.maxBytes}`);
  if (payload.length === 0) return reject(ctx.counter, 'empty', 'empty payload');
  return undefined;
}

/** Decodes an OTLP/JSON ExportMetricsServiceRequest (bytes read as UTF-8). */
export function decodeMetricsJson(payload: string | Uint8Array, options: DecodeOptions): Result<Metric[], Rejection> {
  const ctx = new DecodeContext(options);
  const bad = sizeRejection(payload, ctx);
  if (bad) return bad;
  const fast = metricScanner().read(payload, (tape) => tapeMetrics(tape, ctx));
  if (typeof fast !== 'string') return fast;
  return decodeMetricsJsonTree(payload, options, ctx);
}

/** {@link decodeMetricsJson} through `JSON.parse` (the tape's fallback, and what tests compare it with). */
export function decodeMetricsJsonTree(payload: string | Uint8Array, options: DecodeOptions, context?: DecodeContext): Result<Metric[], Rejection> {
  const ctx = context ?? new DecodeContext(options);
  const bad = sizeRejection(payload, ctx);
  if (bad) return bad;
  let root: unknown;
  try {
    root = JSON.parse(typeof payload === 'string' ? payload : (utf8 ??= new TextDecoder('utf-8')).decode(payload));
  } catch (e) {
    return reject(ctx.counter, 'malformed-json', e instanceof Error ? e.message : 'invalid JSON');
  }
  return treeMetrics(root, ctx);
}

/* The shapes protobufjs produces for ./proto.ts (repeated fields are arrays, absent messages null, a set oneof member an own property). */
interface PExemplar {
  readonly timeUnixNano: unknown;
  readonly asDouble?: number;
  readonly asInt?: unknown;
  readonly spanId: Uint8Array;
  readonly traceId: Uint8Array;
}
interface PPoint {
  readonly attributes: readonly ProtoKeyValue[];
  readonly startTimeUnixNano: unknown;
  readonly timeUnixNano: unknown;
  /** Absent on summary points (SummaryDataPoint has no exemplars). */
  readonly exemplars?: readonly PExemplar[];
  readonly flags: number;
  readonly asDouble?: number;
  readonly asInt?: unknown;
  readonly count: unknown;
  readonly sum?: number;
  readonly min?: number;
  readonly max?: number;
  readonly bucketCounts: readonly unknown[];
  readonly explicitBounds: readonly number[];
  readonly scale: number;
  readonly zeroCount: unknown;
  readonly zeroThreshold: number;
  readonly positive: { readonly offset: number; readonly bucketCounts: readonly unknown[] } | null;
  readonly negative: { readonly offset: number; readonly bucketCounts: readonly unknown[] } | null;
  readonly quantileValues: readonly { readonly quantile: number; readonly value: number }[];
}
interface PData {
  readonly dataPoints: readonly PPoint[];
  readonly aggregationTemporality: number;
  readonly isMonotonic: boolean;
}
interface PMetric {
  readonly name: string;
  readonly description: string;
  readonly unit: string;
  readonly gauge?: PData | null;
  readonly sum?: PData | null;
  readonly histogram?: PData | null;
  readonly exponentialHistogram?: PData | null;
  readonly summary?: PData | null;
}
interface PRequest {
  readonly resourceMetrics: readonly {
    readonly resource: { readonly attributes: readonly ProtoKeyValue[] } | null;
    readonly scopeMetrics: readonly { readonly scope: { readonly name: string } | null; readonly metrics: readonly PMetric[] }[];
  }[];
}

const own = (o: object, key: string): boolean => Object.prototype.hasOwnProperty.call(o, key);
const optional = (p: PPoint, key: 'sum' | 'min' | 'max'): number => (own(p, key) ? p[key]! : NaN);

/**
 * Decodes an OTLP protobuf ExportMetricsServiceRequest (decompressed, and capped, by the caller).
 * An empty payload is a valid request with no metrics.
 */
export function decodeMetricsProto(payload: Uint8Array, options: DecodeOptions): Result<Metric[], Rejection> {
  const ctx = new DecodeContext(options);
  if (payload.length > ctx.maxBytes) return reject(ctx.counter, 'oversize', `${payload.length} bytes > cap ${ctx.maxBytes}`);
  let msg: PRequest;
  try {
    msg = metricTypes().exportMetricsRequest.decode(internReader(payload)) as unknown as PRequest;
  } catch (e) {
    return reject(ctx.counter, 'malformed-protobuf', e instanceof Error ? e.message : 'invalid protobuf');
  }
  const out: Metric[] = [];
  for (const rm of msg.resourceMetrics) {
    const resource: ResourceInfo = rm.resource && rm.resource.attributes.length > 0 ? resourceInfoOf(protoAttributes(rm.resource.attributes, ctx)) : EMPTY_RESOURCE;
    for (const sm of rm.scopeMetrics) {
      const scope = sm.scope ? ctx.str(sm.scope.name) : '';
      for (const m of sm.metrics) {
        const metric = protoMetric(m, ctx, resource, scope);
        if (metric) out.push(metric);
      }
    }
  }
  return ok(out);
}

function protoMetric(m: PMetric, ctx: DecodeContext, resource: ResourceInfo, scope: string): Metric | undefined {
  const head = { source: ctx.source, resource, scope, name: ctx.str(m.name), unit: ctx.str(m.unit), description: ctx.str(m.description) };
  if (own(m, 'sum') && m.sum) return { ...head, kind: 'sum', temporality: temporalityOf(m.sum.aggregationTemporality), monotonic: m.sum.isMonotonic, points: points(m.sum, ctx, numberPoint) };
  if (own(m, 'gauge') && m.gauge) return { ...head, kind: 'gauge', points: points(m.gauge, ctx, numberPoint) };
  if (own(m, 'histogram') && m.histogram) return { ...head, kind: 'histogram', temporality: temporalityOf(m.histogram.aggregationTemporality), points: points(m.histogram, ctx, histogramPoint) };
  if (own(m, 'exponentialHistogram') && m.exponentialHistogram) {
    return { ...head, kind: 'exponentialHistogram', temporality: temporalityOf(m.exponentialHistogram.aggregationTemporality), points: points(m.exponentialHistogram, ctx, expPoint) };
  }
  if (own(m, 'summary') && m.summary) return { ...head, kind: 'summary', points: points(m.summary, ctx, summaryPoint) };
  return invalid(ctx);
}

function points<P>(data: PData, ctx: DecodeContext, read: (p: PPoint, ctx: DecodeContext) => P | undefined): P[] {
  const list = data.dataPoints;
  const out: P[] = [];
  for (let i = 0; i < list.length; i++) {
    if (ctx.items >= ctx.maxItems) {
      ctx.count('item-limit', list.length - i);
      break;
    }
    const point = read(list[i]!, ctx);
    if (point) {
      out.push(point);
      ctx.items++;
    }
  }
  return out;
}

function exemplars(list: readonly PExemplar[], ctx: DecodeContext): readonly Exemplar[] {
  if (list.length === 0) return NO_EXEMPLARS;
  const n = Math.min(list.length, MAX_EXEMPLARS);
  if (list.length > n) ctx.count('item-limit', list.length - n);
  const out: Exemplar[] = [];
  for (let i = 0; i < n; i++) {
    const e = list[i]!;
    const value = own(e, 'asDouble') ? e.asDouble! : own(e, 'asInt') ? int64ToNumber(e.asInt) : NaN;
    if (!finite(value)) {
      ctx.count('invalid-item');
      continue;
    }
    out.push({ timeMs: nanosToMs(e.timeUnixNano), value, traceId: bytesToHexId(e.traceId, 16), spanId: bytesToHexId(e.spanId, 8) });
  }
  return out;
}

function base(p: PPoint, ctx: DecodeContext) {
  return {
    attributes: redactedAttributes(protoAttributeList(p.attributes, ctx)),
    startMs: nanosToMs(p.startTimeUnixNano),
    timeMs: nanosToMs(p.timeUnixNano),
    exemplars: p.exemplars ? exemplars(p.exemplars, ctx) : NO_EXEMPLARS, // summary points have none
    flags: p.flags,
  };
}

function numberPoint(p: PPoint, ctx: DecodeContext): NumberPoint | undefined {
  const b = base(p, ctx);
  const value = own(p, 'asDouble') ? p.asDouble! : own(p, 'asInt') ? int64ToNumber(p.asInt) : NaN;
  if (!finite(value) && (b.flags & FLAG_NO_RECORDED_VALUE) === 0) return invalid(ctx);
  return { attributes: b.attributes, startMs: b.startMs, timeMs: b.timeMs, exemplars: b.exemplars, flags: b.flags, value: finite(value) ? value : NaN };
}

function counts(list: readonly unknown[]): number[] {
  const out = new Array<number>(list.length);
  for (let i = 0; i < list.length; i++) {
    const v = list[i];
    out[i] = typeof v === 'number' ? v : int64ToNumber(v);
  }
  return out;
}

function histogramPoint(p: PPoint, ctx: DecodeContext) {
  const bounds = p.explicitBounds;
  const c = counts(p.bucketCounts);
  for (let i = 1; i < bounds.length; i++) if (!(bounds[i]! > bounds[i - 1]!)) return invalid(ctx);
  if (bounds.some(Number.isNaN) || (c.length !== 0 && c.length !== bounds.length + 1)) return invalid(ctx);
  const b = base(p, ctx);
  return { attributes: b.attributes, startMs: b.startMs, timeMs: b.timeMs, exemplars: b.exemplars, flags: b.flags, count: int64ToNumber(p.count), sum: optional(p, 'sum'), min: optional(p, 'min'), max: optional(p, 'max'), bounds: internBounds(bounds), counts: c };
}

function buckets(b: PPoint['positive']): ExpBuckets {
  return b ? { offset: b.offset, counts: counts(b.bucketCounts) } : NO_BUCKETS;
}

function expPoint(p: PPoint, ctx: DecodeContext) {
  if (p.scale < -10 || p.scale > 20) return invalid(ctx);
  return {
    ...base(p, ctx),
    count: int64ToNumber(p.count),
    sum: optional(p, 'sum'),
    min: optional(p, 'min'),
    max: optional(p, 'max'),
    scale: p.scale,
    zeroCount: int64ToNumber(p.zeroCount),
    zeroThreshold: p.zeroThreshold,
    positive: buckets(p.positive),
    negative: buckets(p.negative),
  };
}

function summaryPoint(p: PPoint, ctx: DecodeContext) {
  for (const q of p.quantileValues) if (!(q.quantile >= 0 && q.quantile <= 1) || Number.isNaN(q.value)) return invalid(ctx);
  return { ...base(p, ctx), count: int64ToNumber(p.count), sum: p.sum ?? 0, quantiles: p.quantileValues.map((q) => ({ quantile: q.quantile, value: q.value })) };
}
