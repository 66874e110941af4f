/**
 * The OTLP metrics schema as a protobufjs JSON descriptor, transcribed from opentelemetry-proto
 * (opentelemetry/proto/metrics/v1/metrics.proto and collector/metrics/v1/metrics_service.proto,
 * v1.x; field numbers and wire types checked against the Go bindings go.opentelemetry.io/proto/otlp
 * v1.5.0), added beside the common and resource messages of ../otlp/proto/descriptor.ts so there
 * is one transcription of those. The unit tests decode payloads encoded by the OpenTelemetry JS
 * SDK's own protobuf exporter to prove it.
 *
 * Left out (skipped by wire type, never built): a metric's `metadata` and an exemplar's filtered
 * attributes.
 */
import { type INamespace, Root, type Type } from 'protobufjs/light';
import { OTLP_DESCRIPTOR } from '../otlp/proto/descriptor';

const KV = 'opentelemetry.proto.common.v1.KeyValue';
const optional = (id: number) => ({ type: 'double', id, options: { proto3_optional: true } });

/** opentelemetry/proto/metrics/v1/metrics.proto */
const metrics: INamespace = {
  nested: {
    ResourceMetrics: {
      fields: {
        resource: { type: 'opentelemetry.proto.resource.v1.Resource', id: 1 },
        scopeMetrics: { rule: 'repeated', type: 'ScopeMetrics', id: 2 },
        schemaUrl: { type: 'string', id: 3 },
      },
    },
    ScopeMetrics: {
      fields: {
        scope: { type: 'opentelemetry.proto.common.v1.InstrumentationScope', id: 1 },
        metrics: { rule: 'repeated', type: 'Metric', id: 2 },
        schemaUrl: { type: 'string', id: 3 },
      },
    },
    Metric: {
      oneofs: { data: { oneof: ['gauge', 'sum', 'histogram', 'exponentialHistogram', 'summary'] } },
      fields: {
        name: { type: 'string', id: 1 },
        description: { type: 'string', id: 2 },
        unit: { type: 'string', id: 3 },
        gauge: { type: 'Gauge', id: 5 },
        sum: { type: 'Sum', id: 7 },
        histogram: { type: 'Histogram', id: 9 },
        exponentialHistogram: { type: 'ExponentialHistogram', id: 10 },
        summary: { type: 'Summary', id: 11 },
      },
    },
    Gauge: { fields: { dataPoints: { rule: 'repeated', type: 'NumberDataPoint', id: 1 } } },
    Sum: {
      fields: {
        dataPoints: { rule: 'repeated', type: 'NumberDataPoint', id: 1 },
        aggregationTemporality: { type: 'int32', id: 2 }, // the AggregationTemporality enum, kept numeric
        isMonotonic: { type: 'bool', id: 3 },
      },
    },
    Histogram: {
      fields: { dataPoints: { rule: 'repeated', type: 'HistogramDataPoint', id: 1 }, aggregationTemporality: { type: 'int32', id: 2 } },
    },
    ExponentialHistogram: {
      fields: { dataPoints: { rule: 'repeated', type: 'ExponentialHistogramDataPoint', id: 1 }, aggregationTemporality: { type: 'int32', id: 2 } },
    },
    Summary: { fields: { dataPoints: { rule: 'repeated', type: 'SummaryDataPoint', id: 1 } } },
    NumberDataPoint: {
      // `reserved 1;`
      oneofs: { value: { oneof: ['asDouble', 'asInt'] } },
      fields: {
        attributes: { rule: 'repeated', type: KV, id: 7 },
        startTimeUnixNano: { type: 'fixed64', id: 2 },
        timeUnixNano: { type: 'fixed64', id: 3 },
        asDouble: { type: 'double', id: 4 },
        asInt: { type: 'sfixed64', id: 6 },
        exemplars: { rule: 'repeated', type: 'Exemplar', id: 5 },
        flags: { type: 'uint32', id: 8 },
      },
    },
    HistogramDataPoint: {
      // `reserved 1;`
      oneofs: { _sum: { oneof: ['sum'] }, _min: { oneof: ['min'] }, _max: { oneof: ['max'] } },
      fields: {
        attributes: { rule: 'repeated', type: KV, id: 9 },
        startTimeUnixNano: { type: 'fixed64', id: 2 },
        timeUnixNano: { type: 'fixed64', id: 3 },
        count: { type: 'fixed64', id: 4 },
        sum: optional(5),
        bucketCounts: { rule: 'repeated', type: 'fixed64', id: 6 },
        explicitBounds: { rule: 'repeated', type: 'double', id: 7 },
        exemplars: { rule: 'repeated', type: 'Exemplar', id: 8 },
        flags: { type: 'uint32', id: 10 },
        min: optional(11),
        max: optional(12),
      },
    },
    ExponentialHistogramDataPoint: {
      oneofs: { _sum: { oneof: ['sum'] }, _min: { oneof: ['min'] }, _max: { oneof: ['max'] } },
      fields: {
        attributes: { rule: 'repeated', type: KV, id: 1 },
        startTimeUnixNano: { type: 'fixed64', id: 2 },
        timeUnixNano: { type: 'fixed64', id: 3 },
        count: { type: 'fixed64', id: 4 },
        sum: optional(5),
        scale: { type: 'sint32', id: 6 },
        zeroCount: { type: 'fixed64', id: 7 },
        positive: { type: 'Buckets', id: 8 },
        negative: { type: 'Buckets', id: 9 },
        flags: { type: 'uint32', id: 10 },
        exemplars: { rule: 'repeated', type: 'Exemplar', id: 11 },
        min: optional(12),
        max: optional(13),
        zeroThreshold: { type: 'double', id: 14 },
      },
      nested: { Buckets: { fields: { offset: { type: 'sint32', id: 1 }, bucketCounts: { rule: 'repeated', type: 'uint64', id: 2 } } } },
    },
    SummaryDataPoint: {
      // `reserved 1;`
      fields: {
        attributes: { rule: 'repeated', type: KV, id: 7 },
        startTimeUnixNano: { type: 'fixed64', id: 2 },
        timeUnixNano: { type: 'fixed64', id: 3 },
        count: { type: 'fixed64', id: 4 },
        sum: { type: 'double', id: 5 },
        quantileValues: { rule: 'repeated', type: 'ValueAtQuantile', id: 6 },
        flags: { type: 'uint32', id: 8 },
      },
      nested: { ValueAtQuantile: { fields: { quantile: { type: 'double', id: 1 }, value: { type: 'double', id: 2 } } } },
    },
    Exemplar: {
      // `reserved 1;` filteredAttributes (7) left out
      oneofs: { value: { oneof: ['asDouble', 'asInt'] } },
      fields: {
        timeUnixNano: { type: 'fixed64', id: 2 },
        asDouble: { type: 'double', id: 3 },
        asInt: { type: 'sfixed64', id: 6 },
        spanId: { type: 'bytes', id: 4 },
        traceId: { type: 'bytes', id: 5 },
      },
    },
  },
};

