/**
 * Reconciles one Slice: finalizer, expiry, the per-owner limit, the namespace and its policies,
 * the agent token, the forks, and the status that says what is ready and why not. Every write is
 * a server-side apply of the rendered objects (a no-op when nothing changed) or create-once.
 */
import { randomBytes } from 'node:crypto';
import * as k8s from '@kubernetes/client-node';
import { deriveConditions, deriveForkStatus, replaceCondition, type SliceObservation } from '../core/slice/conditions';
import { dataBranches } from '../core/slice/dataBranch';
import { declaredDatabases } from '../core/slice/dataPolicy';
import { withDataCondition } from '../core/slice/dataStatus';
import { renderFork } from '../core/slice/fork';
import { checkOwnerSlug, checkSliceLimit, type SliceRef } from '../core/slice/limits';
import {
  AGENT_TOKEN_SECRET, FIELD_MANAGER, LABEL_FORK, LABEL_MANAGED_BY, type SliceContext, effectiveQuota, renderAgentSecret,
  renderDataNetworkPolicy, renderLimitRange, renderNamespace, renderNetworkPolicies, renderOwnerRbac, renderQuota, sliceContext,
} from '../core/slice/manifests';
import { type Deployment, type PodSpec, type Service } from '../core/slice/k8sTypes';
import { type QuotaRoom, replacementRoom } from '../core/slice/quotaRoom';
import { type SlicePlatformConfig } from '../core/slice/platformConfig';
import { type DataBranchStatus, type SliceObject, type SliceStatus, ownerSlug } from '../core/slice/sliceResource';
import { decideExpiry, isExpired, parseTimestamp, rfc3339 } from '../core/slice/ttl';
import { LABEL_ROLE } from '../core/cluster/labels';
import { type Applier, toWire } from './applier';
import { DataReconciler } from './data/dataReconciler';
import { apiMessage, isNotFound } from './errors';
import { type ForkObserver } from './observe';
import { SLICE_FINALIZER, type SliceApi } from './sliceApi';

export interface ReconcilerDeps {
  readonly kc: k8s.KubeConfig;
  readonly config: SlicePlatformConfig;
  readonly applier: Applier;
  readonly slices: SliceApi;
  readonly observer: ForkObserver;
  /** Every Slice the controller knows (from the informer cache), for the per-owner limit. */
  readonly allSlices: () => readonly SliceObject[];
  readonly log: (line: string) => void;
  readonly now?: () => number;
  /** Per-slice PostgreSQL branches (src/controller/data). */
  readonly data?: DataReconciler;
}

export type ReconcileResult = { requeueAfterMs?: number };
const PROVISIONING_POLL_MS = 2000;
/** The fork Deployments and pods the controller made in a slice namespace. */
const FORK_SELECTOR = `${LABEL_MANAGED_BY}=${FIELD_MANAGER},${LABEL_FORK}`;
const RESYNC_MS = 60_000;

export class Reconciler {
  private readonly core: k8s.CoreV1Api;
  private readonly apps: k8s.AppsV1Api;

  constructor(private readonly d: ReconcilerDeps) {
    this.core = d.kc.makeApiClient(k8s.CoreV1Api);
    this.apps = d.kc.makeApiClient(k8s.AppsV1Api);
  }

  private now(): number {
    return this.d.now?.() ?? Date.now();
  }

