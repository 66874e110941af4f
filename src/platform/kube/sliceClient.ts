import { AuthenticationV1Api, CoreV1Api, CustomObjectsApi, PatchStrategy, setHeaderOptions } from '@kubernetes/client-node';
import { type KubeContext } from '../../core/cluster/environments';
import { type QuotaUse } from '../../core/cluster/quotaUse';
import { SLICE_API_VERSION, SLICE_GROUP, SLICE_KIND, SLICE_PLURAL, SLICE_VERSION, type SliceObject, type SliceSpec } from '../../core/slice/sliceResource';
import { type KubeClients } from './kubeClients';
import { PlatformLimitsClient } from './platformLimitsClient';
import { type PlatformLimits } from '../../core/slice/limits';
import { withSignal } from './requestOptions';

export interface PodSummary {
  readonly name: string;
  readonly phase: string;
  readonly ready: boolean;
  readonly restarts: number;
  readonly workload: string | undefined;
  /** Why it is not running, e.g. "ImagePullBackOff: …", when it is not. */
  readonly reason: string | undefined;
}

/**
 * The developer's view of Slices, with the developer's own credentials: create, read, extend and
 * delete their Slice resources, and read the pods and quota use of a slice namespace.
 */
export class SliceClient {
  constructor(private readonly clients: KubeClients) {}

  /** The user name the cluster sees for this context (SelfSubjectReview). */
  async whoAmI(context: KubeContext, signal?: AbortSignal): Promise<{ username: string; groups: readonly string[] }> {
    const api = this.clients.api(context, AuthenticationV1Api);
    const review = await this.clients.request(context, 'find out who you are (SelfSubjectReview)', signal, (s) => api.createSelfSubjectReview({ body: { apiVersion: 'authentication.k8s.io/v1', kind: 'SelfSubjectReview' } }, withSignal(s)));
    const user = review.status?.userInfo;
    if (!user?.username) throw new Error('The cluster did not say who you are (SelfSubjectReview returned no user).');
    return { username: user.username, groups: user.groups ?? [] };
  }

  async list(context: KubeContext, signal?: AbortSignal): Promise<SliceObject[]> {
    const api = this.clients.api(context, CustomObjectsApi);
    const list = (await this.clients.request(context, 'list slices', signal, (s) => api.listClusterCustomObject({ group: SLICE_GROUP, version: SLICE_VERSION, plural: SLICE_PLURAL }, withSignal(s)))) as { items?: SliceObject[] };
    return list.items ?? [];
  }

  async get(context: KubeContext, name: string, signal?: AbortSignal): Promise<SliceObject> {
    const api = this.clients.api(context, CustomObjectsApi);
    return (await this.clients.request(context, `read slice ${name}`, signal, (s) => api.getClusterCustomObject({ group: SLICE_GROUP, version: SLICE_VERSION, plural: SLICE_PLURAL, name }, withSignal(s)))) as SliceObject;
  }

  async create(context: KubeContext, name: string, spec: SliceSpec, signal?: AbortSignal): Promise<SliceObject> {
    const api = this.clients.api(context, CustomObjectsApi);
    const body: SliceObject = { apiVersion: SLICE_API_VERSION, kind: SLICE_KIND, metadata: { name }, spec };
    return (await this.clients.request(context, `create slice ${name}`, signal, (s) => api.createClusterCustomObject({ group: SLICE_GROUP, version: SLICE_VERSION, plural: SLICE_PLURAL, body }, withSignal(s)))) as SliceObject;
  }

  async delete(context: KubeContext, name: string, signal?: AbortSignal): Promise<void> {
    const api = this.clients.api(context, CustomObjectsApi);
    await this.clients.request(context, `delete slice ${name}`, signal, (s) => api.deleteClusterCustomObject({ group: SLICE_GROUP, version: SLICE_VERSION, plural: SLICE_PLURAL, name, propagationPolicy: 'Foreground' }, withSignal(s)));
  }

  /** Moves the expiry (a JSON merge patch of spec.expiresAt; admission caps how far). */
  async setExpiry(context: KubeContext, name: string, expiresAt: Date, signal?: AbortSignal): Promise<SliceObject> {
    const api = this.clients.api(context, CustomObjectsApi);
    const body = { spec: { expiresAt: expiresAt.toISOString() } };
    return (await this.clients.request(context, `extend slice ${name}`, signal, (s) =>
      api.patchClusterCustomObject({ group: SLICE_GROUP, version: SLICE_VERSION, plural: SLICE_PLURAL, name, body }, setHeaderOptions('Content-Type', PatchStrategy.MergePatch, withSignal(s))),
    )) as SliceObject;
  }

  /** Reset Data from Baseline: a new spec.dataResetToken makes the controller drop and re-branch the slice's databases. */
  async resetData(context: KubeContext, name: string, token: string, signal?: AbortSignal): Promise<SliceObject> {
    const api = this.clients.api(context, CustomObjectsApi);
    const body = { spec: { dataResetToken: token } };
    return (await this.clients.request(context, `reset the data of slice ${name}`, signal, (s) =>
      api.patchClusterCustomObject({ group: SLICE_GROUP, version: SLICE_VERSION, plural: SLICE_PLURAL, name, body }, setHeaderOptions('Content-Type', PatchStrategy.MergePatch, withSignal(s))),
    )) as SliceObject;
  }

  /** The platform's limits (the controller's ConfigMap, readable by developers). */
  platformLimits(context: KubeContext, signal?: AbortSignal): Promise<PlatformLimits> {
    return new PlatformLimitsClient(this.clients).read(context, signal);
  }

  async pods(context: KubeContext, namespace: string, signal?: AbortSignal): Promise<PodSummary[]> {
    const api = this.clients.api(context, CoreV1Api);
    const list = await this.clients.request(context, `list pods in ${namespace}`, signal, (s) => api.listNamespacedPod({ namespace }, withSignal(s)));
    return list.items.map((p) => {
      const statuses = p.status?.containerStatuses ?? [];
      const waiting = [...(p.status?.initContainerStatuses ?? []), ...statuses].map((c) => c.state?.waiting).find((w) => w?.reason);
      return {
        name: p.metadata?.name ?? '',
        phase: p.metadata?.deletionTimestamp ? 'Terminating' : (p.status?.phase ?? 'Unknown'),
        ready: statuses.length > 0 && statuses.every((c) => c.ready),
        restarts: statuses.reduce((n, c) => n + (c.restartCount ?? 0), 0),
        workload: p.metadata?.labels?.['slice.dev/fork'] ?? p.metadata?.labels?.['app.kubernetes.io/name'] ?? p.metadata?.labels?.app,
        reason: waiting ? `${waiting.reason}${waiting.message ? `: ${waiting.message}` : ''}` : undefined,
      };
    });
  }

  async quota(context: KubeContext, namespace: string, signal?: AbortSignal): Promise<QuotaUse[]> {
    const api = this.clients.api(context, CoreV1Api);
    const list = await this.clients.request(context, `read the quota of ${namespace}`, signal, (s) => api.listNamespacedResourceQuota({ namespace }, withSignal(s)));
    const out: QuotaUse[] = [];
    for (const q of list.items) {
      for (const [resource, hard] of Object.entries(q.status?.hard ?? {})) out.push({ resource, hard, used: q.status?.used?.[resource] ?? '0' });
    }
    return out;
  }
}
