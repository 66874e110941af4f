import { CoreV1Api, type V1Namespace } from '@kubernetes/client-node';
import { type KubeContext, type NamespaceInfo } from '../../core/cluster/environments';
import { ClusterProblemError, type ClusterPort } from '../../core/cluster/environmentsModel';
import { type SliceObject } from '../../core/slice/sliceResource';
import { SliceClient } from './sliceClient';
import { ENVIRONMENT_NAMESPACE_SELECTOR } from '../../core/cluster/labels';
import { type KubeClients } from './kubeClients';
import { withSignal } from './requestOptions';

/**
 * Reads the environments of a cluster through the Kubernetes API with the user's own credentials.
 * Every request is bounded by a timeout and by the caller's abort signal.
 */
export class KubeClusterClient implements ClusterPort {
  private readonly slices: SliceClient;

  constructor(private readonly clients: KubeClients) {
    this.slices = new SliceClient(clients);
  }

  /** Slices the user may list; undefined (not an error) when the Slice CRD is not installed. */
  async listSlices(context: KubeContext, signal: AbortSignal): Promise<SliceObject[]> {
    try {
      return await this.slices.list(context, signal);
    } catch (e) {
      if (e instanceof ClusterProblemError && e.problem.kind === 'notFound') return Promise.reject(new Error('the Slice platform bundle is not installed'));
      throw e;
    }
  }

  async whoAmI(context: KubeContext, signal: AbortSignal): Promise<string | undefined> {
    return (await this.slices.whoAmI(context, signal)).username;
  }

  async listEnvironmentNamespaces(context: KubeContext, signal: AbortSignal): Promise<NamespaceInfo[]> {
    const api = this.clients.api(context, CoreV1Api);
    const list = await this.clients.request(context, 'list namespaces', signal, (s) => api.listNamespace({ labelSelector: ENVIRONMENT_NAMESPACE_SELECTOR }, withSignal(s)));
    return list.items.map(toNamespaceInfo);
  }
}

/** A namespace as Slice needs it (with its resourceVersion, for watches). */
export function toNamespaceInfo(ns: V1Namespace): NamespaceInfo & { readonly resourceVersion?: string } {
  return {
    name: ns.metadata?.name ?? '',
    ...(ns.metadata?.resourceVersion ? { resourceVersion: ns.metadata.resourceVersion } : {}),
    labels: ns.metadata?.labels ?? {},
    annotations: ns.metadata?.annotations ?? {},
    ...(ns.status?.phase ? { phase: ns.status.phase } : {}),
    ...(ns.metadata?.creationTimestamp ? { createdAt: new Date(ns.metadata.creationTimestamp) } : {}),
  };
}
