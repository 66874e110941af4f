/**
 * Status of a slice derived from what the controller observed: per-fork readiness with the reason
 * in words (quota exceeded, image missing, Pod Security violation naming the container and field,
 * crash loops, scheduling), and the conditions/phase of the Slice.
 */
import { type Deployment, type KubeEvent, type Pod, type ReplicaSet } from './k8sTypes';
import { type ConditionStatus, type ForkStatus, type SliceCondition, type SliceConditionType, type SlicePhase } from './sliceResource';

const IMAGE_REASONS = new Set(['ErrImagePull', 'ImagePullBackOff', 'ErrImageNeverPull', 'InvalidImageName']);

/** "violates PodSecurity "restricted:latest": a (container "x" must ...), b (...)" → the must-clauses. */
export function explainPodSecurity(message: string): string | undefined {
  const at = message.indexOf('violates PodSecurity');
  if (at < 0) return undefined;
  const text = message.slice(at);
  const level = /violates PodSecurity "([^"]+)"/.exec(text)?.[1] ?? 'restricted';
  const clauses = [...text.matchAll(/\(((?:pod or )?containers? [^()]*?must[^()]*)\)/g)].map((m) => m[1] ?? '');
  const detail = clauses.length > 0 ? clauses.join('; ') : text.slice(text.indexOf(':') + 1).trim();
  return `Pod Security "${level.replace(/:latest$/, '')}" rejects the pod: ${detail}`;
}

