// OTLP/JSON metric payloads of route histograms (http.server.request.duration, seconds, the
// OpenTelemetry JS SDK's default buckets), made to measure for tests: delta points at given
// times, one per route and status, from a service, optionally marked as the baseline's as the
// baseline's collector marks them (resource attribute slice.source=baseline).

/** The SDK's default bucket bounds of http.server.request.duration, in seconds. */
export const SDK_BOUNDS = [0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.5, 0.75, 1, 2.5, 5, 7.5, 10];

export interface RoutePoint {
  readonly route: string;
  readonly method: string;
  readonly status?: number;
  /** The point's end time (ms since the epoch); it covers the 10 s before. */
  readonly timeMs: number;
  /** Durations in milliseconds, bucketed here. */
  readonly durationsMs: readonly number[];
}

const str = (key: string, v: string) => ({ key, value: { stringValue: v } });
const ns = (ms: number) => `${BigInt(Math.round(ms)) * 1_000_000n}`;

/** The bucket counts of durations (ms) over bounds (s): counts[i] in (bounds[i-1], bounds[i]]. */
export function bucketCounts(durationsMs: readonly number[], bounds = SDK_BOUNDS): number[] {
  const counts = new Array<number>(bounds.length + 1).fill(0);
  for (const d of durationsMs) {
    let i = bounds.findIndex((b) => d / 1000 <= b);
    if (i < 0) i = bounds.length;
    counts[i]!++;
  }
  return counts;
}

/** One ExportMetricsServiceRequest (JSON text) with the points, delta temporality. */
export function routeHistogramPayload(service: string, points: readonly RoutePoint[], opts: { baseline?: boolean } = {}): string {
  const resource = { attributes: [str('service.name', service), ...(opts.baseline ? [str('slice.source', 'baseline')] : [])] };
  const dataPoints = points.map((p) => ({
    attributes: [str('http.request.method', p.method), str('http.route', p.route), { key: 'http.response.status_code', value: { intValue: String(p.status ?? 200) } }],
    startTimeUnixNano: ns(p.timeMs - 10_000),
    timeUnixNano: ns(p.timeMs),
    count: String(p.durationsMs.length),
    sum: p.durationsMs.reduce((a, b) => a + b, 0) / 1000,
    bucketCounts: bucketCounts(p.durationsMs).map(String),
    explicitBounds: SDK_BOUNDS,
  }));
  const metric = { name: 'http.server.request.duration', unit: 's', description: 'Duration of HTTP server requests.', histogram: { aggregationTemporality: 1, dataPoints } };
  return JSON.stringify({ resourceMetrics: [{ resource, scopeMetrics: [{ scope: { name: '@opentelemetry/instrumentation-http' }, metrics: [metric] }] }] });
}
