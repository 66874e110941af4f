import { type ApiConstructor, type ApiType, CoreV1Api, KubeConfig, type V1Namespace } from '@kubernetes/client-node';
import { classifyRequestFailure } from '../../core/cluster/clusterProblem';
import { type KubeContext, type NamespaceInfo } from '../../core/cluster/environments';
import { ClusterProblemError, type ClusterPort } from '../../core/cluster/environmentsModel';
import { ENVIRONMENT_NAMESPACE_SELECTOR } from '../../core/cluster/labels';
import { deadline, withSignal } from './requestOptions';
import { toRequestFailure } from './requestFailure';

export interface ClusterClientOptions {
  /** The loaded kubeconfig to make clients from (re-read on each call: it may have been reloaded). */
  readonly kubeconfig: () => KubeConfig | undefined;
  readonly timeoutMs: () => number;
}

/**
 * Reads the environments of a cluster through the Kubernetes API with the user's own credentials.
 * Every request is bounded by a timeout and by the caller's abort signal.
 */
export class KubeClusterClient implements ClusterPort {
  constructor(private readonly options: ClusterClientOptions) {}

  async listEnvironmentNamespaces(context: KubeContext, signal: AbortSignal): Promise<NamespaceInfo[]> {
    const api = this.client(context, CoreV1Api);
    const limit = deadline(signal, this.options.timeoutMs());
    try {
      const list = await api.listNamespace({ labelSelector: ENVIRONMENT_NAMESPACE_SELECTOR }, withSignal(limit.signal));
      return list.items.map(toNamespaceInfo);
    } catch (e) {
      const failure = toRequestFailure(e, limit.timedOut());
      throw new ClusterProblemError(classifyRequestFailure(failure, { contextName: context.name, server: context.server, user: context.user, action: 'list namespaces' }));
    }
  }

  private client<T extends ApiType>(context: KubeContext, type: ApiConstructor<T>): T {
    const base = this.options.kubeconfig();
    if (!base) throw new Error('The kubeconfig is not loaded.');
    return cloneWithContext(base, context.name).makeApiClient(type);
  }
}

function cloneWithContext(base: KubeConfig, contextName: string): KubeConfig {
  const kc = new KubeConfig();
  kc.loadFromOptions({ clusters: base.getClusters(), users: base.getUsers(), contexts: base.getContexts(), currentContext: contextName });
  return kc;
}

function toNamespaceInfo(ns: V1Namespace): NamespaceInfo {
  return {
    name: ns.metadata?.name ?? '',
    labels: ns.metadata?.labels ?? {},
    annotations: ns.metadata?.annotations ?? {},
    ...(ns.status?.phase ? { phase: ns.status.phase } : {}),
    ...(ns.metadata?.creationTimestamp ? { createdAt: new Date(ns.metadata.creationTimestamp) } : {}),
  };
}