  async reconcile(name: string): Promise<ReconcileResult> {
    let slice = await this.d.slices.get(name);
    if (!slice) return {};
    if (slice.metadata.deletionTimestamp) return this.finalize(slice);
    if (!slice.metadata.finalizers?.includes(SLICE_FINALIZER)) slice = await this.d.slices.addFinalizer(slice);

    const expiry = decideExpiry(slice.spec, this.now(), this.d.config);
    if (expiry.writeSpec) {
      if (expiry.note) this.d.log(`slice ${name}: ${expiry.note}`);
      slice = await this.d.slices.setExpiresAt(name, expiry.expiresAt);
    }
    if (isExpired(expiry.expiresAt, this.now())) {
      this.d.log(`slice ${name} expired at ${expiry.expiresAt}: deleting it`);
      await this.writeStatus(slice, {
        ...slice.status,
        phase: 'Expired',
        expiresAt: expiry.expiresAt,
        conditions: replaceCondition(slice.status?.conditions, 'Expired', 'True', 'TTLExpired', `the slice expired at ${expiry.expiresAt}`, rfc3339(this.now())),
      });
      await this.d.slices.delete(name);
      return {};
    }
    const untilExpiry = (parseTimestamp(expiry.expiresAt) ?? 0) - this.now() + 1000;

    const quota = effectiveQuota(slice.spec.resources, this.d.config);
    const ctx = sliceContext(slice, expiry.expiresAt, quota);
    const base: SliceStatus = { expiresAt: expiry.expiresAt, observedGeneration: slice.metadata.generation ?? 0 };
    if ('error' in ctx) return this.refuse(slice, base, 'InvalidName', ctx.error, untilExpiry);

    const limit = checkSliceLimit(toRef(slice), this.d.allSlices().map(toRef), this.d.config.maxSlicesPerOwner);
    if (!limit.allowed) return this.refuse(slice, { ...base, namespace: ctx.namespace }, limit.reason ?? 'SliceLimitExceeded', limit.message ?? 'too many slices', Math.min(untilExpiry, 10_000));

    const clash = checkOwnerSlug(toRef(slice), this.d.allSlices().map(toRef), ownerSlug);
    if (clash) return this.refuse(slice, { ...base, namespace: ctx.namespace }, 'OwnerNameClash', clash, Math.min(untilExpiry, 60_000));

    const baseline = await this.checkBaseline(ctx.baseline);
    if ('problem' in baseline) return this.refuse(slice, { ...base, namespace: ctx.namespace }, 'BaselineNotFound', baseline.problem, Math.min(untilExpiry, 10_000));

    const obs = await this.provision(ctx, slice.spec.forks, async () => (this.d.data ? this.d.data.ensure(slice, ctx, baseline.declared) : []));
    const status = await this.status(slice, { ...base, namespace: ctx.namespace, agentTokenSecret: AGENT_TOKEN_SECRET }, obs, ctx);
    await this.writeStatus(slice, status);
    const dataRetry = this.d.data?.retryAfterMs(name);
    return { requeueAfterMs: Math.max(1000, Math.min(untilExpiry, status.phase === 'Ready' ? RESYNC_MS : PROVISIONING_POLL_MS, dataRetry ?? Infinity)) };
  }

  /** The baseline namespace must exist and be labelled a baseline; it declares the databases its slices may branch. */
  private async checkBaseline(baseline: string): Promise<{ problem: string } | { declared: string[] }> {
    try {
      const ns = await this.core.readNamespace({ name: baseline });
      if (ns.metadata?.labels?.[LABEL_ROLE] !== 'baseline') return { problem: `the namespace ${baseline} is not a baseline (it lacks the label ${LABEL_ROLE}=baseline)` };
      return { declared: declaredDatabases({ labels: ns.metadata.labels, ...(ns.metadata.annotations ? { annotations: ns.metadata.annotations } : {}) }) };
    } catch (e) {
      if (isNotFound(e)) return { problem: `the baseline namespace ${baseline} does not exist` };
      throw e;
    }
  }

  /** Namespace, policies, token, data branches, forks. Returns what status derivation needs. */
  private async provision(ctx: SliceContext, forkSpecs: SliceObject['spec']['forks'], ensureData: () => Promise<DataBranchStatus[]>): Promise<{ nsOk: boolean; nsMsg?: string; polOk: boolean; polMsg?: string; data?: DataBranchStatus[]; forks: { workload: string; renderError?: string; service?: string; ports?: number[] }[] }> {
    const ns = await this.d.applier.apply(renderNamespace(ctx));
    if (ns.metadata?.deletionTimestamp) {
      return { nsOk: false, nsMsg: `the namespace ${ctx.namespace} is still being deleted`, polOk: false, forks: [] };
    }
    let polOk = true;
    let polMsg: string | undefined;
    try {
      const pg = this.d.config.postgres;
      const dataPolicy = dataBranches(forkSpecs).length > 0 && pg.egressCidr && pg.egressPort ? [renderDataNetworkPolicy(ctx, pg.egressCidr, pg.egressPort)] : [];
      for (const obj of [renderQuota(ctx, await this.replacementRoom(ctx)), renderLimitRange(ctx, this.d.config), ...renderNetworkPolicies(ctx), ...dataPolicy, renderOwnerRbac(ctx)]) await this.d.applier.apply(obj);
      await this.d.applier.createOnce(renderAgentSecret(ctx, randomBytes(32).toString('hex')));
    } catch (e) {
      polOk = false;
      polMsg = e instanceof Error ? e.message : String(e);
    }
    // data before forks: a fork's pod needs its data Secret to start
    const data = polOk ? await ensureData() : [];
    const forks = polOk ? await Promise.all(forkSpecs.map((f) => this.applyFork(ctx, f, data.find((b) => b.baseline === f.data?.postgres?.database)?.branchedAt))) : forkSpecs.map((f) => ({ workload: f.workload, renderError: 'waiting for the slice policies' }));
    if (polOk) await this.pruneForks(ctx, new Set(forkSpecs.map((f) => f.workload)));
    return { nsOk: true, polOk, ...(polMsg ? { polMsg } : {}), ...(data.length > 0 ? { data } : {}), forks };
  }

