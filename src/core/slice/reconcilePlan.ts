/**
 * The slice controller's decisions as pure plans from what it observed: the reconciler in
 * src/controller reads the cluster, asks these functions what to do, and does it. Every branch here
 * is a unit test (test/unit/core/slice/reconcilePlan.test.ts) rather than a cluster scenario.
 */
import { checkOwnerSlug, checkSliceLimit, type SliceRef } from './limits';
import { type SliceContext, effectiveQuota, sliceContext } from './manifests';
import { type SlicePlatformConfig } from './platformConfig';
import { type SliceObject, type SliceStatus, ownerSlug } from './sliceResource';
import { decideExpiry, isExpired, parseTimestamp } from './ttl';

/** How often a slice that is not Ready yet is looked at again, and a Ready one resynced. */
export const PROVISIONING_POLL_MS = 2000;
export const RESYNC_MS = 60_000;
/** A refused slice is retried: sooner where the cause can go away by itself (another slice deleted). */
const LIMIT_RETRY_MS = 10_000;
const CLASH_RETRY_MS = 60_000;
const BASELINE_RETRY_MS = 10_000;

/** What to do with a live (not deleted) Slice before anything is provisioned. */
export type AdmissionPlan =
  | { readonly kind: 'expire'; readonly expiresAt: string; readonly writeExpiry: boolean; readonly note?: string }
  | { readonly kind: 'refuse'; readonly status: SliceStatus; readonly reason: string; readonly message: string; readonly requeueAfterMs: number; readonly writeExpiry: boolean; readonly expiresAt: string; readonly note?: string }
  | { readonly kind: 'provision'; readonly ctx: SliceContext; readonly status: SliceStatus; readonly untilExpiryMs: number; readonly writeExpiry: boolean; readonly expiresAt: string; readonly note?: string };

/**
 * Expiry, name, the per-owner limit and the owner-name clash, in that order: the first that says no
 * decides. `all` is every Slice the controller knows (its informer cache).
 */
export function planAdmission(slice: SliceObject, all: readonly SliceObject[], nowMs: number, config: SlicePlatformConfig): AdmissionPlan {
  const expiry = decideExpiry(slice.spec, nowMs, config);
  const head = { writeExpiry: expiry.writeSpec, expiresAt: expiry.expiresAt, ...(expiry.note ? { note: expiry.note } : {}) };
  if (isExpired(expiry.expiresAt, nowMs)) return { kind: 'expire', ...head };
  const untilExpiryMs = (parseTimestamp(expiry.expiresAt) ?? 0) - nowMs + 1000;
  const base: SliceStatus = { expiresAt: expiry.expiresAt, observedGeneration: slice.metadata.generation ?? 0 };

  const ctx = sliceContext(slice, expiry.expiresAt, effectiveQuota(slice.spec.resources, config));
  if ('error' in ctx) return { kind: 'refuse', ...head, status: base, reason: 'InvalidName', message: ctx.error, requeueAfterMs: retry(untilExpiryMs) };
  const withNs: SliceStatus = { ...base, namespace: ctx.namespace };

  const refs = all.map(sliceRef);
  const limit = checkSliceLimit(sliceRef(slice), refs, config.maxSlicesPerOwner);
  if (!limit.allowed) {
    return { kind: 'refuse', ...head, status: withNs, reason: limit.reason ?? 'SliceLimitExceeded', message: limit.message ?? 'too many slices', requeueAfterMs: retry(untilExpiryMs, LIMIT_RETRY_MS) };
  }
  const clash = checkOwnerSlug(sliceRef(slice), refs, ownerSlug);
  if (clash) return { kind: 'refuse', ...head, status: withNs, reason: 'OwnerNameClash', message: clash, requeueAfterMs: retry(untilExpiryMs, CLASH_RETRY_MS) };
  return { kind: 'provision', ...head, ctx, status: withNs, untilExpiryMs };
}

/** The baseline namespace as the controller read it: absent, or its labels and annotations. */
export type BaselineObservation = { readonly exists: false } | { readonly exists: true; readonly isBaseline: boolean };

