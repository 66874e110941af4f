/**
 * Synthetic OTLP metric export requests shaped like the sample app's (the recorded
 * test/unit/core/telemetry/metrics/fixtures/cumulative.*.json): per producer, HTTP server duration
 * histograms by route and status (the SDK's 15 default bounds, in seconds), a counter by route, and
 * runtime gauges by heap space; cumulative, with times that advance 10 s per export. Encoded as
 * OTLP/JSON text and as protobuf (through the same schema the decoder reads).
 */
import { metricTypes } from '../../src/core/telemetry/metrics/proto';

const BOUNDS = [0, 0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.5, 0.75, 1, 2.5, 5, 7.5, 10];
const ROUTES = ['/orders', '/orders/:id', '/checkout', '/stock/:sku', '/', '/cart', '/cart/:id', '/users/:id', '/search', '/healthz'];
const STATUS = [200, 201, 404, 500];
const SPACES = ['new_space', 'old_space', 'code_space', 'large_object_space', 'shared_space', 'trusted_space', 'read_only_space', 'new_large_object_space'];

const kv = (key: string, v: string | number) => ({ key, value: typeof v === 'string' ? { stringValue: v } : { intValue: String(v) } });

/** One export of one producer: its data points and the request (JSON-able, proto3 JSON field names). */
export function request(producer: number, exportIndex: number, start: bigint, shape: 'http' | 'runtime' = 'http'): { points: number; body: unknown } {
  const time = (start + BigInt(exportIndex + 1) * 10_000_000_000n).toString();
  const startTime = start.toString();
  const histograms = [];
  const counters = [];
  for (const route of ROUTES) {
    for (const status of STATUS) {
      const n = exportIndex + 1;
      const counts = BOUNDS.map((_, i) => String(i < 3 || i > 9 ? 0 : n * (10 - i)));
      counts.push('0');
      const count = counts.reduce((a, c) => a + Number(c), 0);
      const attributes = [kv('http.request.method', 'GET'), kv('url.scheme', 'http'), kv('http.route', route), kv('http.response.status_code', status)];
      histograms.push({ attributes, startTimeUnixNano: startTime, timeUnixNano: time, count: String(count), sum: count * 0.03, min: 0.004, max: 0.7, bucketCounts: counts, explicitBounds: BOUNDS });
      counters.push({ attributes, startTimeUnixNano: startTime, timeUnixNano: time, asInt: String(count) });
    }
  }
  if (shape === 'runtime') return runtime(producer, exportIndex, startTime, time);
  const gauges = SPACES.map((s, i) => ({ attributes: [kv('v8js.heap.space.name', s)], startTimeUnixNano: startTime, timeUnixNano: time, asInt: String(1_000_000 * (i + 1) + exportIndex) }));
  const body = {
    resourceMetrics: [
      {
        resource: { attributes: [kv('service.name', `svc-${producer % 3}`), kv('service.instance.id', `instance-${producer}`), kv('k8s.pod.name', `pod-${producer}`)] },
        scopeMetrics: [
          {
            scope: { name: '@opentelemetry/instrumentation-http' },
            metrics: [
              { name: 'http.server.request.duration', unit: 's', description: 'Duration of HTTP server requests.', histogram: { aggregationTemporality: 2, dataPoints: histograms } },
              { name: 'http.server.requests', unit: '{request}', description: '', sum: { aggregationTemporality: 2, isMonotonic: true, dataPoints: counters } },
            ],
          },
          { scope: { name: '@opentelemetry/instrumentation-runtime-node' }, metrics: [{ name: 'v8js.memory.heap.used', unit: 'By', description: '', gauge: { dataPoints: gauges } }] },
        ],
      },
    ],
  };
  return { points: histograms.length + counters.length + gauges.length, body };
}

/** The runtime instrumentation's kind of export: gauges and counters by heap space, event-loop state, GC kind (88 points). */
function runtime(producer: number, exportIndex: number, startTime: string, time: string): { points: number; body: unknown } {
  const metric = (name: string, kind: 'gauge' | 'sum', attr: string, values: readonly string[]) => ({
    name,
    unit: 'By',
    description: '',
    [kind]: {
      ...(kind === 'sum' ? { aggregationTemporality: 2, isMonotonic: true } : {}),
      dataPoints: values.map((v, i) => ({ attributes: [kv(attr, v)], startTimeUnixNano: startTime, timeUnixNano: time, asInt: String(1000 * (i + 1) + exportIndex) })),
    },
  });
  const spaces = [...SPACES, ...SPACES.map((s) => `${s}_2`), ...SPACES.map((s) => `${s}_3`)].slice(0, 22);
  const metrics = [
    metric('v8js.memory.heap.used', 'gauge', 'v8js.heap.space.name', spaces),
    metric('v8js.memory.heap.limit', 'gauge', 'v8js.heap.space.name', spaces),
    metric('v8js.memory.heap.space.available_size', 'gauge', 'v8js.heap.space.name', spaces),
    metric('nodejs.eventloop.time', 'sum', 'nodejs.eventloop.state', spaces),
  ];
  return {
    points: 88,
    body: { resourceMetrics: [{ resource: { attributes: [kv('service.name', `svc-${producer % 3}`), kv('service.instance.id', `instance-${producer}`)] }, scopeMetrics: [{ scope: { name: '@opentelemetry/instrumentation-runtime-node' }, metrics }] }] },
  };
}

export interface Payload {
  readonly points: number;
  readonly json: string;
  readonly proto: Uint8Array;
}

/** `exports` successive exports of `producers` producers, as JSON text and protobuf bytes. */
export function payloads(producers: number, exports: number, shape: 'http' | 'runtime' = 'http'): Payload[] {
  const type = metricTypes().exportMetricsRequest;
  const start = 1_796_000_000_000_000_000n;
  const out: Payload[] = [];
  for (let e = 0; e < exports; e++) {
    for (let p = 0; p < producers; p++) {
      const { points, body } = request(p, e, start, shape);
      out.push({ points, json: JSON.stringify(body), proto: type.encode(type.fromObject(body as Record<string, unknown>)).finish() });
    }
  }
  return out;
}
