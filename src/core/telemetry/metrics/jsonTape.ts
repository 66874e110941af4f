/**
 * OTLP/JSON ExportMetricsServiceRequest read off the JSON tape (../otlp/jsonTape/), like the trace
 * and log readers there: the same answer as the tree path (./jsonTree.ts) for every payload, the
 * same counts, without building the tree. Read in place: the request's layers, each metric's
 * name, unit, description, kind, temporality and monotonicity, and the points of sums, gauges and
 * explicit histograms (attributes, times, values, counts, bounds). Exponential-histogram and
 * summary points and exemplars are cut out with JSON.parse of their own text and read by the
 * tree path's functions.
 *
 * The scanner knows the trace/log keys at the same ids (METRIC_KEYS starts with OTLP_KEYS), so the
 * shared readers of ../otlp/jsonTape/values.ts (attributes, times, ids) work on this tape unchanged.
 */
import { type Result, ok } from '../../base/result';
import { type ResourceInfo } from '../model';
import * as keys from '../otlp/jsonTape/keys';
import { TapeReader } from '../otlp/jsonTape/reader';
import { type RequestLayout, eachScope } from '../otlp/jsonTape/scopes';
import * as tapeKinds from '../otlp/jsonTape/tape';
import { type Tape, TapeScanner } from '../otlp/jsonTape/tape';
import { attributeList, time } from '../otlp/jsonTape/values';
import { type Obj, scopeNameFrom } from '../otlp/jsonTree';
import { type DecodeContext } from '../otlp/limits';
import { int64ToNumber } from '../otlp/scalars';
import { type Rejection } from '../rejections';
import { NO_BOUNDS, NO_EXEMPLARS, finite, internBounds, invalid, jsonDouble, redactedAttributes, temporalityOf } from './build';
import { histogramPoint, treeExemplars, treeExpPoint, treeSummaryPoint, type treeBase } from './jsonTree';
import { type HistogramPoint, type Metric, type NumberPoint, FLAG_NO_RECORDED_VALUE } from './model';

// Local copies of the shared constants: read in the hot loops, once here.
const { ABSENT, CACHED_VALUES, K_ATTRIBUTES, K_LEGACY_SCOPE, K_NAME, K_SCOPE, K_START, K_TIME, OTLP_KEYS } = keys;
const { ARRAY, NULL, NUMBER, OBJECT, STRING, TRUE } = tapeKinds;

/** The trace/log keys (same ids), then the metric keys. */
export const METRIC_KEYS = [
  ...OTLP_KEYS,
  'resourceMetrics',
  'scopeMetrics',
  'instrumentationLibraryMetrics',
  'metrics',
  'unit',
  'description',
  'sum',
  'gauge',
  'histogram',
  'exponentialHistogram',
  'summary',
  'dataPoints',
  'aggregationTemporality',
  'isMonotonic',
  'asDouble',
  'asInt',
  'count',
  'bucketCounts',
  'explicitBounds',
  'min',
  'max',
  'exemplars',
  'flags',
] as const;

const idOf = (key: (typeof METRIC_KEYS)[number]): number => METRIC_KEYS.indexOf(key) + 1;
const K_RESOURCE_METRICS = idOf('resourceMetrics');
const K_SCOPE_METRICS = idOf('scopeMetrics');
const K_LEGACY_SCOPE_METRICS = idOf('instrumentationLibraryMetrics');
const K_METRICS = idOf('metrics');
const K_UNIT = idOf('unit');
const K_DESCRIPTION = idOf('description');
const K_SUM = idOf('sum');
const K_GAUGE = idOf('gauge');
const K_HISTOGRAM = idOf('histogram');
const K_EXP_HISTOGRAM = idOf('exponentialHistogram');
const K_SUMMARY = idOf('summary');
const K_DATA_POINTS = idOf('dataPoints');
const K_TEMPORALITY = idOf('aggregationTemporality');
const K_MONOTONIC = idOf('isMonotonic');
const K_AS_DOUBLE = idOf('asDouble');
const K_AS_INT = idOf('asInt');
const K_COUNT = idOf('count');
const K_BUCKET_COUNTS = idOf('bucketCounts');
const K_BOUNDS = idOf('explicitBounds');
const K_MIN = idOf('min');
const K_MAX = idOf('max');
const K_EXEMPLARS = idOf('exemplars');
const K_FLAGS = idOf('flags');

