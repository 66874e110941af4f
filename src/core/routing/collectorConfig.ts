/**
 * The configuration of the baseline's OpenTelemetry Collector (deploy/platform/70-otelcol.yaml,
 * built from test/cluster/go/otelcol): a pure function of the slices that have a routing key.
 *
 * Every baseline workload exports OTLP to the collector. Per routed slice, one traces pipeline
 * takes every span from the shared receiver and keeps the whole traces that carry the slice's key
 * (its public slice part, the span attribute {@link ROUTING_KEY_ATTRIBUTE}; the secret part is never
 * in telemetry):
 * the tail-sampling processor, in its span-ingest strategy, holds a trace's spans until a span with
 * the key arrives, then releases them all at once and forwards the trace's later spans as they come
 * (its decision cache remembers the trace). A trace that never shows the key is dropped after
 * `decision_wait`. The kept spans are marked as the baseline's (resource attribute
 * {@link BASELINE_SOURCE_ATTRIBUTE}) and sent to the slice's own agent, whose ring and relay give the
 * owner resume-without-duplicates through a port-forward made with their own identity.
 *
 * Metrics (issue 23): per routed slice, one metrics pipeline sends every baseline metric, marked
 * the same way, to the same agent, where they land in its metrics ring and reach the owner's editor
 * on the metrics stream: the baseline's own route histograms, what the editor compares the slice's
 * with. Metrics are aggregates with no routing key, so there is nothing to select by slice: each
 * routed slice gets them all.
 *
 * The output is JSON, which is YAML too: the collector reads it as its config file. It is written so
 * that the same slices give the same bytes (the controller compares them before it writes).
 */
import { type KubeObject } from '../slice/k8sTypes';
import { FIELD_MANAGER, LABEL_FORK, LABEL_MANAGED_BY, LABEL_SLICE_OBJECT } from '../slice/manifests';
import { type SliceObject } from '../slice/sliceResource';
import { ROUTED_OTLP_PORT, ROUTED_OTLP_PORT_NAME, ROUTED_OTLP_SERVICE, ROUTING_KEY_ATTRIBUTE } from './routedTelemetry';

/** Resource attribute the collector stamps on every span it forwards; the editor reads it. */
export const BASELINE_SOURCE_ATTRIBUTE = 'slice.source';
export const BASELINE_SOURCE_VALUE = 'baseline';

/** Where the collector listens (OTLP/HTTP and OTLP/gRPC, the standard ports). */
export const COLLECTOR_HTTP_PORT = 4318;
export const COLLECTOR_GRPC_PORT = 4317;

/** One routed slice: the slice part of its key (the Slice object name) and the namespace whose agent receives its traces. */
export interface RoutedSlice {
  readonly slice: string;
  readonly namespace: string;
}

export interface CollectorConfigOptions {
  /** How long a trace without the key yet is held before it is dropped (ms; default 10,000). */
  readonly pendingMs?: number;
  /** Trace ids whose decision is remembered per slice, for spans that come after (default 20,000). */
  readonly decisionCache?: number;
  /** Most traces held at once per slice (default 5,000). */
  readonly maxTraces?: number;
}

/**
 * The slices whose routed traces the collector forwards: every Slice with forks that is not being
 * deleted and whose namespace the controller made (`status.namespace` is `slice-<object name>`, never
 * a name from the spec). The slice part of the key is the object name, so no spec field can point
 * one slice's traces at another's namespace.
 */
export function routedSlices(slices: readonly SliceObject[]): RoutedSlice[] {
  const out: RoutedSlice[] = [];
  for (const s of slices) {
    const name = s.metadata.name;
    if (s.metadata.deletionTimestamp || s.spec.forks.length === 0 || s.status?.namespace !== `slice-${name}`) continue;
    out.push({ slice: name, namespace: `slice-${name}` });
  }
  return out;
}

/** A collector component id: `type/name`; names are namespace names, valid as they are. */
const id = (type: string, ns: string) => `${type}/${ns}`;

/** The routed slices the config can carry: valid names, one namespace per slice, one slice per namespace, sorted by namespace. */
export function normalizeRoutes(slices: readonly RoutedSlice[]): { routes: RoutedSlice[]; refused: { slice: RoutedSlice; reason: string }[] } {
  const refused: { slice: RoutedSlice; reason: string }[] = [];
  const bySlice = new Map<string, RoutedSlice>();
  const byNs = new Map<string, RoutedSlice>();
  const sorted = [...slices].sort((a, b) => (a.namespace < b.namespace ? -1 : a.namespace > b.namespace ? 1 : a.slice < b.slice ? -1 : a.slice > b.slice ? 1 : 0));
  for (const s of sorted) {
    if (!/^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/.test(s.namespace)) refused.push({ slice: s, reason: `"${s.namespace}" is not a namespace name` });
    else if (!/^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/.test(s.slice)) refused.push({ slice: s, reason: `"${s.slice}" is not a Slice object name` });
    else if (bySlice.has(s.slice)) refused.push({ slice: s, reason: `the slice is already routed to ${bySlice.get(s.slice)!.namespace}` });
    else if (byNs.has(s.namespace)) refused.push({ slice: s, reason: `${s.namespace} already has a routed slice` });
    else {
      bySlice.set(s.slice, s);
      byNs.set(s.namespace, s);
    }
  }
  return { routes: [...byNs.values()], refused };
}

