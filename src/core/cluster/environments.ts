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

/** Baselines first, then slices (by owner, then name); namespaces without a known role are dropped. */
export function toEnvironments(namespaces: readonly NamespaceInfo[]): Environment[] {
  const baselines: BaselineEnvironment[] = [];
  const slices: SliceEnvironment[] = [];
  for (const ns of namespaces) {
    const terminating = ns.phase === 'Terminating';
    const role = ns.labels[LABEL_ROLE];
    if (role === 'baseline') {
      baselines.push({ kind: 'baseline', namespace: ns.name, terminating });
    } else if (role === 'slice') {
      slices.push({
        kind: 'slice',
        namespace: ns.name,
        owner: ns.labels[LABEL_OWNER],
        sliceName: ns.labels[LABEL_SLICE_NAME],
        baseline: ns.labels[LABEL_BASELINE],
        expiresAt: expiryOf(ns),
        terminating,
      });
    }
  }
  baselines.sort((a, b) => a.namespace.localeCompare(b.namespace));
  slices.sort((a, b) => (a.owner ?? '').localeCompare(b.owner ?? '') || a.namespace.localeCompare(b.namespace));
  return [...baselines, ...slices];
}

/** "2h 05m left", "expired 3m ago" — for tree descriptions and tooltips. */
export function describeTimeLeft(expiresAt: Date, now: Date): string {
  const ms = expiresAt.getTime() - now.getTime();
  const text = formatDuration(Math.abs(ms));
  return ms >= 0 ? `${text} left` : `expired ${text} ago`;
}

export function formatDuration(ms: number): string {
  const minutes = Math.floor(ms / 60_000);
  if (minutes < 1) return `${Math.max(0, Math.floor(ms / 1000))}s`;
  if (minutes < 60) return `${minutes}m`;
  const hours = Math.floor(minutes / 60);
  if (hours < 48) return `${hours}h ${String(minutes % 60).padStart(2, '0')}m`;
  return `${Math.floor(hours / 24)}d ${hours % 24}h`;
}
