/**
 * Room in a slice's quota for one replacement pod per fork. A deleted (or evicted, rescheduled)
 * fork pod's replacement is created while the old pod still terminates, and a terminating pod
 * counts in the quota until it is gone: with a quota the forks fill, the replacement is refused
 * until then — a forked app that ignores SIGTERM holds it for its whole grace period. The room is
 * what one pod of each fork asks for, as the LimitRange defaults fill in what its containers omit.
 */
import { type Container, type PodSpec } from './k8sTypes';
import { parseQuantity } from './manifests';
import { type SlicePlatformConfig } from './platformConfig';

/** Millicores and bytes, requests and limits, and a pod count. */
export interface QuotaRoom {
  readonly requestsCpu: number;
  readonly limitsCpu: number;
  readonly requestsMemory: number;
  readonly limitsMemory: number;
  readonly pods: number;
}

export const NO_ROOM: QuotaRoom = { requestsCpu: 0, limitsCpu: 0, requestsMemory: 0, limitsMemory: 0, pods: 0 };

type Defaults = SlicePlatformConfig['containerDefaults'];

function amount(q: string | undefined, fallback: string, scale: number): number {
  return Math.ceil((parseQuantity(q ?? fallback) ?? parseQuantity(fallback) ?? 0) * scale);
}

/** What one container asks for once the API's and the LimitRange's defaults apply. */
function containerUse(c: Container, d: Defaults): QuotaRoom {
  const limits = c.resources?.limits ?? {};
  const requests = c.resources?.requests ?? {};
  const limitsCpu = amount(limits.cpu, d.cpu, 1000);
  const limitsMemory = amount(limits.memory, d.memory, 1);
  // A container with a limit and no request requests its limit; with neither, the LimitRange's request.
  const requestsCpu = amount(requests.cpu ?? limits.cpu, d.cpuRequest, 1000);
  const requestsMemory = amount(requests.memory ?? limits.memory, d.memoryRequest, 1);
  return { requestsCpu, limitsCpu, requestsMemory, limitsMemory, pods: 1 };
}

const add = (a: QuotaRoom, b: QuotaRoom): QuotaRoom => ({ requestsCpu: a.requestsCpu + b.requestsCpu, limitsCpu: a.limitsCpu + b.limitsCpu, requestsMemory: a.requestsMemory + b.requestsMemory, limitsMemory: a.limitsMemory + b.limitsMemory, pods: a.pods + b.pods });
const max = (a: QuotaRoom, b: QuotaRoom): QuotaRoom => ({ requestsCpu: Math.max(a.requestsCpu, b.requestsCpu), limitsCpu: Math.max(a.limitsCpu, b.limitsCpu), requestsMemory: Math.max(a.requestsMemory, b.requestsMemory), limitsMemory: Math.max(a.limitsMemory, b.limitsMemory), pods: Math.max(a.pods, b.pods) });

/** What one pod asks for in the quota: its containers together, or its largest init container, whichever is more. */
export function podUse(spec: PodSpec, d: Defaults): QuotaRoom {
  const running = spec.containers.map((c) => containerUse(c, d)).reduce(add, NO_ROOM);
  const init = (spec.initContainers ?? []).map((c) => containerUse(c, d)).reduce(max, NO_ROOM);
  return { ...max(running, init), pods: 1 };
}

/** Room for one replacement of each fork's pod. */
export function replacementRoom(forkPods: readonly PodSpec[], d: Defaults): QuotaRoom {
  return forkPods.map((p) => podUse(p, d)).reduce(add, NO_ROOM);
}
