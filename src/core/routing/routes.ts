/**
 * Slices × baseline services → routes: which requests to a baseline Service go to which slice's
 * fork. Pure; the controller feeds it what it watches (Slices, their keys, the Services' cluster IPs)
 * and renders the result as router config (nginxConfig.ts) or mesh resources (meshResources.ts).
 *
 * Rules (issue 22):
 * - only Slices that are Ready (or short of it only by a down fork), not being deleted and not
 *   expired get routes, and only for forks
 *   that have a Service in the slice namespace (the controller made it: the owner cannot name one);
 * - the target is always `<fork service>.<slice namespace>`, the namespace the controller derived
 *   from the slice (`status.namespace` must equal `slice-<object name>`), never a name from the spec;
 * - a fork whose pods are down keeps its route while the slice stays Ready: its requests get a clear
 *   503 (fallback `error`, the default) or go to the baseline (fallback `baseline`);
 * - a fork with `routing.enabled: false` gets no route;
 * - requests with no key, an unknown key, or the key of a slice that forks nothing on this service go
 *   to the baseline unchanged: nothing here can route them.
 */
import { type ForkRoutingSpec, type ForkSpec, type SliceObject } from '../slice/sliceResource';

export type { ForkRoutingSpec };
export type RoutingFallback = NonNullable<ForkRoutingSpec['fallback']>;

/** A baseline Service the router may stand in front of (as the controller reads it). */
export interface BaselineService {
  readonly namespace: string;
  readonly name: string;
  readonly ports: readonly ServicePort[];
}

export interface ServicePort {
  readonly name?: string;
  readonly port: number;
  readonly protocol?: string;
}

/** One slice's claim on a baseline Service. */
export interface SliceRoute {
  /** The whole routing key the request must carry. */
  readonly key: string;
  /** The Slice object name (`<owner>-<name>`). */
  readonly slice: string;
  readonly owner: string;
  /** The slice namespace and the fork's Service there. */
  readonly namespace: string;
  readonly service: string;
  /** Whether the fork has ready pods now (when not, `fallback` decides). */
  readonly forkReady: boolean;
  readonly fallback: RoutingFallback;
  /** Why the fork is down, in words (from the Slice status). */
  readonly downMessage?: string;
}

/** All routes of one baseline Service, slices sorted by name. */
export interface ServiceRoutes {
  readonly baseline: BaselineService;
  readonly routes: readonly SliceRoute[];
}

export interface RoutingInputs {
  readonly slices: readonly SliceObject[];
  /** Routing keys by Slice object name (the controller's; a slice without one gets no routes yet). */
  readonly keys: ReadonlyMap<string, string>;
  /** The baseline Services, by `<namespace>/<name>`. */
  readonly services: ReadonlyMap<string, BaselineService>;
  readonly now: Date;
}

/**
 * Whether a Slice may have routes now: not being deleted, not expired, its namespace and policies
 * in place, and Ready, or short of Ready only because a fork is down (then the fork's requests get
 * a clear 503, or the baseline, as its fallback says).
 */
export function isRoutable(slice: SliceObject, now: Date): boolean {
  if (slice.metadata.deletionTimestamp) return false;
  const status = slice.status;
  if (!status || status.namespace !== `slice-${slice.metadata.name}`) return false;
  if (status.phase !== 'Ready') {
    if (status.phase !== 'Provisioning' && status.phase !== 'Failed') return false;
    const ok = (t: string): boolean => status.conditions?.some((c) => c.type === t && c.status === 'True') ?? false;
    if (!ok('NamespaceReady') || !ok('PoliciesReady') || status.conditions?.some((c) => c.type === 'Expired' && c.status === 'True')) return false;
  }
  const expires = slice.spec.expiresAt ?? slice.status.expiresAt;
  if (expires !== undefined) {
    const t = Date.parse(expires);
    if (!Number.isNaN(t) && t <= now.getTime()) return false;
  }
  return true;
}

export function forkRouting(fork: ForkSpec): Required<ForkRoutingSpec> {
  const r = fork.routing;
  return { enabled: r?.enabled ?? true, fallback: r?.fallback ?? 'error' };
}

/** The route table: one entry per baseline Service that at least one routable slice forks. */
export function computeRoutes(inputs: RoutingInputs): ServiceRoutes[] {
  const byService = new Map<string, SliceRoute[]>();
  for (const slice of inputs.slices) {
    if (!isRoutable(slice, inputs.now)) continue;
    const key = inputs.keys.get(slice.metadata.name);
    if (!key || !key.startsWith(`${slice.metadata.name}.`)) continue;
    const namespace = `slice-${slice.metadata.name}`;
    for (const fork of slice.spec.forks) {
      const routing = forkRouting(fork);
      if (!routing.enabled) continue;
      const status = slice.status?.forks?.find((f) => f.workload === fork.workload);
      if (!status?.service || status.service !== fork.workload) continue;
      const id = `${slice.spec.baseline}/${fork.workload}`;
      if (!inputs.services.has(id)) continue;
      if (!status.ready && routing.fallback === 'baseline') continue;
      const list = byService.get(id) ?? [];
      list.push({
        key,
        slice: slice.metadata.name,
        owner: slice.spec.owner,
        namespace,
        service: status.service,
        forkReady: status.ready,
        fallback: routing.fallback,
        ...(status.ready ? {} : { downMessage: status.message ?? 'the fork has no ready pod' }),
      });
      byService.set(id, list);
    }
  }
  return [...byService.entries()]
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([id, routes]) => ({ baseline: inputs.services.get(id)!, routes: routes.sort((a, b) => (a.slice < b.slice ? -1 : 1)) }));
}

/** The baseline namespaces that have routed services (the router runs there). */
export function routedNamespaces(table: readonly ServiceRoutes[]): string[] {
  return [...new Set(table.map((s) => s.baseline.namespace))].sort();
}
