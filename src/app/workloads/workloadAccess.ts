import { type KubeContext } from '../../core/cluster/environments';
import { type HttpAnswer } from '../../core/cluster/requestLine';
import { type PodInfo, type WorkloadSummary } from '../../core/cluster/workloadSummary';

/**
 * What the editor asks of a namespace's workloads, with the developer's own credentials: its
 * Deployments and pods, a pod's log, one HTTP request to a pod through a port-forward.
 * Implemented by `WorkloadClient` (src/platform/kube/workloads.ts); the composition root hands it
 * to the commands of src/vscode, which never see the Kubernetes client.
 */
export interface WorkloadAccess {
  workloads(context: KubeContext, namespace: string, signal?: AbortSignal): Promise<{ workloads: WorkloadSummary[]; pods: PodInfo[] }>;
  pods(context: KubeContext, namespace: string, signal?: AbortSignal): Promise<PodInfo[]>;
  podLog(context: KubeContext, namespace: string, pod: string, container: string | undefined, tailLines: number, signal?: AbortSignal): Promise<string>;
  httpRequest(context: KubeContext, namespace: string, pod: string, port: number, path: string, options?: { method?: string; body?: string; timeoutMs?: number }): Promise<HttpAnswer>;
}