/** A missing or unlabelled baseline refuses the slice (retried: the platform team may be creating it). */
export function planBaseline(name: string, seen: BaselineObservation, roleLabel: string, untilExpiryMs: number): { readonly problem: string; readonly requeueAfterMs: number } | undefined {
  if (!seen.exists) return { problem: `the baseline namespace ${name} does not exist`, requeueAfterMs: retry(untilExpiryMs, BASELINE_RETRY_MS) };
  if (!seen.isBaseline) return { problem: `the namespace ${name} is not a baseline (it lacks the label ${roleLabel}=baseline)`, requeueAfterMs: retry(untilExpiryMs, BASELINE_RETRY_MS) };
  return undefined;
}

/** When to look at a provisioned slice again: soon while not Ready, at expiry at the latest, and when its data may be retried. */
export function planRequeue(phase: string | undefined, untilExpiryMs: number, dataRetryMs?: number): number {
  return Math.max(1000, Math.min(untilExpiryMs, phase === 'Ready' ? RESYNC_MS : PROVISIONING_POLL_MS, dataRetryMs ?? Infinity));
}

/** The fork Deployments that exist but have left the spec (by their fork label), to delete with their Services. */
export function planPrune(existing: readonly { readonly name?: string; readonly fork?: string }[], spec: readonly { readonly workload: string }[]): string[] {
  const keep = new Set(spec.map((f) => f.workload));
  return existing.flatMap((d) => (d.name && d.fork && !keep.has(d.fork) ? [d.name] : []));
}

/** The slice namespace as the finalizer sees it. */
export type NamespaceObservation = { readonly exists: false } | { readonly exists: true; readonly ours: boolean; readonly deleting: boolean };

export type FinalizePlan =
  | { readonly kind: 'deleteNamespace'; readonly namespace: string }
  | { readonly kind: 'waitForNamespace'; readonly namespace: string }
  | { readonly kind: 'dropData' }
  | { readonly kind: 'removeFinalizer' };

/**
 * A deleted slice: first its namespace goes (only one the controller made: a namespace of the same
 * name someone else labelled is left alone), then its data, then the finalizer. Each step is taken
 * again on the next reconcile until the one before it has finished.
 */
export function planFinalize(namespace: string | undefined, seen: NamespaceObservation, declaresData: boolean): FinalizePlan {
  if (namespace && seen.exists && seen.ours) return seen.deleting ? { kind: 'waitForNamespace', namespace } : { kind: 'deleteNamespace', namespace };
  if (declaresData) return { kind: 'dropData' };
  return { kind: 'removeFinalizer' };
}

/** The namespace a deleted slice had: from its status, or as it would be named (a slice deleted before its first status). */
export function finalizeNamespace(slice: SliceObject, config: SlicePlatformConfig): string | undefined {
  if (slice.status?.namespace) return slice.status.namespace;
  const computed = sliceContext(slice, '', effectiveQuota(undefined, config));
  return 'error' in computed ? undefined : computed.namespace;
}

/** The status differs from what is stored (compared as JSON with sorted keys, undefined fields dropped). */
export function statusChanged(stored: SliceStatus | undefined, next: SliceStatus): boolean {
  return JSON.stringify(normalize(stored)) !== JSON.stringify(normalize(next));
}

export function sliceRef(s: SliceObject): SliceRef {
  const ct = s.metadata.creationTimestamp as string | Date | undefined;
  return { name: s.metadata.name, owner: s.spec.owner, creationTimestamp: ct instanceof Date ? ct.toISOString() : ct, deleting: !!s.metadata.deletionTimestamp };
}

function retry(untilExpiryMs: number, cap = Infinity): number {
  return Math.max(1000, Math.min(untilExpiryMs, cap));
}

function normalize(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(normalize);
  if (v && typeof v === 'object') {
    const out: Record<string, unknown> = {};
    for (const k of Object.keys(v).sort()) {
      const x = (v as Record<string, unknown>)[k];
      if (x !== undefined) out[k] = normalize(x);
    }
    return out;
  }
  return v;
}
