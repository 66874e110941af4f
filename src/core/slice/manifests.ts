/**
 * The objects that make a slice, as plain typed objects ready for server-side apply: namespace,
 * quota, limit range, network policies, the owner's RoleBinding and the agent token Secret.
 * Forks are rendered by fork.ts.
 */
import { ANNOTATION_EXPIRES_AT, LABEL_BASELINE, LABEL_EXPIRES, LABEL_OWNER, LABEL_ROLE, LABEL_SLICE_NAME } from '../cluster/labels';
import { type KubeObject, type Labels, type OwnerReference } from './k8sTypes';
import { type QuotaConfig, type SlicePlatformConfig } from './platformConfig';
import { type QuotaRoom } from './quotaRoom';
import { type SliceObject, SLICE_API_VERSION, SLICE_KIND, ownerSlug, sliceNamespace } from './sliceResource';
import { parseTimestamp } from './ttl';
import { COLLECTOR_APP_LABEL, COLLECTOR_NAMESPACE, ROUTED_OTLP_PORT } from '../routing/routedTelemetry';

export const FIELD_MANAGER = 'slice-controller';
export const LABEL_MANAGED_BY = 'app.kubernetes.io/managed-by';
/** On every object the controller renders: the Slice object's name, to find the owner of an event. */
export const LABEL_SLICE_OBJECT = 'slice.dev/slice-object';
export const LABEL_FORK = 'slice.dev/fork';
export const OWNER_CLUSTER_ROLE = 'slice:owner';
export const OWNER_ROLE_BINDING = 'slice-owner';
export const AGENT_TOKEN_SECRET = 'slice-agent-token';
export const AGENT_TOKEN_KEY = 'token';

/** What the renderers need to know about one slice. */
export interface SliceContext {
  /** The Slice object's name, `<owner>-<name>`. */
  readonly objectName: string;
  /** `<name>` without the owner prefix (label slice.dev/slice). */
  readonly shortName: string;
  readonly owner: string;
  readonly namespace: string;
  readonly baseline: string;
  readonly expiresAt: string;
  readonly uid?: string;
  readonly quota: QuotaConfig;
}

/** The Slice object's name must start with `<ownerSlug>-`: anything else could squat another owner's namespace. */
export function sliceContext(slice: SliceObject, expiresAt: string, quota: QuotaConfig): SliceContext | { readonly error: string } {
  const slug = ownerSlug(slice.spec.owner);
  const prefix = `${slug}-`;
  const name = slice.metadata.name;
  if (!name.startsWith(prefix) || name.length === prefix.length) {
    return { error: `the Slice name "${name}" must be "${prefix}<name>" for owner ${slice.spec.owner}` };
  }
  const shortName = name.slice(prefix.length);
  const namespace = sliceNamespace(slice.spec.owner, shortName);
  if (namespace.length > 63) return { error: `the namespace "${namespace}" would be longer than 63 characters: use a shorter slice name` };
  const base = { objectName: name, shortName, owner: slice.spec.owner, namespace, baseline: slice.spec.baseline, expiresAt, quota };
  return slice.metadata.uid ? { ...base, uid: slice.metadata.uid } : base;
}

export function commonLabels(ctx: SliceContext): Labels {
  return { [LABEL_MANAGED_BY]: FIELD_MANAGER, [LABEL_SLICE_OBJECT]: ctx.objectName };
}

/** Label values allow [A-Za-z0-9_.-] up to 63 characters; usernames may not (e-mail addresses). */
export function labelValue(s: string): string {
  const v = s.replace(/[^A-Za-z0-9_.-]+/g, '_').slice(0, 63).replace(/^[^A-Za-z0-9]+|[^A-Za-z0-9]+$/g, '');
  return v || 'x';
}

function ownerRef(ctx: SliceContext): OwnerReference[] {
  return ctx.uid ? [{ apiVersion: SLICE_API_VERSION, kind: SLICE_KIND, name: ctx.objectName, uid: ctx.uid, controller: true }] : [];
}

function meta(ctx: SliceContext, name: string): KubeObject['metadata'] {
  return { name, namespace: ctx.namespace, labels: commonLabels(ctx) };
}