/** The data members in the order the tree path looks for them (../jsonTree.ts DATA_KINDS). */
const DATA_KEYS = [K_SUM, K_GAUGE, K_HISTOGRAM, K_EXP_HISTOGRAM, K_SUMMARY] as const;

const METRICS: RequestLayout = { resources: K_RESOURCE_METRICS, resourcesName: 'resourceMetrics', scopes: K_SCOPE_METRICS, legacyScopes: K_LEGACY_SCOPE_METRICS };

let scanner: TapeScanner | undefined;
/** The scanner of metric payloads (its own instance: it knows the metric keys too). */
export const metricScanner = (): TapeScanner => (scanner ??= new TapeScanner(METRIC_KEYS, new Set([...CACHED_VALUES, 'unit', 'description'])));

/** Decodes the metrics request on the tape; rejects (and counts) a request of the wrong shape, as the tree path does. */
export function tapeMetrics(tape: Tape, ctx: DecodeContext): Result<Metric[], Rejection> {
  const r = new TapeReader(tape, ctx.transient);
  const out: Metric[] = [];
  const bad = eachScope(r, ctx, METRICS, (sm, resource) => {
    let list = ABSENT;
    let scope = ABSENT;
    let legacy = ABSENT;
    for (let m = sm + 1, e = r.end(sm); m < e; m = r.after(m + 1)) {
      const id = r.keyId(m);
      if (id === K_METRICS) list = m + 1;
      else if (id === K_SCOPE) scope = m + 1;
      else if (id === K_LEGACY_SCOPE) legacy = m + 1;
    }
    if (list !== ABSENT && r.kind(list) !== NULL && r.kind(list) !== ARRAY) return void ctx.count('invalid-item');
    const s = scope === ABSENT || r.kind(scope) === NULL ? legacy : scope;
    const scopeName = scopeNameFrom(s === ABSENT ? undefined : r.value(s));
    if (list === ABSENT || r.kind(list) === NULL) return;
    for (let m = list + 1, e = r.end(list); m < e; m = r.after(m)) {
      const metric = r.kind(m) === OBJECT ? tapeMetric(r, m, ctx, resource, scopeName) : invalid(ctx);
      if (metric) out.push(metric);
    }
  });
  return bad ?? ok(out);
}

const text = (r: TapeReader, i: number, ctx: DecodeContext): string => (i !== ABSENT && r.kind(i) === STRING ? ctx.str(r.string(i)) : '');

