import { formatDuration } from '../base/duration';
import { type DataBranchStatus, type ForkStatus, type SliceCondition, type SliceObject, type SlicePhase, ownerSlug } from '../slice/sliceResource';
import { ANNOTATION_EXPIRES_AT, LABEL_BASELINE, LABEL_EXPIRES, LABEL_OWNER, LABEL_ROLE, LABEL_SLICE_NAME } from './labels';

/** A context of the kubeconfig, as the editor shows it. */
export interface KubeContext {
  readonly name: string;
  readonly cluster: string;
  readonly user: string;
  readonly namespace?: string;
  readonly server?: string;
}

/** A namespace as read from the cluster, reduced to what Slice needs. */
export interface NamespaceInfo {
  readonly name: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly annotations: Readonly<Record<string, string>>;
  readonly phase?: string;
  readonly createdAt?: Date;
}

export interface BaselineEnvironment {
  readonly kind: 'baseline';
  readonly namespace: string;
  readonly terminating: boolean;
}

export interface SliceEnvironment {
  readonly kind: 'slice';
  readonly namespace: string;
  readonly owner: string | undefined;
  readonly sliceName: string | undefined;
  readonly baseline: string | undefined;
  readonly expiresAt: Date | undefined;
  readonly terminating: boolean;
  /** From the Slice resource, when there is one (the platform bundle is installed). */
  readonly resource?: {
    readonly name: string;
    readonly phase: SlicePhase | undefined;
    readonly conditions: readonly SliceCondition[];
    readonly forks: readonly ForkStatus[];
    readonly forkNames: readonly string[];
    /** The slice's data branches (status.data). */
    readonly data: readonly DataBranchStatus[];
  };
  /** True when the current user owns it. */
  readonly mine: boolean;
}

export type Environment = BaselineEnvironment | SliceEnvironment;

/** Reads the expiry from the RFC 3339 annotation, else the Unix-seconds label. */
export function expiryOf(ns: NamespaceInfo): Date | undefined {
  const annotated = ns.annotations[ANNOTATION_EXPIRES_AT];
  if (annotated) {
    const d = new Date(annotated);
    if (!Number.isNaN(d.getTime())) return d;
  }
  const label = ns.labels[LABEL_EXPIRES];
  if (label && /^\d{1,12}$/.test(label)) return new Date(Number(label) * 1000);
  return undefined;
}

/**
 * Baselines first, then my slices, then other slices (by owner, then name); namespaces without a
 * known role are dropped. Slice resources add their phase, conditions and forks to their namespace,
 * and a Slice whose namespace does not exist yet (still provisioning) is shown too. When the Slices
 * are known (`slicesKnown`: the platform is installed), a slice namespace whose Slice is gone is a
 * leftover being deleted, not a slice: it is dropped.
 */
export function toEnvironments(namespaces: readonly NamespaceInfo[], slices: readonly SliceObject[] = [], me?: string, slicesKnown = false): Environment[] {
  const baselines: BaselineEnvironment[] = [];
  const out: SliceEnvironment[] = [];
  const byNamespace = new Map<string, SliceObject>();
  for (const s of slices) byNamespace.set(s.status?.namespace ?? `slice-${s.metadata.name}`, s);
  for (const ns of namespaces) {
    const terminating = ns.phase === 'Terminating';
    const role = ns.labels[LABEL_ROLE];
    if (role === 'baseline') {
      baselines.push({ kind: 'baseline', namespace: ns.name, terminating });
    } else if (role === 'slice') {
      const owner = ns.labels[LABEL_OWNER];
      const resource = byNamespace.get(ns.name);
      byNamespace.delete(ns.name);
      if (slicesKnown && !resource) continue;
      out.push({
        kind: 'slice',
        namespace: ns.name,
        owner,
        sliceName: ns.labels[LABEL_SLICE_NAME],
        baseline: ns.labels[LABEL_BASELINE],
        // The Slice resource is the source of truth; the namespace's copy follows it a moment later.
        expiresAt: dateOf(resource?.spec.expiresAt ?? resource?.status?.expiresAt) ?? expiryOf(ns),
        terminating: terminating || Boolean(resource?.metadata.deletionTimestamp),
        ...(resource ? { resource: resourceView(resource) } : {}),
        mine: isMine(owner, resource, me),
      });
    }
  }
  // Slices whose namespace is not there (yet): provisioning, or failed before it.
  for (const [namespace, resource] of byNamespace) {
    out.push({
      kind: 'slice',
      namespace,
      owner: resource.spec.owner,
      sliceName: sliceNameOf(resource),
      baseline: resource.spec.baseline,
      expiresAt: dateOf(resource.spec.expiresAt ?? resource.status?.expiresAt),
      terminating: Boolean(resource.metadata.deletionTimestamp),
      resource: resourceView(resource),
      mine: isMine(resource.spec.owner, resource, me),
    });
  }
  baselines.sort((a, b) => a.namespace.localeCompare(b.namespace));
  out.sort((a, b) => Number(b.mine) - Number(a.mine) || (a.owner ?? '').localeCompare(b.owner ?? '') || a.namespace.localeCompare(b.namespace));
  return [...baselines, ...out];
}

/** The slice's own name: the Slice object is named `<owner>-<name>`. */
function sliceNameOf(s: SliceObject): string {
  const name = s.metadata.name;
  const prefix = `${ownerSlug(s.spec.owner)}-`;
  return s.metadata.labels?.[LABEL_SLICE_NAME] ?? (name.startsWith(prefix) ? name.slice(prefix.length) : name);
}

function resourceView(s: SliceObject): NonNullable<SliceEnvironment['resource']> {
  return { name: s.metadata.name, phase: s.status?.phase, conditions: s.status?.conditions ?? [], forks: s.status?.forks ?? [], forkNames: s.spec.forks.map((f) => f.workload), data: s.status?.data ?? [] };
}

function isMine(owner: string | undefined, resource: SliceObject | undefined, me: string | undefined): boolean {
  if (!me) return false;
  return owner === me || resource?.spec.owner === me;
}

function dateOf(s: string | undefined): Date | undefined {
  if (!s) return undefined;
  const d = new Date(s);
  return Number.isNaN(d.getTime()) ? undefined : d;
}

/** "2h 05m left", "expired 3m ago" — for tree descriptions and tooltips. */
export function describeTimeLeft(expiresAt: Date, now: Date): string {
  const ms = expiresAt.getTime() - now.getTime();
  const text = formatDuration(Math.abs(ms));
  return ms >= 0 ? `${text} left` : `expired ${text} ago`;
}