export function renderNamespace(ctx: SliceContext): KubeObject {
  const expires = parseTimestamp(ctx.expiresAt);
  return {
    apiVersion: 'v1',
    kind: 'Namespace',
    metadata: {
      name: ctx.namespace,
      labels: {
        ...commonLabels(ctx),
        [LABEL_ROLE]: 'slice',
        [LABEL_OWNER]: labelValue(ctx.owner),
        [LABEL_SLICE_NAME]: ctx.shortName,
        [LABEL_BASELINE]: ctx.baseline,
        ...(expires === undefined ? {} : { [LABEL_EXPIRES]: String(Math.floor(expires / 1000)) }),
        'pod-security.kubernetes.io/enforce': 'restricted',
        'pod-security.kubernetes.io/enforce-version': 'latest',
        'pod-security.kubernetes.io/warn': 'restricted',
        'pod-security.kubernetes.io/warn-version': 'latest',
        'pod-security.kubernetes.io/audit': 'restricted',
        'pod-security.kubernetes.io/audit-version': 'latest',
      },
      annotations: { [ANNOTATION_EXPIRES_AT]: ctx.expiresAt, 'slice.dev/owner-username': ctx.owner },
      ownerReferences: ownerRef(ctx),
    },
  };
}

/** The quota a slice gets: what it asked for, each value capped by the platform's maximum. */
export function effectiveQuota(
  asked: { readonly cpu?: string; readonly memory?: string; readonly pods?: number } | undefined,
  cfg: Pick<SlicePlatformConfig, 'defaultQuota' | 'maxQuota'>,
): QuotaConfig {
  const pick = (a: string | undefined, def: string, max: string): string => {
    if (a === undefined) return def;
    const av = parseQuantity(a);
    const mv = parseQuantity(max);
    return av === undefined || mv === undefined || av > mv ? max : a;
  };
  return {
    cpu: pick(asked?.cpu, cfg.defaultQuota.cpu, cfg.maxQuota.cpu),
    memory: pick(asked?.memory, cfg.defaultQuota.memory, cfg.maxQuota.memory),
    pods: asked?.pods === undefined ? cfg.defaultQuota.pods : Math.min(Math.max(1, Math.floor(asked.pods)), cfg.maxQuota.pods),
  };
}

const SUFFIX: Readonly<Record<string, number>> = {
  '': 1, n: 1e-9, u: 1e-6, m: 1e-3, k: 1e3, M: 1e6, G: 1e9, T: 1e12, P: 1e15, E: 1e18,
  Ki: 1024, Mi: 1024 ** 2, Gi: 1024 ** 3, Ti: 1024 ** 4, Pi: 1024 ** 5, Ei: 1024 ** 6,
};

/**
 * A Kubernetes quantity ("500m", "2", "256Mi", "1G", and the metrics API's "12345678n" and "48128Ki")
 * as a number; undefined if it is not one.
 */
export function parseQuantity(q: string): number | undefined {
  const m = /^([0-9]+(?:\.[0-9]+)?)(n|u|m|k|M|G|T|P|E|Ki|Mi|Gi|Ti|Pi|Ei)?$/.exec(q.trim());
  if (!m) return undefined;
  return Number(m[1]) * (SUFFIX[m[2] ?? ''] ?? 1);
}

/** `q` plus `extra` (millicores for CPU, bytes for memory); `q` itself when there is nothing to add. */
function plus(q: string, extra: number, cpu: boolean): string {
  const base = parseQuantity(q);
  if (extra <= 0 || base === undefined) return q;
  return cpu ? `${Math.ceil(base * 1000) + extra}m` : `${Math.ceil((base + extra) / 1024 / 1024)}Mi`;
}

/**
 * The slice's ResourceQuota: what it asked for (capped by the platform), plus `room` for the
 * replacements of fork pods that are terminating (core/slice/quotaRoom.ts), so a deleted fork pod's replacement is not
 * refused while the old one terminates.
 */
export function renderQuota(ctx: SliceContext, room?: QuotaRoom): KubeObject & { spec: { hard: Labels } } {
  const q = ctx.quota;
  const r = room ?? { requestsCpu: 0, limitsCpu: 0, requestsMemory: 0, limitsMemory: 0, pods: 0 };
  return {
    apiVersion: 'v1',
    kind: 'ResourceQuota',
    metadata: meta(ctx, 'slice-quota'),
    spec: {
      hard: {
        'requests.cpu': plus(q.cpu, r.requestsCpu, true),
        'limits.cpu': plus(q.cpu, r.limitsCpu, true),
        'requests.memory': plus(q.memory, r.requestsMemory, false),
        'limits.memory': plus(q.memory, r.limitsMemory, false),
        pods: String(q.pods + r.pods),
        services: '10',
        'services.nodeports': '0',
        'services.loadbalancers': '0',
        'persistentvolumeclaims': '0',
      },
    },
  };
}

// No `max`: the quota caps the total, and a max below the default would reject every defaulted pod.
export function renderLimitRange(ctx: SliceContext, cfg: Pick<SlicePlatformConfig, 'containerDefaults'>): KubeObject & { spec: unknown } {
  const d = cfg.containerDefaults;
  return {
    apiVersion: 'v1',
    kind: 'LimitRange',
    metadata: meta(ctx, 'slice-limits'),
    spec: {
      limits: [
        {
          type: 'Container',
          default: { cpu: d.cpu, memory: d.memory },
          defaultRequest: { cpu: d.cpuRequest, memory: d.memoryRequest },
        },
      ],
    },
  };
}