  /** `dataRevision`: when the fork's database was last branched (a new branch has a new password: the pods restart to read it). */
  private async applyFork(ctx: SliceContext, fork: SliceObject['spec']['forks'][number], dataRevision: string | undefined): Promise<{ workload: string; renderError?: string; service?: string; ports?: number[] }> {
    let dep: k8s.V1Deployment;
    try {
      dep = await this.apps.readNamespacedDeployment({ name: fork.workload, namespace: ctx.baseline });
    } catch (e) {
      const why = isNotFound(e) ? `baseline ${ctx.baseline} has no Deployment ${fork.workload}` : `cannot read baseline Deployment ${ctx.baseline}/${fork.workload}: ${apiMessage(e)}`;
      return { workload: fork.workload, renderError: why };
    }
    let svc: k8s.V1Service | undefined;
    try {
      svc = await this.core.readNamespacedService({ name: fork.workload, namespace: ctx.baseline });
    } catch (e) {
      if (!isNotFound(e)) throw e;
    }
    const r = renderFork(toWire<Deployment>({ apiVersion: 'apps/v1', kind: 'Deployment', ...dep }), svc ? toWire<Service>({ apiVersion: 'v1', kind: 'Service', ...svc }) : undefined, fork, ctx, { agentImage: this.d.config.agentImage, gracePeriodSeconds: this.d.config.forkGracePeriodSeconds, ...(dataRevision ? { dataRevision } : {}) });
    if (!r.ok) return { workload: fork.workload, renderError: r.message };
    const extra = r.service ? { service: r.service.metadata.name, ports: (svc?.spec?.ports ?? []).map((p) => p.port) } : {};
    try {
      await this.d.applier.apply(r.deployment);
      if (r.service) await this.d.applier.apply(r.service);
    } catch (e) {
      return { workload: fork.workload, renderError: e instanceof Error ? e.message : String(e), ...extra };
    }
    return { workload: fork.workload, ...extra };
  }

  /**
   * Quota room for the replacements of fork pods that are terminating, and only while they are: a
   * replaced pod's successor is not refused while the old one still counts, and the quota keeps
   * bounding the forks themselves (the pod informer reconciles as a pod starts and ends terminating).
   */
  private async replacementRoom(ctx: SliceContext): Promise<QuotaRoom> {
    const pods = await this.core.listNamespacedPod({ namespace: ctx.namespace, labelSelector: FORK_SELECTOR });
    const leaving = pods.items.filter((p) => p.metadata?.deletionTimestamp && !['Succeeded', 'Failed'].includes(p.status?.phase ?? ''));
    return replacementRoom(leaving.flatMap((p) => toWire<{ spec?: PodSpec }>({ apiVersion: 'v1', kind: 'Pod', ...p }).spec ?? []), this.d.config.containerDefaults);
  }

  /** Deletes forks that are no longer in the spec. */
  private async pruneForks(ctx: SliceContext, keep: ReadonlySet<string>): Promise<void> {
    const deps = await this.apps.listNamespacedDeployment({ namespace: ctx.namespace, labelSelector: FORK_SELECTOR });
    for (const d of deps.items) {
      const w = d.metadata?.labels?.[LABEL_FORK];
      if (!w || keep.has(w) || !d.metadata?.name) continue;
      this.d.log(`slice ${ctx.objectName}: removing fork ${w} (no longer in the spec)`);
      await this.apps.deleteNamespacedDeployment({ name: d.metadata.name, namespace: ctx.namespace }).catch((e: unknown) => { if (!isNotFound(e)) throw e; });
      await this.core.deleteNamespacedService({ name: d.metadata.name, namespace: ctx.namespace }).catch((e: unknown) => { if (!isNotFound(e)) throw e; });
    }
  }

