/** Reads what the forks of a slice look like now (Deployments, ReplicaSets, pods, events). */
import * as k8s from '@kubernetes/client-node';
import { type ForkObservation } from '../core/slice/conditions';
import { LABEL_FORK, LABEL_MANAGED_BY, FIELD_MANAGER } from '../core/slice/manifests';
import { type KubeEvent } from '../core/slice/k8sTypes';

export class ForkObserver {
  private readonly core: k8s.CoreV1Api;
  private readonly apps: k8s.AppsV1Api;

  constructor(kc: k8s.KubeConfig) {
    this.core = kc.makeApiClient(k8s.CoreV1Api);
    this.apps = kc.makeApiClient(k8s.AppsV1Api);
  }

  async observe(namespace: string, forks: readonly { workload: string; renderError?: string; service?: string; ports?: readonly number[] }[]): Promise<ForkObservation[]> {
    const labelSelector = `${LABEL_MANAGED_BY}=${FIELD_MANAGER}`;
    const [deps, rss, pods, events] = await Promise.all([
      this.apps.listNamespacedDeployment({ namespace, labelSelector }),
      this.apps.listNamespacedReplicaSet({ namespace, labelSelector }),
      this.core.listNamespacedPod({ namespace, labelSelector }),
      this.core.listNamespacedEvent({ namespace }),
    ]);
    return forks.map((f): ForkObservation => {
      const extra = { ...(f.service ? { service: f.service } : {}), ...(f.ports ? { ports: f.ports } : {}) };
      if (f.renderError) return { workload: f.workload, renderError: f.renderError, ...extra };
      const deployment = deps.items.find((d) => d.metadata?.name === f.workload);
      const mine = (o: k8s.V1ObjectMeta | undefined) => o?.labels?.[LABEL_FORK] === f.workload;
      const replicaSets = rss.items.filter((r) => mine(r.metadata) && (r.spec?.replicas ?? 0) > 0);
      const rsNames = new Set(replicaSets.map((r) => r.metadata?.name));
      const forkPods = pods.items.filter((p) => mine(p.metadata) && !p.metadata?.deletionTimestamp);
      const podNames = new Set(forkPods.map((p) => p.metadata?.name));
      const forkEvents: KubeEvent[] = events.items
        .filter((e) => (e.involvedObject.kind === 'ReplicaSet' && rsNames.has(e.involvedObject.name)) || (e.involvedObject.kind === 'Pod' && podNames.has(e.involvedObject.name)))
        .sort((a, b) => time(a) - time(b));
      return { workload: f.workload, ...(deployment ? { deployment } : {}), replicaSets, pods: forkPods, events: forkEvents, ...extra };
    });
  }
}

function time(e: k8s.CoreV1Event): number {
  const t = e.lastTimestamp ?? e.eventTime ?? e.firstTimestamp;
  return t ? new Date(t).getTime() : 0;
}
