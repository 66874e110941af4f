/**
 * Names shared by the collector's config, the fork's agent and the editor for routed traces: the
 * baseline's spans of a trace that carries a slice's routing key, sent by the baseline's collector
 * to that slice's agent.
 */

/**
 * The span attribute that carries the routing key, copied from the request's baggage by the
 * sample's instrumentation on every hop. Kept here until routing's own definition
 * (src/core/routing/routingKey.ts) lands; then this re-exports it.
 */
export const ROUTING_KEY_ATTRIBUTE = 'slice.routing.key';

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