/** "exceeded quota: q, requested: limits.memory=1Gi, used: limits.memory=1536Mi, limited: limits.memory=2Gi". */
export function explainQuota(message: string): string | undefined {
  const m = /exceeded quota: ([^,]+), requested: (.*?), used: (.*?), limited: ([^"]*?)(?:$|\s*"|\s*$)/.exec(message);
  if (m) return `quota exceeded: the pod asks for ${m[2]} while ${m[3]} is already used and the slice quota (${m[1]}) allows ${m[4]} — free resources in the slice or ask for a larger spec.resources`;
  const f = /must specify ([^"]+)$/.exec(message);
  if (f && message.includes('forbidden')) return `quota requires resources: ${f[1]} (the LimitRange should default them)`;
  if (message.includes('exceeded quota')) return `quota exceeded: ${message.slice(message.indexOf('exceeded quota'))}`;
  return undefined;
}

/** Why pods of a fork cannot be created: from ReplicaSet FailedCreate events and ReplicaFailure conditions. */
export function explainCreateFailure(message: string): string {
  return explainPodSecurity(message) ?? explainQuota(message) ?? message.replace(/^Error creating: /, 'pods cannot be created: ');
}

function explainPod(pod: Pod): string | undefined {
  const statuses = [...(pod.status?.initContainerStatuses ?? []), ...(pod.status?.containerStatuses ?? [])];
  for (const cs of statuses) {
    const w = cs.state?.waiting;
    if (!w?.reason) continue;
    if (IMAGE_REASONS.has(w.reason)) {
      return `image missing: "${cs.image ?? '?'}" of container "${cs.name}" is not on the node and cannot be pulled (${w.reason}) — build and import it into the cluster`;
    }
    if (w.reason === 'CrashLoopBackOff') {
      const last = cs.state?.terminated?.exitCode;
      return `container "${cs.name}" keeps crashing (CrashLoopBackOff, ${cs.restartCount ?? 0} restarts${last === undefined ? '' : `, exit code ${last}`}): see its logs`;
    }
    if (w.reason === 'CreateContainerConfigError' || w.reason === 'CreateContainerError' || w.reason === 'RunContainerError') {
      return `container "${cs.name}" cannot start (${w.reason}): ${w.message ?? ''}`.trim();
    }
  }
  const sched = pod.status?.conditions?.find((c) => c.type === 'PodScheduled' && c.status === 'False');
  if (sched?.message) return `pod cannot be scheduled: ${sched.message}`;
  return undefined;
}

export interface ForkObservation {
  readonly workload: string;
  /** Set when the fork could not even be rendered or applied (baseline missing, apply rejected). */
  readonly renderError?: string;
  readonly deployment?: Deployment;
  readonly replicaSets?: readonly ReplicaSet[];
  readonly pods?: readonly Pod[];
  /** Events of the fork's ReplicaSets and pods, newest last. */
  readonly events?: readonly KubeEvent[];
  readonly service?: string;
  readonly ports?: readonly number[];
}

export function deriveForkStatus(o: ForkObservation): ForkStatus {
  const replicas = o.deployment?.spec?.replicas ?? 1;
  const available = o.deployment?.status?.availableReplicas ?? 0;
  const extra = { ...(o.service ? { service: o.service } : {}), ...(o.ports?.length ? { ports: [...o.ports] } : {}) };
  if (o.renderError) return { workload: o.workload, ready: false, replicas, availableReplicas: 0, message: o.renderError, ...extra };
  const generation = o.deployment?.metadata?.generation;
  const upToDate = generation === undefined || (o.deployment?.status?.observedGeneration ?? 0) >= generation;
  const ready = upToDate && available >= replicas && (o.deployment?.status?.updatedReplicas ?? 0) >= replicas;
  if (ready) return { workload: o.workload, ready: true, replicas, availableReplicas: available, ...extra };
  return { workload: o.workload, ready: false, replicas, availableReplicas: available, message: explainFork(o, replicas, available), ...extra };
}

function explainFork(o: ForkObservation, replicas: number, available: number): string {
  if (!o.deployment) return 'the Deployment is not created yet';
  for (const pod of o.pods ?? []) {
    const why = explainPod(pod);
    if (why) return why;
  }
  for (const rs of o.replicaSets ?? []) {
    const failure = rs.status?.conditions?.find((c) => c.type === 'ReplicaFailure' && c.status === 'True');
    if (failure?.message) return explainCreateFailure(failure.message);
  }
  const failed = [...(o.events ?? [])].reverse().find((e) => e.reason === 'FailedCreate' && e.message);
  if (failed?.message && (o.pods ?? []).length < replicas) return explainCreateFailure(failed.message);
  const progress = o.deployment.status?.conditions?.find((c) => c.type === 'Progressing' && c.status === 'False');
  if (progress?.message) return `the rollout is stuck: ${progress.message}`;
  return `waiting for ${replicas - available} of ${replicas} replica${replicas === 1 ? '' : 's'} to become available`;
}

/** The conditions with the one of `type` replaced (appended when absent); its lastTransitionTime kept when its status did not change. */
export function replaceCondition(
  previous: readonly SliceCondition[] | undefined,
  type: SliceConditionType,
  status: ConditionStatus,
  reason: string,
  message: string,
  nowIso: string,
): SliceCondition[] {
  return [...(previous ?? []).filter((c) => c.type !== type), setCondition(previous, type, status, reason, message, nowIso)];
}

/** Keeps lastTransitionTime when a condition's status did not change. */
export function setCondition(
  previous: readonly SliceCondition[] | undefined,
  type: SliceConditionType,
  status: ConditionStatus,
  reason: string,
  message: string,
  nowIso: string,
  observedGeneration?: number,
): SliceCondition {
  const prev = previous?.find((c) => c.type === type);
  const lastTransitionTime = prev && prev.status === status ? prev.lastTransitionTime : nowIso;
  const c = { type, status, reason, message, lastTransitionTime };
  return observedGeneration === undefined ? c : { ...c, observedGeneration };
}

export interface SliceObservation {
  /** A reason the slice is refused altogether (SliceLimitExceeded, InvalidName, BaselineNotFound). */
  readonly refused?: { readonly reason: string; readonly message: string };
  readonly namespaceReady?: boolean;
  readonly namespaceMessage?: string;
  readonly policiesReady?: boolean;
  readonly policiesMessage?: string;
  readonly forks: readonly ForkStatus[];
}

export function deriveConditions(
  o: SliceObservation,
  previous: readonly SliceCondition[] | undefined,
  nowIso: string,
  generation?: number,
): { phase: SlicePhase; conditions: SliceCondition[] } {
  const set = (t: SliceConditionType, ok: boolean, reason: string, msg: string) => setCondition(previous, t, ok ? 'True' : 'False', reason, msg, nowIso, generation);
  if (o.refused) {
    const c = set('Ready', false, o.refused.reason, o.refused.message);
    return { phase: 'Failed', conditions: [set('NamespaceReady', false, o.refused.reason, o.refused.message), c] };
  }
  const ns = set('NamespaceReady', !!o.namespaceReady, o.namespaceReady ? 'Created' : 'NamespaceFailed', o.namespaceMessage ?? (o.namespaceReady ? 'the slice namespace exists with its labels' : 'the namespace is not ready'));
  const pol = set('PoliciesReady', !!o.policiesReady, o.policiesReady ? 'Applied' : 'PolicyFailed', o.policiesMessage ?? (o.policiesReady ? 'quota, limits, network policies, RBAC and agent token are in place' : 'policies are not applied'));
  const notReady = o.forks.filter((f) => !f.ready);
  const forksOk = notReady.length === 0;
  const forkMsg = forksOk
    ? o.forks.length === 0 ? 'no workloads are forked' : `${o.forks.length} fork${o.forks.length === 1 ? '' : 's'} ready: ${o.forks.map((f) => f.workload).join(', ')}`
    : notReady.map((f) => `${f.workload}: ${f.message ?? 'not ready'}`).join('; ');
  const failedHard = notReady.some((f) => /^(Pod Security|quota|image missing|baseline|container ".*" keeps crashing)/.test(f.message ?? ''));
  const forks = set('ForksReady', forksOk, forksOk ? 'ForksAvailable' : failedHard ? 'ForkFailed' : 'ForksProgressing', forkMsg);
  const all = !!o.namespaceReady && !!o.policiesReady && forksOk;
  const readyMsg = all ? 'the slice is ready' : [ns, pol, forks].filter((c) => c.status !== 'True').map((c) => c.message).join('; ');
  const ready = set('Ready', all, all ? 'Ready' : [ns, pol, forks].find((c) => c.status !== 'True')?.reason ?? 'NotReady', readyMsg);
  const phase: SlicePhase = all ? 'Ready' : failedHard ? 'Failed' : 'Provisioning';
  return { phase, conditions: [ns, pol, forks, ready] };
}
