/**
 * The metrics model of the pure core: OTLP metrics (opentelemetry/proto/metrics/v1/metrics.proto)
 * as the decoders give them, one {@link Metric} per metric of a scope with its data points. Times
 * are Unix milliseconds as floats, like the rest of the telemetry model; int64 values and counts
 * become numbers (exact up to 2^53).
 *
 * Attributes are already redacted (../redact.ts, as log attributes are): a point's attributes are
 * what the store keys its series by and what the editor shows.
 */
import { type Attributes, type ResourceInfo, type SourceTag } from '../model';

/** The five OTLP data kinds. */
export type MetricKind = 'sum' | 'gauge' | 'histogram' | 'exponentialHistogram' | 'summary';

/** OTLP AggregationTemporality: 0 unspecified, 1 delta, 2 cumulative. Gauges and summaries have none. */
export type Temporality = 'unspecified' | 'delta' | 'cumulative';

/** A measurement kept with a point that links it to the trace it was taken in. */
export interface Exemplar {
  readonly timeMs: number;
  readonly value: number;
  /** 32 lowercase hex digits ('' when absent). */
  readonly traceId: string;
  /** 16 lowercase hex digits ('' when absent). */
  readonly spanId: string;
}

interface PointBase {
  readonly attributes: Attributes;
  /** Start of the interval the point covers (cumulative: since the series (re)started); 0 when not given. */
  readonly startMs: number;
  readonly timeMs: number;
  readonly exemplars: readonly Exemplar[];
  /** DataPointFlags: bit 0 is "no recorded value" (a stale marker). */
  readonly flags: number;
}

/** A point of a sum or a gauge. */
export interface NumberPoint extends PointBase {
  readonly value: number;
}

/** A point of an explicit-bucket histogram: `counts[i]` values in `(bounds[i-1], bounds[i]]`, `counts.length === bounds.length + 1`. */
export interface HistogramPoint extends PointBase {
  readonly count: number;
  /** NaN when not given. */
  readonly sum: number;
  /** NaN when not given. */
  readonly min: number;
  readonly max: number;
  readonly bounds: readonly number[];
  readonly counts: readonly number[];
}

/** One side of an exponential histogram: `counts[i]` values in `(base^(offset+i), base^(offset+i+1)]`, base = 2^(2^-scale). */
export interface ExpBuckets {
  readonly offset: number;
  readonly counts: readonly number[];
}

/** A point of an exponential histogram. */
export interface ExpHistogramPoint extends PointBase {
  readonly count: number;
  readonly sum: number;
  readonly min: number;
  readonly max: number;
  readonly scale: number;
  readonly zeroCount: number;
  readonly zeroThreshold: number;
  readonly positive: ExpBuckets;
  readonly negative: ExpBuckets;
}

/** A point of a summary (quantiles over the interval). */
export interface SummaryPoint extends PointBase {
  readonly count: number;
  readonly sum: number;
  readonly quantiles: readonly { readonly quantile: number; readonly value: number }[];
}

interface MetricBase {
  readonly source: SourceTag;
  readonly resource: ResourceInfo;
  readonly scope: string;
  readonly name: string;
  readonly unit: string;
  readonly description: string;
}

export interface SumMetric extends MetricBase {
  readonly kind: 'sum';
  readonly temporality: Temporality;
  readonly monotonic: boolean;
  readonly points: readonly NumberPoint[];
}
export interface GaugeMetric extends MetricBase {
  readonly kind: 'gauge';
  readonly points: readonly NumberPoint[];
}
export interface HistogramMetric extends MetricBase {
  readonly kind: 'histogram';
  readonly temporality: Temporality;
  readonly points: readonly HistogramPoint[];
}
export interface ExpHistogramMetric extends MetricBase {
  readonly kind: 'exponentialHistogram';
  readonly temporality: Temporality;
  readonly points: readonly ExpHistogramPoint[];
}
export interface SummaryMetric extends MetricBase {
  readonly kind: 'summary';
  readonly points: readonly SummaryPoint[];
}

/** A decoded metric: its identity, its kind and its points. */
export type Metric = SumMetric | GaugeMetric | HistogramMetric | ExpHistogramMetric | SummaryMetric;

/** DataPointFlags.FLAG_NO_RECORDED_VALUE. */
export const FLAG_NO_RECORDED_VALUE = 1;

/** The number of data points of a batch of metrics. */
export function pointCount(metrics: readonly Metric[]): number {
  let n = 0;
  for (const m of metrics) n += m.points.length;
  return n;
}
