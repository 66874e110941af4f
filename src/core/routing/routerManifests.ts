/**
 * The router's objects in one baseline namespace (pure), for `routingMode: router` (no mesh):
 * - ConfigMap `slice-router` with nginx.conf (nginxConfig.ts);
 * - Deployment `slice-router`: nginx from Debian's package, Pod Security `restricted`, no service
 *   account token; it reloads nginx gracefully when the mounted config changes (the controller
 *   annotates the router pods with the config's digest, which makes the kubelet refresh the volume
 *   at once instead of at its next periodic sync);
 * - per routed Service an origin Service `slice-origin-<name>` with the Service's original selector
 *   and ports (where the router sends the baseline's own requests);
 * - the routed Service itself is pointed at the router: selector → the router pods, each port's
 *   targetPort → its router port. {@link takeoverPatch} / {@link restorePatch} are the JSON merge
 *   patches; the original selector and target ports are kept in an annotation to restore them.
 */
import { type KubeObject, type Service } from '../slice/k8sTypes';
import { LABEL_COMPONENT, ROUTER_COMPONENT } from './meshResources';
import { originServiceName, renderNginxConfig, ROUTER_HEALTH_PORT, routerPort, routerPorts, type AddressBook } from './nginxConfig';
import { type BaselineService, type ServiceRoutes } from './routes';

export const ROUTER_NAME = 'slice-router';
/** On a routed baseline Service: its original selector and target ports, JSON (to restore them). */
export const ANNOTATION_ORIGINAL = 'slice.dev/routing-original';
/** On the router pods: the digest of the config they should serve (the controller bumps it to make the kubelet refresh the volume). */
export const ANNOTATION_CONFIG_DIGEST = 'slice.dev/router-config';
export const ROUTER_SELECTOR = { [LABEL_COMPONENT]: ROUTER_COMPONENT, 'app.kubernetes.io/name': ROUTER_NAME } as const;

const managed = { 'app.kubernetes.io/managed-by': 'slice-controller', [LABEL_COMPONENT]: ROUTER_COMPONENT };

/** The full shape of a baseline Service that the controller reads (selector and ports with targets). */
export interface LiveService {
  readonly metadata: { readonly name: string; readonly namespace: string; readonly annotations?: Readonly<Record<string, string>> };
  readonly spec: {
    readonly selector?: Readonly<Record<string, string>>;
    readonly ports: readonly { readonly name?: string; readonly port: number; readonly protocol?: string; readonly targetPort?: number | string }[];
  };
}

export interface OriginalService {
  readonly selector: Readonly<Record<string, string>>;
  readonly targetPorts: Readonly<Record<string, number | string>>;
}

/** What the Service was before the router took it over (from the annotation when it already was). */
export function originalOf(svc: LiveService): OriginalService {
  const saved = svc.metadata.annotations?.[ANNOTATION_ORIGINAL];
  if (saved) {
    const parsed = JSON.parse(saved) as OriginalService;
    return parsed;
  }
  return { selector: { ...(svc.spec.selector ?? {}) }, targetPorts: Object.fromEntries(svc.spec.ports.map((p) => [String(p.port), p.targetPort ?? p.port])) };
}

export function isTakenOver(svc: LiveService): boolean {
  return svc.metadata.annotations?.[ANNOTATION_ORIGINAL] !== undefined;
}

/**
 * The router's table in one baseline namespace: the Services some slice routes, plus every Service
 * the router already took over with no routes now. A taken-over Service stays with the router (each
 * switch of its endpoints can refuse new connections for a moment), so the router must keep
 * listening for it and send all of its requests to the origin Service; without this a Service left
 * with the router after the last slice went away refused every connection.
 */
export function routerTable(routed: readonly ServiceRoutes[], takenOver: readonly BaselineService[]): ServiceRoutes[] {
  const names = new Set(routed.map((s) => s.baseline.name));
  const idle = takenOver.filter((b) => !names.has(b.name)).map((baseline) => ({ baseline, routes: [] }));
  return [...routed, ...idle].sort((a, b) => (a.baseline.name < b.baseline.name ? -1 : a.baseline.name > b.baseline.name ? 1 : 0));
}

/** Whether a taken-over Service's ports target the router ports this table gives it (they move when a new Service's port collides). */
export function targetsRouterPorts(svc: LiveService, table: readonly ServiceRoutes[]): boolean {
  const ports = routerPorts(table);
  return svc.spec.ports.every((p) => ports.get(`${svc.metadata.name}:${p.port}`) === p.targetPort);
}

/** The merge patch that points a baseline Service at the router (keys of the old selector set to null). */
export function takeoverPatch(svc: LiveService, table: readonly ServiceRoutes[]): object {
  const original = originalOf(svc);
  const ports = routerPorts(table);
  const selector: Record<string, string | null> = Object.fromEntries(Object.keys(svc.spec.selector ?? {}).map((k) => [k, null]));
  Object.assign(selector, ROUTER_SELECTOR);
  return {
    metadata: { annotations: { [ANNOTATION_ORIGINAL]: JSON.stringify(original) } },
    spec: { selector, ports: svc.spec.ports.map((p) => ({ ...p, targetPort: routerPort(ports, svc.metadata.name, p.port) })) },
  };
}

