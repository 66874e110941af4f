/**
 * The same route table as the standard resources a service mesh enforces (pure), for clusters that
 * run one (platform setting `routingMode: gateway-api` or `istio`):
 * - Gateway API `HTTPRoute` attached to the baseline Service (GAMMA, a "producer route" in the
 *   baseline namespace), one per slice and Service: requests with the key (header, or the baggage
 *   member by regular expression) go to the fork Service; a `ReferenceGrant` in the slice namespace
 *   lets that route name the fork Service. Unmatched requests keep the Service's own behaviour.
 * - Istio `VirtualService` per baseline Service: the same matches first, then the baseline.
 * Down forks: a mesh has no "answer 503 with a reason" here, so a down fork with fallback `error`
 * keeps its route (the mesh answers 503 itself: no healthy upstream); fallback `baseline` drops it.
 */
import { digestHex } from '../base/digest';
import { type KubeObject } from '../slice/k8sTypes';
import { BAGGAGE_MEMBER, ROUTING_HEADER } from './routingKey';
import { type ServiceRoutes, type SliceRoute } from './routes';

export const LABEL_COMPONENT = 'slice.dev/component';
export const ROUTER_COMPONENT = 'router';
export const GATEWAY_API_GROUP = 'gateway.networking.k8s.io';

const labels = { [LABEL_COMPONENT]: ROUTER_COMPONENT, 'app.kubernetes.io/managed-by': 'slice-controller' };

/** RE2 (Gateway API, Envoy) regular expression that matches a baggage header carrying exactly `key`. */
export function baggageRegex(key: string): string {
  return `^(.*[,\\s])?${BAGGAGE_MEMBER}\\s*=\\s*${key.replace(/\./g, '\\.')}\\s*([;,].*)?$`;
}

function matches(key: string): { headers: { type: 'Exact' | 'RegularExpression'; name: string; value: string }[] }[] {
  return [{ headers: [{ type: 'Exact', name: ROUTING_HEADER, value: key }] }, { headers: [{ type: 'RegularExpression', name: 'baggage', value: baggageRegex(key) }] }];
}

/** One HTTPRoute per (Service, slice), so that no route outgrows the API's 16 rules and that each slice's route comes and goes alone. */
export function renderHttpRoutes(table: readonly ServiceRoutes[]): KubeObject[] {
  const out: KubeObject[] = [];
  for (const svc of table) {
    for (const r of svc.routes) {
      const b = svc.baseline;
      out.push({
        apiVersion: `${GATEWAY_API_GROUP}/v1`,
        kind: 'HTTPRoute',
        metadata: { name: meshName(b.name, r), namespace: b.namespace, labels: { ...labels, 'slice.dev/slice-object': r.slice } },
        spec: {
          parentRefs: b.ports.map((p) => ({ group: '', kind: 'Service', name: b.name, port: p.port })),
          rules: [{ matches: matches(r.key), backendRefs: [{ group: '', kind: 'Service', name: r.service, namespace: r.namespace, port: b.ports[0]?.port ?? 80 }] }],
        },
      } as KubeObject);
    }
  }
  return out;
}

/** The ReferenceGrants in slice namespaces: HTTPRoutes in the baseline namespace may name the fork Services there. */
export function renderReferenceGrants(table: readonly ServiceRoutes[]): KubeObject[] {
  const bySlice = new Map<string, { namespace: string; from: Set<string>; services: Set<string> }>();
  for (const svc of table) {
    for (const r of svc.routes) {
      const g = bySlice.get(r.namespace) ?? { namespace: r.namespace, from: new Set<string>(), services: new Set<string>() };
      g.from.add(svc.baseline.namespace);
      g.services.add(r.service);
      bySlice.set(r.namespace, g);
    }
  }
  return [...bySlice.values()].map(
    (g) =>
      ({
        apiVersion: `${GATEWAY_API_GROUP}/v1beta1`,
        kind: 'ReferenceGrant',
        metadata: { name: 'slice-routing', namespace: g.namespace, labels },
        spec: {
          from: [...g.from].sort().map((namespace) => ({ group: GATEWAY_API_GROUP, kind: 'HTTPRoute', namespace })),
          to: [...g.services].sort().map((name) => ({ group: '', kind: 'Service', name })),
        },
      }) as KubeObject,
  );
}

/** One Istio VirtualService per routed baseline Service: each slice's matches, then the baseline. */
export function renderVirtualServices(table: readonly ServiceRoutes[]): KubeObject[] {
  return table.map((svc) => {
    const b = svc.baseline;
    const host = `${b.name}.${b.namespace}.svc.cluster.local`;
    return {
      apiVersion: 'networking.istio.io/v1',
      kind: 'VirtualService',
      metadata: { name: `slice-routes-${b.name}`.slice(0, 63), namespace: b.namespace, labels },
      spec: {
        hosts: [host],
        http: [
          ...svc.routes.map((r) => ({
            name: r.slice,
            match: [{ headers: { [ROUTING_HEADER]: { exact: r.key } } }, { headers: { baggage: { regex: baggageRegex(r.key) } } }],
            route: [{ destination: { host: `${r.service}.${r.namespace}.svc.cluster.local` } }],
            headers: { response: { set: { 'x-slice-routed': `${r.slice}/${r.service}` } } },
          })),
          { name: 'baseline', route: [{ destination: { host } }] },
        ],
      },
    } as KubeObject;
  });
}

/** `slice-<service>-<10 hex of slice+service>`: unique per (Service, slice), ≤ 63 characters. */
export function meshName(service: string, r: Pick<SliceRoute, 'slice'>): string {
  return `slice-${service.slice(0, 40)}-${digestHex(`${r.slice}/${service}`, 10)}`;
}