function tapeMetric(r: TapeReader, mt: number, ctx: DecodeContext, resource: ResourceInfo, scope: string): Metric | undefined {
  let name = ABSENT;
  let unit = ABSENT;
  let description = ABSENT;
  const data = [ABSENT, ABSENT, ABSENT, ABSENT, ABSENT];
  for (let m = mt + 1, e = r.end(mt); m < e; m = r.after(m + 1)) {
    const id = r.keyId(m);
    if (id === K_NAME) name = m + 1;
    else if (id === K_UNIT) unit = m + 1;
    else if (id === K_DESCRIPTION) description = m + 1;
    else {
      const k = DATA_KEYS.indexOf(id);
      if (k >= 0) data[k] = m + 1;
    }
  }
  const head = { source: ctx.source, resource, scope, name: text(r, name, ctx), unit: text(r, unit, ctx), description: text(r, description, ctx) };
  for (let k = 0; k < 5; k++) {
    const d = data[k]!;
    if (d === ABSENT || r.kind(d) === NULL) continue;
    if (r.kind(d) !== OBJECT) return invalid(ctx);
    let points = ABSENT;
    let temporality = ABSENT;
    let monotonic = false;
    for (let m = d + 1, e = r.end(d); m < e; m = r.after(m + 1)) {
      const id = r.keyId(m);
      if (id === K_DATA_POINTS) points = m + 1;
      else if (id === K_TEMPORALITY) temporality = m + 1;
      else if (id === K_MONOTONIC) monotonic = r.kind(m + 1) === TRUE;
    }
    if (points !== ABSENT && r.kind(points) !== NULL && r.kind(points) !== ARRAY) return invalid(ctx);
    const t = temporality === ABSENT ? 'unspecified' : temporalityOf(r.kind(temporality) === NUMBER ? r.number(temporality) : r.value(temporality));
    switch (DATA_KEYS[k]) {
      case K_SUM:
        return { ...head, kind: 'sum', temporality: t, monotonic, points: eachPoint(r, points, ctx, numberPoint) };
      case K_GAUGE:
        return { ...head, kind: 'gauge', points: eachPoint(r, points, ctx, numberPoint) };
      case K_HISTOGRAM:
        return { ...head, kind: 'histogram', temporality: t, points: eachPoint(r, points, ctx, histogram) };
      case K_EXP_HISTOGRAM:
        return { ...head, kind: 'exponentialHistogram', temporality: t, points: eachPoint(r, points, ctx, (rr, p, c) => treeExpPoint(rr.value(p) as Obj, c)) };
      default:
        return { ...head, kind: 'summary', points: eachPoint(r, points, ctx, (rr, p, c) => treeSummaryPoint(rr.value(p) as Obj, c)) };
    }
  }
  return invalid(ctx);
}

function eachPoint<P>(r: TapeReader, list: number, ctx: DecodeContext, read: (r: TapeReader, p: number, ctx: DecodeContext) => P | undefined): P[] {
  const out: P[] = [];
  if (list === ABSENT || r.kind(list) === NULL) return out;
  let i = 0;
  for (let p = list + 1, e = r.end(list); p < e; p = r.after(p), i++) {
    if (ctx.items >= ctx.maxItems) {
      ctx.count('item-limit', r.length(list) - i);
      break;
    }
    const point = r.kind(p) === OBJECT ? read(r, p, ctx) : invalid(ctx);
    if (point) {
      out.push(point);
      ctx.items++;
    }
  }
  return out;
}

/** The members of a point, by key id (ABSENT when missing). */
interface Fields {
  attributes: number;
  start: number;
  time: number;
  exemplars: number;
  flags: number;
  asDouble: number;
  asInt: number;
  count: number;
  sum: number;
  min: number;
  max: number;
  bucketCounts: number;
  bounds: number;
}

function fieldsOf(r: TapeReader, p: number): Fields {
  const f: Fields = { attributes: ABSENT, start: ABSENT, time: ABSENT, exemplars: ABSENT, flags: ABSENT, asDouble: ABSENT, asInt: ABSENT, count: ABSENT, sum: ABSENT, min: ABSENT, max: ABSENT, bucketCounts: ABSENT, bounds: ABSENT };
  for (let m = p + 1, e = r.end(p); m < e; m = r.after(m + 1)) {
    switch (r.keyId(m)) {
      case K_ATTRIBUTES:
        f.attributes = m + 1;
        break;
      case K_START:
        f.start = m + 1;
        break;
      case K_TIME:
        f.time = m + 1;
        break;
      case K_EXEMPLARS:
        f.exemplars = m + 1;
        break;
      case K_FLAGS:
        f.flags = m + 1;
        break;
      case K_AS_DOUBLE:
        f.asDouble = m + 1;
        break;
      case K_AS_INT:
        f.asInt = m + 1;
        break;
      case K_COUNT:
        f.count = m + 1;
        break;
      case K_SUM:
        f.sum = m + 1;
        break;
      case K_MIN:
        f.min = m + 1;
        break;
      case K_MAX:
        f.max = m + 1;
        break;
      case K_BUCKET_COUNTS:
        f.bucketCounts = m + 1;
        break;
      case K_BOUNDS:
        f.bounds = m + 1;
        break;
    }
  }
  return f;
}

