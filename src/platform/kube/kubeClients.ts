import { type ApiConstructor, type ApiType, KubeConfig } from '@kubernetes/client-node';
import { classifyRequestFailure } from '../../core/cluster/clusterProblem';
import { type KubeContext } from '../../core/cluster/environments';
import { ClusterProblemError } from '../../core/cluster/environmentsModel';
import { deadline } from './requestOptions';
import { toRequestFailure } from './requestFailure';

/** Makes API clients for one context of the loaded kubeconfig, and runs requests with a deadline. */
export class KubeClients {
  constructor(
    private readonly kubeconfig: () => KubeConfig | undefined,
    private readonly timeoutMs: () => number,
  ) {}

  /** A KubeConfig whose current context is `context` (the shared one is never mutated). */
  configFor(context: KubeContext): KubeConfig {
    const base = this.kubeconfig();
    if (!base) throw new Error('The kubeconfig is not loaded.');
    const kc = new KubeConfig();
    kc.loadFromOptions({ clusters: base.getClusters(), users: base.getUsers(), contexts: base.getContexts(), currentContext: context.name });
    return kc;
  }

  api<T extends ApiType>(context: KubeContext, type: ApiConstructor<T>): T {
    return this.configFor(context).makeApiClient(type);
  }

  /**
   * Runs one request bounded by the configured timeout and the caller's signal; failures become
   * ClusterProblemError with a message that says what happened and what to do.
   */
  async request<T>(context: KubeContext, action: string, signal: AbortSignal | undefined, fn: (signal: AbortSignal) => Promise<T>): Promise<T> {
    const limit = deadline(signal ?? new AbortController().signal, this.timeoutMs());
    try {
      return await fn(limit.signal);
    } catch (e) {
      if (e instanceof ClusterProblemError) throw e;
      throw new ClusterProblemError(classifyRequestFailure(toRequestFailure(e, limit.timedOut()), { contextName: context.name, server: context.server, user: context.user, action }));
    }
  }
}
