/**
 * How soon a fork's app exports its telemetry. The OpenTelemetry SDKs batch spans and log records
 * for 5 s and metrics for 60 s by default (OTEL_BSP_SCHEDULE_DELAY, OTEL_BLRP_SCHEDULE_DELAY,
 * OTEL_METRIC_EXPORT_INTERVAL): right for production, but in a development loop the evidence of a
 * save then reaches the editor 5 s late. A fork's app container gets development values (a span
 * or log delay of its own is kept only when it is shorter; its own metric interval is kept), unless
 * the slice says otherwise (`telemetry.exportDelay` in slice.yaml, `forks[].telemetry.exportDelayMs`
 * in the Slice).
 *
 * The batch processors keep a timer only while they hold data, so an idle fork costs nothing more
 * for spans and logs; the metric reader exports every interval, so its development value is longer.
 */
import { type EnvVar } from './k8sTypes';

/**
 * The development delay of spans and log records, in ms. The batch processors export only when they
 * hold data, so it costs only under traffic: the sample's orders service at 100 requests/s spent
 * 1.13–1.27× the CPU per request of the SDK's 5 s at 50 ms, and 1.05–1.18× at 200 ms
 * (bench/loop/exportCost); 50 ms takes about 150 ms off a save's new figure on the CodeLens
 * (bench/loop), where the SDK's 5 s was most of the loop.
 */
export const DEV_EXPORT_DELAY_MS = 50;
/**
 * The development metric export interval, in ms. The metric reader exports every interval whether
 * anything happened or not, and the editor decodes each export: the idle sample service sent 5
 * exports (43 KiB) a second at 200 ms and used 17.5 ms of CPU a second, against 1 export (8.5 KiB)
 * and 7.5–10 ms at 1 s (bench/loop/exportCost). A metric's new value shows within a second.
 */
export const DEV_METRIC_INTERVAL_MS = 1000;
/** Bounds of an explicit export delay (the Slice CRD says the same): 10 ms to 60 s. */
export const MIN_EXPORT_DELAY_MS = 10;
export const MAX_EXPORT_DELAY_MS = 60_000;

export const OTEL_BSP_SCHEDULE_DELAY = 'OTEL_BSP_SCHEDULE_DELAY';
export const OTEL_BLRP_SCHEDULE_DELAY = 'OTEL_BLRP_SCHEDULE_DELAY';
export const OTEL_METRIC_EXPORT_INTERVAL = 'OTEL_METRIC_EXPORT_INTERVAL';
/**
 * Several SDKs refuse (older JavaScript ones throw) or clamp a metric export timeout longer than the
 * interval, and the timeout's default is 30 s: it is set beside a short interval.
 */
export const OTEL_METRIC_EXPORT_TIMEOUT = 'OTEL_METRIC_EXPORT_TIMEOUT';

/** What the slice says about a fork's telemetry (the Slice's `forks[].telemetry`). */
export interface ForkTelemetrySpec {
  /** The export delay of spans and log records and the metric export interval, in ms. */
  readonly exportDelayMs?: number;
}

/**
 * The app container's env with the export delays set. When the slice gives `exportDelayMs`, it
 * replaces the container's own values (the metric export timeout included). Otherwise each variable
 * the container does not set gets {@link DEV_EXPORT_DELAY_MS} (spans, log records) or
 * {@link DEV_METRIC_INTERVAL_MS} (metrics); the metric interval is then never below a metric timeout
 * the container sets, and a container that sets its own interval keeps it and its timeout as they are.
 */
export function withTelemetryEnv(env: readonly EnvVar[], spec: ForkTelemetrySpec | undefined): EnvVar[] {
  const explicit = spec?.exportDelayMs;
  const delay = Math.round(clampDelay(explicit ?? DEV_EXPORT_DELAY_MS));
  const out = [...env];
  const find = (name: string) => out.findIndex((e) => e.name === name);
  const put = (name: string, value: number) => {
    const i = find(name);
    if (i < 0) out.push({ name, value: String(value) });
    else out[i] = { name, value: String(value) };
  };
  if (explicit !== undefined) {
    for (const name of [OTEL_BSP_SCHEDULE_DELAY, OTEL_BLRP_SCHEDULE_DELAY, OTEL_METRIC_EXPORT_INTERVAL, OTEL_METRIC_EXPORT_TIMEOUT]) put(name, delay);
    return out;
  }
  // a workload's own batch delay is its production choice (the sample's baseline exports every 200 ms,
  // many services keep the SDK's 5 s): a fork is a development copy, so a longer one is shortened
  for (const name of [OTEL_BSP_SCHEDULE_DELAY, OTEL_BLRP_SCHEDULE_DELAY]) {
    const own = out[find(name)];
    const ms = own?.value === undefined ? NaN : Number(own.value);
    if (!(ms >= 0 && ms <= delay)) put(name, delay);
  }
  if (find(OTEL_METRIC_EXPORT_INTERVAL) < 0) {
    const interval = DEV_METRIC_INTERVAL_MS;
    const timeout = out[find(OTEL_METRIC_EXPORT_TIMEOUT)];
    if (!timeout) {
      put(OTEL_METRIC_EXPORT_INTERVAL, interval);
      put(OTEL_METRIC_EXPORT_TIMEOUT, interval);
    } else {
      // the container's timeout (a literal; from elsewhere, e.g. a Secret, it is unknown here: the SDK's 30 s is assumed)
      const own = timeout.value === undefined ? 30_000 : Number(timeout.value);
      put(OTEL_METRIC_EXPORT_INTERVAL, Number.isFinite(own) && own > interval ? own : interval);
    }
  }
  return out;
}

function clampDelay(ms: number): number {
  return Number.isFinite(ms) ? Math.min(MAX_EXPORT_DELAY_MS, Math.max(MIN_EXPORT_DELAY_MS, ms)) : DEV_EXPORT_DELAY_MS;
}

/** A slice.yaml duration of an export delay, `200ms`, `1s` or `1.5s`, in ms; undefined when it is not one. */
export function parseExportDelay(text: string): number | undefined {
  const m = /^([0-9]+(?:\.[0-9]+)?)(ms|s)$/.exec(text.trim());
  if (!m) return undefined;
  const ms = Number(m[1]) * (m[2] === 's' ? 1000 : 1);
  return Number.isFinite(ms) ? Math.round(ms) : undefined;
}
