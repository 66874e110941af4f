/**
 * OTLP/JSON ExportMetricsServiceRequest read from the tree `JSON.parse` builds: the reference the
 * tape reader (./jsonTape.ts) answers like, and its fallback for payloads the scanner leaves alone.
 * The tape reader also hands the rarer parts (exemplars, exponential buckets, summaries) to these
 * functions, so both paths answer alike by construction. Every field is checked: bad points are
 * skipped and counted ('invalid-item'), nothing throws.
 */
import { type Result, ok } from '../../base/result';
import { type ResourceInfo } from '../model';
import { jsonAttributeList } from '../otlp/anyValue';
import { type Obj, arrayField, isObj, resourceFrom, scopeNameFrom, str } from '../otlp/jsonTree';
import { type DecodeContext } from '../otlp/limits';
import { jsonId, nanosToMs } from '../otlp/scalars';
import { type Rejection, reject } from '../rejections';
import { MAX_EXEMPLARS, NO_BOUNDS, NO_BUCKETS, NO_EXEMPLARS, boundsOf, countsOf, finite, int64, invalid, jsonDouble, redactedAttributes, temporalityOf } from './build';
import { type Exemplar, type ExpBuckets, type ExpHistogramPoint, type HistogramPoint, type Metric, type NumberPoint, type SummaryPoint, FLAG_NO_RECORDED_VALUE } from './model';

/** The data members of a Metric, in the order they are looked for. */
export const DATA_KINDS = ['sum', 'gauge', 'histogram', 'exponentialHistogram', 'summary'] as const;

/** Decodes the request tree; rejects (and counts) a request of the wrong shape. */
export function treeMetrics(root: unknown, ctx: DecodeContext): Result<Metric[], Rejection> {
  if (!isObj(root)) return reject(ctx.counter, 'unexpected-shape', 'the root is not an object');
  const rms = arrayField(root, 'resourceMetrics');
  if (!rms) return reject(ctx.counter, 'unexpected-shape', 'resourceMetrics is not an array');
  const out: Metric[] = [];
  for (const rm of rms) {
    if (!isObj(rm)) {
      ctx.count('invalid-item');
      continue;
    }
    const resource = resourceFrom(rm.resource, ctx);
    const sms = arrayField(rm, 'scopeMetrics', 'instrumentationLibraryMetrics');
    if (!sms) {
      ctx.count('invalid-item');
      continue;
    }
    for (const sm of sms) {
      const list = isObj(sm) ? arrayField(sm, 'metrics') : undefined;
      if (!isObj(sm) || !list) {
        ctx.count('invalid-item');
        continue;
      }
      const scope = scopeNameFrom(sm.scope ?? sm.instrumentationLibrary);
      for (const m of list) {
        const metric = isObj(m) ? treeMetric(m, ctx, resource, scope) : invalid(ctx);
        if (metric) out.push(metric);
      }
    }
  }
  return ok(out);
}

function treeMetric(m: Obj, ctx: DecodeContext, resource: ResourceInfo, scope: string): Metric | undefined {
  const head = { source: ctx.source, resource, scope, name: str(m.name, ctx), unit: str(m.unit, ctx), description: str(m.description, ctx) };
  for (const kind of DATA_KINDS) {
    const data = m[kind];
    if (data === undefined || data === null) continue;
    if (!isObj(data)) return invalid(ctx);
    const list = arrayField(data, 'dataPoints');
    if (!list) return invalid(ctx);
    switch (kind) {
      case 'sum':
        return { ...head, kind, temporality: temporalityOf(data.aggregationTemporality), monotonic: data.isMonotonic === true, points: eachPoint(list, ctx, treeNumberPoint) };
      case 'gauge':
        return { ...head, kind, points: eachPoint(list, ctx, treeNumberPoint) };
      case 'histogram':
        return { ...head, kind, temporality: temporalityOf(data.aggregationTemporality), points: eachPoint(list, ctx, treeHistogramPoint) };
      case 'exponentialHistogram':
        return { ...head, kind, temporality: temporalityOf(data.aggregationTemporality), points: eachPoint(list, ctx, treeExpPoint) };
      case 'summary':
        return { ...head, kind, points: eachPoint(list, ctx, treeSummaryPoint) };
    }
  }
  return invalid(ctx); // no data, or a kind this reader does not know
}

/** The points of `list` read by `read`: items past ctx.maxItems are counted and dropped, bad ones skipped. */
function eachPoint<P>(list: readonly unknown[], ctx: DecodeContext, read: (p: Obj, ctx: DecodeContext) => P | undefined): P[] {
  const out: P[] = [];
  for (let i = 0; i < list.length; i++) {
    if (ctx.items >= ctx.maxItems) {
      ctx.count('item-limit', list.length - i);
      break;
    }
    const p = list[i];
    const point = isObj(p) ? read(p, ctx) : invalid(ctx);
    if (point) {
      out.push(point);
      ctx.items++;
    }
  }
  return out;
}

/** The fields every point has. */
export function treeBase(p: Obj, ctx: DecodeContext) {
  return {
    attributes: redactedAttributes(jsonAttributeList(p.attributes, ctx)),
    startMs: nanosToMs(p.startTimeUnixNano),
    timeMs: nanosToMs(p.timeUnixNano),
    exemplars: p.exemplars === undefined || p.exemplars === null ? NO_EXEMPLARS : treeExemplars(p.exemplars, ctx),
    flags: typeof p.flags === 'number' ? p.flags : 0,
  };
}