/** opentelemetry/proto/collector/metrics/v1/metrics_service.proto (the request and response). */
const collector: INamespace = {
  nested: {
    ExportMetricsServiceRequest: { fields: { resourceMetrics: { rule: 'repeated', type: 'opentelemetry.proto.metrics.v1.ResourceMetrics', id: 1 } } },
    ExportMetricsServiceResponse: { fields: { partialSuccess: { type: 'ExportMetricsPartialSuccess', id: 1 } } },
    ExportMetricsPartialSuccess: { fields: { rejectedDataPoints: { type: 'int64', id: 1 }, errorMessage: { type: 'string', id: 2 } } },
  },
};

/** The shared descriptor with the metric packages added (a copy: the shared one is not changed). */
function descriptor(): INamespace {
  const root = JSON.parse(JSON.stringify(OTLP_DESCRIPTOR)) as INamespace;
  const proto = (root.nested!.opentelemetry as INamespace).nested!.proto as INamespace;
  proto.nested!.metrics = { nested: { v1: metrics } };
  (proto.nested!.collector as INamespace).nested!.metrics = { nested: { v1: collector } };
  // strings without UTF-8 validation (invalid sequences become U+FFFD, as in the OTLP/JSON path), like the trace decoders' view
  const lenient = (ns: { nested?: Record<string, unknown>; fields?: Record<string, { type: string; options?: Record<string, unknown> }> }): void => {
    for (const f of Object.values(ns.fields ?? {})) if (f.type === 'string') f.options = { ...f.options, features: { utf8_validation: 'NONE' } };
    for (const child of Object.values(ns.nested ?? {})) lenient(child as Parameters<typeof lenient>[0]);
  };
  lenient(root);
  return root;
}

/** The metric message types. */
export interface MetricTypes {
  readonly exportMetricsRequest: Type;
}

let types: MetricTypes | undefined;

/** The metric types (built once on first use). */
export function metricTypes(): MetricTypes {
  if (!types) {
    const root = Root.fromJSON(descriptor());
    root.resolveAll();
    types = { exportMetricsRequest: root.lookupType('opentelemetry.proto.collector.metrics.v1.ExportMetricsServiceRequest') };
  }
  return types;
}