/** The collector's configuration for these routed slices (see the module comment). Slices that collide are left out (see {@link normalizeRoutes}). */
export function collectorConfig(slices: readonly RoutedSlice[], options: CollectorConfigOptions = {}): Record<string, unknown> {
  const { routes } = normalizeRoutes(slices);
  const processors: Record<string, unknown> = {
    // below the pod's 256 MiB limit (deploy/platform/70-otelcol.yaml), refusing data before the kernel kills the pod
    memory_limiter: { check_interval: '1s', limit_mib: 200, spike_limit_mib: 40 },
    [id('resource', 'baseline')]: { attributes: [{ key: BASELINE_SOURCE_ATTRIBUTE, value: BASELINE_SOURCE_VALUE, action: 'upsert' }] },
  };
  const exporters: Record<string, unknown> = { nop: {} };
  // At least one pipeline always: the receiver keeps listening (exports succeed) while no slice is routed.
  const pipelines: Record<string, unknown> = {
    [id('traces', 'unrouted')]: { receivers: ['otlp'], processors: [], exporters: ['nop'] },
    [id('metrics', 'unrouted')]: { receivers: ['otlp'], processors: [], exporters: ['nop'] },
  };
  for (const r of routes) {
    processors[id('tail_sampling', r.namespace)] = {
      sampling_strategy: 'span-ingest',
      decision_wait: `${Math.max(1, Math.round((options.pendingMs ?? 10_000) / 1000))}s`,
      num_traces: options.maxTraces ?? 5000,
      decision_cache: { sampled_cache_size: options.decisionCache ?? 20_000 },
      policies: [{ name: 'routing-key', type: 'string_attribute', string_attribute: { key: ROUTING_KEY_ATTRIBUTE, values: [r.slice] } }],
    };
    exporters[id('otlp_http', r.namespace)] = {
      endpoint: `http://${ROUTED_OTLP_SERVICE}.${r.namespace}.svc:${ROUTED_OTLP_PORT}`,
      encoding: 'proto',
      compression: 'gzip',
      timeout: '5s',
      retry_on_failure: { enabled: true, initial_interval: '200ms', max_interval: '5s', max_elapsed_time: '60s' },
      sending_queue: { enabled: true, queue_size: 1000 },
    };
    pipelines[id('traces', r.namespace)] = {
      receivers: ['otlp'],
      processors: ['memory_limiter', id('tail_sampling', r.namespace), id('resource', 'baseline')],
      exporters: [id('otlp_http', r.namespace)],
    };
    pipelines[id('metrics', r.namespace)] = {
      receivers: ['otlp'],
      processors: ['memory_limiter', id('resource', 'baseline')],
      exporters: [id('otlp_http', r.namespace)],
    };
  }
  return {
    receivers: {
      otlp: {
        protocols: {
          http: { endpoint: `0.0.0.0:${COLLECTOR_HTTP_PORT}` },
          grpc: { endpoint: `0.0.0.0:${COLLECTOR_GRPC_PORT}` },
        },
      },
    },
    processors,
    exporters,
    service: {
      pipelines,
      telemetry: { logs: { level: 'info' }, metrics: { level: 'none' } },
    },
  };
}

/** The config file's text: JSON (also YAML), the same bytes for the same slices. */
export function collectorConfigText(slices: readonly RoutedSlice[], options?: CollectorConfigOptions): string {
  return `${JSON.stringify(collectorConfig(slices, options), null, 2)}\n`;
}

/**
 * The Service in a routed slice's namespace that the collector exports to: the agent's routed port
 * on the pod of the slice's first fork (one agent per slice receives the baseline's spans, so no span
 * lands in two rings; the editor streams that fork's telemetry). Undefined for a slice without forks.
 */
export function renderRoutedOtlpService(slice: SliceObject): (KubeObject & { readonly spec: unknown }) | undefined {
  const first = slice.spec.forks[0];
  if (!first) return undefined;
  const name = slice.metadata.name;
  const labels = { [LABEL_MANAGED_BY]: FIELD_MANAGER, [LABEL_SLICE_OBJECT]: name };
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name: ROUTED_OTLP_SERVICE, namespace: `slice-${name}`, labels },
    spec: {
      type: 'ClusterIP',
      selector: { [LABEL_SLICE_OBJECT]: name, [LABEL_FORK]: first.workload },
      ports: [{ name: 'otlp-http', port: ROUTED_OTLP_PORT, targetPort: ROUTED_OTLP_PORT_NAME, protocol: 'TCP' }],
    },
  };
}
