import { CustomObjectsApi } from '@kubernetes/client-node';
import { type KubeContext } from '../../core/cluster/environments';
import { ClusterProblemError } from '../../core/cluster/environmentsModel';
import { type PodMetricsRead, parsePodMetricsList } from '../../core/cluster/podResources';
import { type KubeClients } from './kubeClients';
import { withSignal } from './requestOptions';

/**
 * The CPU and memory of a namespace's pods from the resource metrics API (metrics.k8s.io/v1beta1,
 * served by metrics-server), read with the user's credentials: a slice's owner holds
 * pods.metrics.k8s.io get/list in the slice namespace (ClusterRole slice:owner), nobody cluster-wide.
 */
export class PodMetricsClient {
  constructor(private readonly clients: KubeClients) {}

  /** A metrics API that is not served, or not open to the user, is an answer here, not an error. */
  async read(context: KubeContext, namespace: string, signal?: AbortSignal): Promise<PodMetricsRead> {
    const api = this.clients.api(context, CustomObjectsApi);
    try {
      const body: unknown = await this.clients.request(context, `read the pod metrics of ${namespace}`, signal, (s) =>
        api.listNamespacedCustomObject({ group: 'metrics.k8s.io', version: 'v1beta1', namespace, plural: 'pods' }, withSignal(s)),
      );
      return { kind: 'ok', pods: new Map(parsePodMetricsList(body).map((p) => [p.pod, p])) };
    } catch (e) {
      if (!(e instanceof ClusterProblemError)) throw e;
      // 404: no metrics.k8s.io; 503: its APIService is registered but metrics-server does not answer.
      if (e.problem.kind === 'notFound' || e.problem.kind === 'server') return { kind: 'unavailable', detail: e.problem.message };
      if (e.problem.kind === 'forbidden') return { kind: 'forbidden', detail: e.problem.message };
      throw e;
    }
  }
}