  private async status(slice: SliceObject, base: SliceStatus, p: Awaited<ReturnType<Reconciler['provision']>>, ctx: SliceContext): Promise<SliceStatus> {
    const observed = p.nsOk ? await this.d.observer.observe(ctx.namespace, p.forks) : [];
    const forks = observed.map(deriveForkStatus);
    const o: SliceObservation = {
      namespaceReady: p.nsOk,
      ...(p.nsMsg ? { namespaceMessage: p.nsMsg } : {}),
      policiesReady: p.polOk,
      ...(p.polMsg ? { policiesMessage: p.polMsg } : {}),
      forks,
    };
    const derived = deriveConditions(o, slice.status?.conditions, rfc3339(this.now()), slice.metadata.generation);
    const { phase, conditions } = withDataCondition(derived, p.data ?? [], slice.status?.conditions, rfc3339(this.now()), slice.metadata.generation);
    return { ...base, phase, conditions, forks, ...(p.data ? { data: p.data } : {}) };
  }

  private async refuse(slice: SliceObject, base: SliceStatus, reason: string, message: string, requeueAfterMs: number): Promise<ReconcileResult> {
    const { phase, conditions } = deriveConditions({ refused: { reason, message }, forks: [] }, slice.status?.conditions, rfc3339(this.now()), slice.metadata.generation);
    await this.writeStatus(slice, { ...base, phase, conditions, forks: [] });
    return { requeueAfterMs: Math.max(1000, requeueAfterMs) };
  }

  /** Writes the status only when it differs (so a no-op reconcile changes no resourceVersion). */
  private async writeStatus(slice: SliceObject, status: SliceStatus): Promise<void> {
    if (JSON.stringify(normalize(slice.status)) === JSON.stringify(normalize(status))) return;
    await this.d.slices.patchStatus(slice.metadata.name, status);
  }

  private async finalize(slice: SliceObject): Promise<ReconcileResult> {
    const computed = sliceContext(slice, '', effectiveQuota(undefined, this.d.config));
    const ns = slice.status?.namespace ?? ('error' in computed ? undefined : computed.namespace);
    if (slice.status?.phase !== 'Terminating') {
      await this.writeStatus(slice, { ...slice.status, phase: 'Terminating' }).catch(() => undefined);
    }
    if (ns) {
      try {
        const cur = await this.core.readNamespace({ name: ns });
        if (cur.metadata?.labels?.[LABEL_MANAGED_BY] === FIELD_MANAGER) {
          if (!cur.metadata.deletionTimestamp) {
            this.d.log(`slice ${slice.metadata.name} deleted: deleting namespace ${ns}`);
            await this.core.deleteNamespace({ name: ns });
          }
          return { requeueAfterMs: 1000 };
        }
      } catch (e) {
        if (!isNotFound(e)) throw e;
      }
    }
    if (this.d.data && DataReconciler.declares(slice)) {
      try {
        await this.d.data.drop(slice.metadata.name, slice.metadata.uid ?? '');
      } catch (e) {
        // the slice stays until its data is dropped: say why on it, where the developer looks (retried with backoff)
        const why = e instanceof Error ? e.message : String(e);
        const message = `its data is not dropped yet: ${why}. The slice is deleted once it is (if a platform admin removes the finalizer ${SLICE_FINALIZER} first, the controller's sweeper drops the data once the server answers).`;
        const conditions = replaceCondition(slice.status?.conditions, 'DataReady', 'False', 'DropPending', message, rfc3339(this.now()));
        await this.writeStatus(slice, { ...slice.status, phase: 'Terminating', conditions }).catch(() => undefined);
        throw e;
      }
    }
    await this.d.slices.removeFinalizer(slice);
    return {};
  }
}

function toRef(s: SliceObject): SliceRef {
  const ct = s.metadata.creationTimestamp as string | Date | undefined;
  return { name: s.metadata.name, owner: s.spec.owner, creationTimestamp: ct instanceof Date ? ct.toISOString() : ct, deleting: !!s.metadata.deletionTimestamp };
}

/** Status as JSON with keys sorted, for comparison. */
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