/** The merge patch that gives a Service back its own selector and target ports. */
export function restorePatch(svc: LiveService): object {
  const original = originalOf(svc);
  const selector: Record<string, string | null> = Object.fromEntries(Object.keys(svc.spec.selector ?? {}).map((k) => [k, null]));
  Object.assign(selector, original.selector);
  return {
    metadata: { annotations: { [ANNOTATION_ORIGINAL]: null } },
    spec: { selector, ports: svc.spec.ports.map((p) => ({ ...p, targetPort: original.targetPorts[String(p.port)] ?? p.targetPort ?? p.port })) },
  };
}

/** The origin Service: the routed Service's original selector and ports, so the router can reach the baseline pods. */
export function renderOriginService(svc: LiveService): KubeObject {
  const original = originalOf(svc);
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name: originServiceName(svc.metadata.name), namespace: svc.metadata.namespace, labels: { ...managed, 'slice.dev/origin-of': svc.metadata.name } },
    spec: {
      selector: original.selector,
      ports: svc.spec.ports.map((p) => ({ ...(p.name ? { name: p.name } : {}), port: p.port, protocol: p.protocol ?? 'TCP', targetPort: original.targetPorts[String(p.port)] ?? p.port })),
    },
  } as KubeObject;
}

export function renderRouterConfigMap(namespace: string, table: readonly ServiceRoutes[], addresses: AddressBook): KubeObject & { data: Record<string, string> } {
  return { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: ROUTER_NAME, namespace, labels: managed }, data: { 'nginx.conf': renderNginxConfig(table, addresses) } };
}

export interface RouterOptions {
  readonly image: string;
  readonly replicas?: number;
}

/** The router Deployment: nginx, non-root, read-only root, every capability dropped, RuntimeDefault seccomp. */
export function renderRouterDeployment(namespace: string, opts: RouterOptions): KubeObject {
  // the route ports are not listed: the template stays the same when routes change (no rollout)
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: ROUTER_NAME, namespace, labels: { ...managed, ...ROUTER_SELECTOR } },
    spec: {
      replicas: opts.replicas ?? 1,
      selector: { matchLabels: ROUTER_SELECTOR },
      strategy: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 0, maxSurge: 1 } },
      template: {
        metadata: { labels: { ...managed, ...ROUTER_SELECTOR } },
        spec: {
          automountServiceAccountToken: false,
          enableServiceLinks: false,
          terminationGracePeriodSeconds: 10,
          securityContext: { runAsNonRoot: true, runAsUser: 65532, runAsGroup: 65532, seccompProfile: { type: 'RuntimeDefault' } },
          containers: [
            {
              name: 'nginx',
              image: opts.image,
              imagePullPolicy: 'IfNotPresent',
              args: ['/etc/slice-router/nginx.conf'],
              ports: [{ name: 'health', containerPort: ROUTER_HEALTH_PORT }],
              readinessProbe: { httpGet: { path: '/healthz', port: 'health' }, periodSeconds: 2, failureThreshold: 2 },
              securityContext: { runAsNonRoot: true, allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: { drop: ['ALL'] } },
              resources: { requests: { cpu: '20m', memory: '32Mi' }, limits: { cpu: '1', memory: '128Mi' } },
              volumeMounts: [
                { name: 'config', mountPath: '/etc/slice-router', readOnly: true },
                { name: 'tmp', mountPath: '/tmp' },
              ],
            },
          ],
          volumes: [
            { name: 'config', configMap: { name: ROUTER_NAME } },
            { name: 'tmp', emptyDir: { medium: 'Memory', sizeLimit: '64Mi' } },
          ],
        },
      },
    },
  } as KubeObject;
}

/**
 * A baseline Service as it was before the router took it over (its selector and target ports from
 * the annotation), unchanged when it was not taken over: what a fork copies, so that a fork's own
 * Service selects the fork's pods, never the router's.
 */
export function asBeforeRouting<T extends Service>(svc: T): T {
  const saved = svc.metadata?.annotations?.[ANNOTATION_ORIGINAL];
  if (!saved || !svc.spec) return svc;
  let original: OriginalService;
  try {
    original = JSON.parse(saved) as OriginalService;
  } catch {
    return svc;
  }
  const { [ANNOTATION_ORIGINAL]: _dropped, ...annotations } = svc.metadata?.annotations ?? {};
  return {
    ...svc,
    metadata: { ...svc.metadata, annotations },
    spec: { ...svc.spec, selector: { ...original.selector }, ports: (svc.spec.ports ?? []).map((p) => ({ ...p, targetPort: original.targetPorts[String(p.port)] ?? p.targetPort })) },
  };
}

