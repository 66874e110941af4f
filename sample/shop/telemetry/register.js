'use strict';
// OpenTelemetry for every service of the shop, loaded before the app:
//   node --require ./telemetry/register.js services/orders/src/server.js
//
// Traces, logs and metrics go out as OTLP over HTTP to OTEL_EXPORTER_OTLP_ENDPOINT (default
// http://127.0.0.1:4318). In a slice fork the Slice agent listens there, on the pod's loopback;
// in the baseline nothing does, and the failed exports stay quiet (set OTEL_LOG_LEVEL=debug to
// see them). OTEL_EXPORTER_OTLP_PROTOCOL picks the encoding: http/protobuf (default) or http/json.
const { NodeSDK, core, tracing } = require('@opentelemetry/sdk-node');
const { SliceRoutingHeaderPropagator, SliceRoutingSpanProcessor } = require('./routing');
const { BatchLogRecordProcessor } = require('@opentelemetry/sdk-logs');
const { HttpInstrumentation } = require('@opentelemetry/instrumentation-http');
const { PinoInstrumentation } = require('@opentelemetry/instrumentation-pino');
const { RuntimeNodeInstrumentation } = require('@opentelemetry/instrumentation-runtime-node');
const { PeriodicExportingMetricReader } = require('@opentelemetry/sdk-metrics');

process.env.OTEL_EXPORTER_OTLP_ENDPOINT ||= 'http://127.0.0.1:4318';

const json = process.env.OTEL_EXPORTER_OTLP_PROTOCOL === 'http/json';
const { OTLPTraceExporter } = json ? require('@opentelemetry/exporter-trace-otlp-http') : require('@opentelemetry/exporter-trace-otlp-proto');
const { OTLPLogExporter } = json ? require('@opentelemetry/exporter-logs-otlp-http') : require('@opentelemetry/exporter-logs-otlp-proto');
const { OTLPMetricExporter } = json ? require('@opentelemetry/exporter-metrics-otlp-http') : require('@opentelemetry/exporter-metrics-otlp-proto');

const sdk = new NodeSDK({
  // W3C trace context and baggage (the slice routing key is a baggage member, see ./routing.js),
  // plus the plain routing header turned into that member for clients without OpenTelemetry
  textMapPropagator: new core.CompositePropagator({ propagators: [new core.W3CTraceContextPropagator(), new core.W3CBaggagePropagator(), new SliceRoutingHeaderPropagator()] }),
  // the routing key's slice on every span, then batched export (OTEL_BSP_* settings)
  spanProcessors: [new SliceRoutingSpanProcessor(), new tracing.BatchSpanProcessor(new OTLPTraceExporter())],
  // metrics (HTTP server durations by http.route, Node runtime, the shop's own) every
  // OTEL_METRIC_EXPORT_INTERVAL ms (default 10 s), cumulative, to /v1/metrics beside traces and logs
  metricReader: new PeriodicExportingMetricReader({ exporter: new OTLPMetricExporter(), exportIntervalMillis: Number(process.env.OTEL_METRIC_EXPORT_INTERVAL) || 10_000 }),
  // this version's log processor does not read OTEL_BLRP_SCHEDULE_DELAY itself
  logRecordProcessors: [new BatchLogRecordProcessor({ exporter: new OTLPLogExporter(), scheduledDelayMillis: Number(process.env.OTEL_BLRP_SCHEDULE_DELAY) || undefined })],
  instrumentations: [
    // probes and favicon requests are noise in a trace list
    new HttpInstrumentation({ ignoreIncomingRequestHook: (req) => req.url === '/healthz' || req.url === '/favicon.ico' }),
    // trace_id/span_id in every JSON log line, and every log record sent as OTLP too
    new PinoInstrumentation(),
    // event loop delay and utilization, V8 heap, GC durations
    new RuntimeNodeInstrumentation(),
  ],
});
sdk.start();

// Flush what is buffered before the process goes (Kubernetes sends SIGTERM); at most 2 s, as
// exports retry with backoff when nothing listens.
let stopping = false;
for (const signal of ['SIGTERM', 'SIGINT']) {
  process.once(signal, () => {
    if (stopping) return;
    stopping = true;
    const timer = setTimeout(() => process.exit(0), 2000);
    sdk.shutdown().catch(() => undefined).finally(() => {
      clearTimeout(timer);
      process.exit(0);
    });
  });
}
