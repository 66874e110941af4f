/**
 * Names (and the one Service) shared by the collector's config, the fork's agent and the editor for
 * routed traces: the baseline's spans of a trace that carries a slice's routing key, sent by the
 * baseline's collector to that slice's agent.
 */

import { type KubeObject } from '../slice/k8sTypes';
import { FIELD_MANAGER, LABEL_FORK, LABEL_MANAGED_BY, LABEL_SLICE_OBJECT } from '../slice/manifests';
import { type SliceObject } from '../slice/sliceResource';
import { SPAN_ATTRIBUTE_SLICE } from './routingKey';

/**
 * The span attribute a routed request's spans carry: the public slice part of the routing key (the
 * Slice object name), set from the request's baggage on every hop (routingKey.ts). The secret part
 * never reaches telemetry, so the collector routes on the slice part.
 */
export const ROUTING_KEY_ATTRIBUTE = SPAN_ATTRIBUTE_SLICE;

/** The agent's second OTLP/HTTP receiver, on the pod's address: only the baseline's collector may reach it. */
export const ROUTED_OTLP_PORT = 4319;
export const ROUTED_OTLP_PORT_NAME = 'slice-routed';
/** The Service in a slice's namespace in front of that port (the collector's export target). */
export const ROUTED_OTLP_SERVICE = 'slice-routed-otlp';

/** Where the baseline's collector runs (deploy/platform/70-otelcol.yaml). */
export const COLLECTOR_NAMESPACE = 'slice-system';
export const COLLECTOR_APP_LABEL = 'slice-otelcol';
/** The ConfigMap the controller writes the collector's config into, and its key. */
export const COLLECTOR_CONFIGMAP = 'slice-otelcol-config';
export const COLLECTOR_CONFIG_KEY = 'config.yaml';

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
