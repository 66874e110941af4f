/**
 * Names shared by the collector's config, the fork's agent and the editor for
 * routed traces: the baseline's spans of a trace that carries a slice's routing key, sent by the
 * baseline's collector to that slice's agent.
 */

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
/** The collector pods' annotation with the digest of the config the controller last wrote: updating it makes the kubelet swap the mounted config now. */
export const ANNOTATION_COLLECTOR_CONFIG = 'slice.dev/collector-config';