/** The value of a NumberDataPoint or an Exemplar (`asDouble` or `asInt`); NaN when neither. */
export function treeValue(p: Obj): number {
  if (p.asDouble !== undefined) return jsonDouble(p.asDouble);
  if (p.asInt !== undefined) return int64(p.asInt);
  return NaN;
}

export function treeNumberPoint(p: Obj, ctx: DecodeContext): NumberPoint | undefined {
  const base = treeBase(p, ctx);
  const value = treeValue(p);
  if (!finite(value) && (base.flags & FLAG_NO_RECORDED_VALUE) === 0) return invalid(ctx);
  return { attributes: base.attributes, startMs: base.startMs, timeMs: base.timeMs, exemplars: base.exemplars, flags: base.flags, value: finite(value) ? value : NaN };
}

/** An optional double field (`sum`, `min`, `max`): NaN when absent. */
export function optDouble(v: unknown): number {
  return v === undefined || v === null ? NaN : jsonDouble(v);
}

export function treeHistogramPoint(p: Obj, ctx: DecodeContext): HistogramPoint | undefined {
  const count = int64(p.count ?? 0);
  const bounds = Array.isArray(p.explicitBounds) ? boundsOf(p.explicitBounds) : p.explicitBounds === undefined ? NO_BOUNDS : undefined;
  const counts = Array.isArray(p.bucketCounts) ? countsOf(p.bucketCounts) : p.bucketCounts === undefined ? [] : undefined;
  if (!(count >= 0) || !bounds || !counts || (counts.length !== 0 && counts.length !== bounds.length + 1)) return invalid(ctx);
  return histogramPoint(treeBase(p, ctx), count, optDouble(p.sum), optDouble(p.min), optDouble(p.max), bounds, counts);
}

/** A histogram point from its read fields (shared with the tape reader). */
export function histogramPoint(base: ReturnType<typeof treeBase>, count: number, sum: number, min: number, max: number, bounds: readonly number[], counts: number[]): HistogramPoint {
  return { attributes: base.attributes, startMs: base.startMs, timeMs: base.timeMs, exemplars: base.exemplars, flags: base.flags, count, sum, min, max, bounds, counts };
}

function treeBuckets(b: unknown): ExpBuckets | undefined {
  if (b === undefined || b === null) return NO_BUCKETS;
  if (!isObj(b)) return undefined;
  const offset = b.offset === undefined ? 0 : jsonDouble(b.offset);
  const counts = b.bucketCounts === undefined ? [] : Array.isArray(b.bucketCounts) ? countsOf(b.bucketCounts) : undefined;
  if (!Number.isInteger(offset) || !counts) return undefined;
  return { offset, counts };
}

export function treeExpPoint(p: Obj, ctx: DecodeContext): ExpHistogramPoint | undefined {
  const count = int64(p.count ?? 0);
  const zeroCount = int64(p.zeroCount ?? 0);
  const scale = p.scale === undefined ? 0 : jsonDouble(p.scale);
  const positive = treeBuckets(p.positive);
  const negative = treeBuckets(p.negative);
  // scales outside [-10, 20] are what the spec's producers never emit; a bucket index must stay an int32
  if (!(count >= 0) || !(zeroCount >= 0) || !Number.isInteger(scale) || scale < -10 || scale > 20 || !positive || !negative) return invalid(ctx);
  return {
    ...treeBase(p, ctx),
    count,
    sum: optDouble(p.sum),
    min: optDouble(p.min),
    max: optDouble(p.max),
    scale,
    zeroCount,
    zeroThreshold: p.zeroThreshold === undefined ? 0 : jsonDouble(p.zeroThreshold),
    positive,
    negative,
  };
}

export function treeSummaryPoint(p: Obj, ctx: DecodeContext): SummaryPoint | undefined {
  const count = int64(p.count ?? 0);
  const qv = p.quantileValues === undefined ? [] : p.quantileValues;
  if (!(count >= 0) || !Array.isArray(qv)) return invalid(ctx);
  const quantiles: { quantile: number; value: number }[] = [];
  for (const q of qv) {
    if (!isObj(q)) return invalid(ctx);
    const quantile = q.quantile === undefined ? 0 : jsonDouble(q.quantile);
    const value = q.value === undefined ? 0 : jsonDouble(q.value);
    if (!(quantile >= 0 && quantile <= 1) || Number.isNaN(value)) return invalid(ctx);
    quantiles.push({ quantile, value });
  }
  // a summary's sum is a plain proto3 double: absent is 0 (JSON writers leave zero out), unlike a histogram's optional one
  return { ...treeBase(p, ctx), count, sum: p.sum === undefined || p.sum === null ? 0 : jsonDouble(p.sum), quantiles };
}

/** The exemplars of a point (at most MAX_EXEMPLARS; the rest counted); their filtered attributes are not kept. */
export function treeExemplars(list: unknown, ctx: DecodeContext): readonly Exemplar[] {
  if (!Array.isArray(list)) {
    ctx.count('invalid-item');
    return NO_EXEMPLARS;
  }
  if (list.length === 0) return NO_EXEMPLARS;
  const n = Math.min(list.length, MAX_EXEMPLARS);
  if (list.length > n) ctx.count('item-limit', list.length - n);
  const out: Exemplar[] = [];
  for (let i = 0; i < n; i++) {
    const e: unknown = list[i];
    const value = isObj(e) ? treeValue(e) : NaN;
    if (!isObj(e) || !finite(value)) {
      ctx.count('invalid-item');
      continue;
    }
    out.push({ timeMs: nanosToMs(e.timeUnixNano), value, traceId: jsonId(e.traceId, 16), spanId: jsonId(e.spanId, 8) });
  }
  return out;
}