function base(r: TapeReader, f: Fields, ctx: DecodeContext): ReturnType<typeof treeBase> {
  return {
    attributes: redactedAttributes(attributeList(r, f.attributes, ctx)),
    startMs: time(r, f.start),
    timeMs: time(r, f.time),
    exemplars: f.exemplars === ABSENT || r.kind(f.exemplars) === NULL ? NO_EXEMPLARS : treeExemplars(r.value(f.exemplars), ctx),
    flags: f.flags !== ABSENT && r.kind(f.flags) === NUMBER ? r.number(f.flags) : 0,
  };
}

/** An int64 of any JSON form at `i`, decimal strings read in place ({@link int64ToNumber}'s answer). */
function int64At(r: TapeReader, i: number): number {
  const k = r.kind(i);
  if (k === NUMBER) return int64ToNumber(r.number(i));
  if (r.plainString(i)) {
    const s = r.start(i);
    const e = r.stop(i);
    if (e > s && e - s <= 15) {
      let n = 0;
      let j = s;
      for (; j < e; j++) {
        const d = r.text.charCodeAt(j) - 48;
        if (d < 0 || d > 9) break;
        n = n * 10 + d;
      }
      if (j === e) return n;
    }
  }
  return int64ToNumber(r.value(i));
}

/** A double of any JSON form at `i` ({@link jsonDouble}'s answer). */
function doubleAt(r: TapeReader, i: number): number {
  return r.kind(i) === NUMBER ? r.number(i) : jsonDouble(r.value(i));
}

/** `sum`/`min`/`max`: NaN when absent or null (optDouble of the tree path). */
const optDoubleAt = (r: TapeReader, i: number): number => (i === ABSENT || r.kind(i) === NULL ? NaN : doubleAt(r, i));

function numberPoint(r: TapeReader, p: number, ctx: DecodeContext): NumberPoint | undefined {
  const f = fieldsOf(r, p);
  const b = base(r, f, ctx);
  const value = f.asDouble !== ABSENT ? doubleAt(r, f.asDouble) : f.asInt !== ABSENT ? int64At(r, f.asInt) : NaN;
  if (!finite(value) && (b.flags & FLAG_NO_RECORDED_VALUE) === 0) return invalid(ctx);
  return { attributes: b.attributes, startMs: b.startMs, timeMs: b.timeMs, exemplars: b.exemplars, flags: b.flags, value: finite(value) ? value : NaN };
}

function histogram(r: TapeReader, p: number, ctx: DecodeContext): HistogramPoint | undefined {
  const f = fieldsOf(r, p);
  const count = f.count === ABSENT || r.kind(f.count) === NULL ? 0 : int64At(r, f.count);
  const bounds = f.bounds === ABSENT ? NO_BOUNDS : r.kind(f.bounds) === ARRAY ? boundList(r, f.bounds) : undefined;
  const counts = f.bucketCounts === ABSENT ? [] : r.kind(f.bucketCounts) === ARRAY ? countList(r, f.bucketCounts) : undefined;
  if (!(count >= 0) || !bounds || !counts || (counts.length !== 0 && counts.length !== bounds.length + 1)) return invalid(ctx);
  return histogramPoint(base(r, f, ctx), count, optDoubleAt(r, f.sum), optDoubleAt(r, f.min), optDoubleAt(r, f.max), bounds, counts);
}

function countList(r: TapeReader, list: number): number[] | undefined {
  const out: number[] = [];
  for (let e = list + 1, end = r.end(list); e < end; e = r.after(e)) {
    const n = r.kind(e) === NUMBER ? r.number(e) : int64At(r, e);
    if (!(n >= 0) || !Number.isInteger(n)) return undefined;
    out.push(n);
  }
  return out;
}

function boundList(r: TapeReader, list: number): readonly number[] | undefined {
  const out: number[] = [];
  for (let e = list + 1, end = r.end(list); e < end; e = r.after(e)) {
    const n = doubleAt(r, e);
    if (Number.isNaN(n) || (out.length > 0 && n <= out[out.length - 1]!)) return undefined;
    out.push(n);
  }
  return internBounds(out);
}