const nsSelector = (name: string) => ({ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': name } } });

/**
 * Default deny (ingress and egress), then: the slice's own pods both ways, the baseline both ways
 * (forks call shared baseline services; baseline callbacks reach forks), the baseline collector in
 * to the agents' routed-traces port, and DNS to CoreDNS (kube-system pods labelled k8s-app=kube-dns).
 */
export function renderNetworkPolicies(ctx: SliceContext): (KubeObject & { spec: unknown })[] {
  const np = (name: string, spec: unknown) => ({ apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', metadata: meta(ctx, name), spec });
  return [
    np('slice-default-deny', { podSelector: {}, policyTypes: ['Ingress', 'Egress'] }),
    np('slice-allow-same-namespace', {
      podSelector: {},
      policyTypes: ['Ingress', 'Egress'],
      ingress: [{ from: [{ podSelector: {} }] }],
      egress: [{ to: [{ podSelector: {} }] }],
    }),
    np('slice-allow-baseline', {
      podSelector: {},
      policyTypes: ['Ingress', 'Egress'],
      ingress: [{ from: [nsSelector(ctx.baseline)] }],
      egress: [{ to: [nsSelector(ctx.baseline)] }],
    }),
    // the baseline collector's routed traces, to the agents' routed-traces port only (docs/architecture.md, "Whole traces")
    np('slice-allow-routed-traces', {
      podSelector: {},
      policyTypes: ['Ingress'],
      ingress: [{ from: [{ ...nsSelector(COLLECTOR_NAMESPACE), podSelector: { matchLabels: { 'app.kubernetes.io/name': COLLECTOR_APP_LABEL } } }], ports: [{ protocol: 'TCP', port: ROUTED_OTLP_PORT }] }],
    }),
    np('slice-allow-dns', {
      podSelector: {},
      policyTypes: ['Egress'],
      egress: [
        {
          to: [{ ...nsSelector('kube-system'), podSelector: { matchLabels: { 'k8s-app': 'kube-dns' } } }],
          // policies see the pod's port after the Service's DNAT: CoreDNS often listens on 1053
          // (non-root) behind Service port 53, so its standard named ports are allowed too
          ports: [
            { protocol: 'UDP', port: 53 },
            { protocol: 'TCP', port: 53 },
            { protocol: 'UDP', port: 'dns' },
            { protocol: 'TCP', port: 'dns-tcp' },
          ],
        },
      ],
    }),
  ];
}

/**
 * A slice with data branches may reach the platform's PostgreSQL server, and only it: one address
 * and port, as pods see them after the Service's DNAT (platform config postgresEgressCIDR/Port).
 */
export function renderDataNetworkPolicy(ctx: SliceContext, cidr: string, port: number): KubeObject & { spec: unknown } {
  return {
    apiVersion: 'networking.k8s.io/v1',
    kind: 'NetworkPolicy',
    metadata: meta(ctx, 'slice-allow-postgres'),
    spec: { podSelector: {}, policyTypes: ['Egress'], egress: [{ to: [{ ipBlock: { cidr } }], ports: [{ protocol: 'TCP', port }] }] },
  };
}

/** The owner, and only the owner, gets ClusterRole slice:owner inside the slice namespace. */
export function renderOwnerRbac(ctx: SliceContext): KubeObject & { subjects: unknown; roleRef: unknown } {
  return {
    apiVersion: 'rbac.authorization.k8s.io/v1',
    kind: 'RoleBinding',
    metadata: meta(ctx, OWNER_ROLE_BINDING),
    subjects: [{ apiGroup: 'rbac.authorization.k8s.io', kind: 'User', name: ctx.owner }],
    roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: OWNER_CLUSTER_ROLE },
  };
}

/** A data branch's Secret: the slice database's connection URL (key `url`) and its parts; created once. */
export function renderDataSecret(ctx: SliceContext, name: string, conn: { url: string; host: string; port: string; database: string; user: string; password: string }): KubeObject & { type: string; stringData: Labels } {
  return { apiVersion: 'v1', kind: 'Secret', metadata: meta(ctx, name), type: 'Opaque', stringData: { ...conn } };
}

/** The agent token Secret; created once (never applied over), `token` is 32 random bytes, hex or base64. */
export function renderAgentSecret(ctx: SliceContext, token: string): KubeObject & { type: string; stringData: Labels } {
  return {
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: meta(ctx, AGENT_TOKEN_SECRET),
    type: 'Opaque',
    stringData: { [AGENT_TOKEN_KEY]: token },
  };
}
