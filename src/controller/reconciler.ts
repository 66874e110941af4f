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
import {
  AGENT_TOKEN_SECRET, FIELD_MANAGER, LABEL_FORK, LABEL_MANAGED_BY, type SliceContext, renderAgentSecret,
  renderDataNetworkPolicy, renderLimitRange, renderNamespace, renderNetworkPolicies, renderOwnerRbac, renderQuota,
} from '../core/slice/manifests';
import {
  type BaselineObservation, type NamespaceObservation, finalizeNamespace, planAdmission, planBaseline, planFinalize, planPrune, planRequeue, statusChanged,
} from '../core/slice/reconcilePlan';
import { type Deployment, type PodSpec, type Service } from '../core/slice/k8sTypes';
import { type QuotaRoom, replacementRoom } from '../core/slice/quotaRoom';
import { type SlicePlatformConfig } from '../core/slice/platformConfig';
import { type DataBranchStatus, type SliceObject, type SliceStatus } from '../core/slice/sliceResource';
import { rfc3339 } from '../core/slice/ttl';
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
/** The fork Deployments and pods the controller made in a slice namespace. */
const FORK_SELECTOR = `${LABEL_MANAGED_BY}=${FIELD_MANAGER},${LABEL_FORK}`;

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

    const plan = planAdmission(slice, this.d.allSlices(), this.now(), this.d.config);
    if (plan.writeExpiry) {
      if (plan.note) this.d.log(`slice ${name}: ${plan.note}`);
      slice = await this.d.slices.setExpiresAt(name, plan.expiresAt);
    }
    if (plan.kind === 'expire') {
      this.d.log(`slice ${name} expired at ${plan.expiresAt}: deleting it`);
      await this.writeStatus(slice, {
        ...slice.status,
        phase: 'Expired',
        expiresAt: plan.expiresAt,
        conditions: replaceCondition(slice.status?.conditions, 'Expired', 'True', 'TTLExpired', `the slice expired at ${plan.expiresAt}`, rfc3339(this.now())),
      });
      await this.d.slices.delete(name);
      return {};
    }
    if (plan.kind === 'refuse') return this.refuse(slice, plan.status, plan.reason, plan.message, plan.requeueAfterMs);
    const { ctx } = plan;

    const baseline = await this.readBaseline(ctx.baseline);
    const problem = planBaseline(ctx.baseline, baseline, LABEL_ROLE, plan.untilExpiryMs);
    if (problem) return this.refuse(slice, plan.status, 'BaselineNotFound', problem.problem, problem.requeueAfterMs);

    const obs = await this.provision(ctx, slice.spec.forks, async () => (this.d.data ? this.d.data.ensure(slice, ctx, baseline.declared) : []));
    const status = await this.status(slice, { ...plan.status, agentTokenSecret: AGENT_TOKEN_SECRET }, obs, ctx);
    await this.writeStatus(slice, status);
    return { requeueAfterMs: planRequeue(status.phase, plan.untilExpiryMs, this.d.data?.retryAfterMs(name)) };
  }

  /** The baseline namespace: whether it exists and is labelled a baseline, and the databases it declares for branching. */
  private async readBaseline(baseline: string): Promise<BaselineObservation & { declared: string[] }> {
    try {
      const ns = await this.core.readNamespace({ name: baseline });
      const labels = ns.metadata?.labels ?? {};
      return { exists: true, isBaseline: labels[LABEL_ROLE] === 'baseline', declared: declaredDatabases({ labels, ...(ns.metadata?.annotations ? { annotations: ns.metadata.annotations } : {}) }) };
    } catch (e) {
      if (isNotFound(e)) return { exists: false, declared: [] };
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
    if (polOk) await this.pruneForks(ctx, forkSpecs);
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

  /** Deletes the forks that have left the spec, with their Services. */
  private async pruneForks(ctx: SliceContext, spec: readonly { workload: string }[]): Promise<void> {
    const deps = await this.apps.listNamespacedDeployment({ namespace: ctx.namespace, labelSelector: FORK_SELECTOR });
    for (const name of planPrune(deps.items.map((d) => ({ name: d.metadata?.name, fork: d.metadata?.labels?.[LABEL_FORK] })), spec)) {
      this.d.log(`slice ${ctx.objectName}: removing fork ${name} (no longer in the spec)`);
      await this.apps.deleteNamespacedDeployment({ name, namespace: ctx.namespace }).catch((e: unknown) => { if (!isNotFound(e)) throw e; });
      await this.core.deleteNamespacedService({ name, namespace: ctx.namespace }).catch((e: unknown) => { if (!isNotFound(e)) throw e; });
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
    if (!statusChanged(slice.status, status)) return;
    await this.d.slices.patchStatus(slice.metadata.name, status);
  }

  /** The slice namespace, and whether the controller made it (a same-named namespace someone else labelled is not ours to delete). */
  private async readOwnNamespace(name: string): Promise<NamespaceObservation> {
    try {
      const cur = await this.core.readNamespace({ name });
      return { exists: true, ours: cur.metadata?.labels?.[LABEL_MANAGED_BY] === FIELD_MANAGER, deleting: !!cur.metadata?.deletionTimestamp };
    } catch (e) {
      if (isNotFound(e)) return { exists: false };
      throw e;
    }
  }

  private async finalize(slice: SliceObject): Promise<ReconcileResult> {
    if (slice.status?.phase !== 'Terminating') {
      await this.writeStatus(slice, { ...slice.status, phase: 'Terminating' }).catch(() => undefined);
    }
    const ns = finalizeNamespace(slice, this.d.config);
    const step = planFinalize(ns, ns ? await this.readOwnNamespace(ns) : { exists: false }, !!this.d.data && DataReconciler.declares(slice));
    if (step.kind === 'deleteNamespace') {
      this.d.log(`slice ${slice.metadata.name} deleted: deleting namespace ${step.namespace}`);
      await this.core.deleteNamespace({ name: step.namespace });
      return { requeueAfterMs: 1000 };
    }
    if (step.kind === 'waitForNamespace') return { requeueAfterMs: 1000 };
    if (step.kind === 'dropData' && this.d.data) {
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
