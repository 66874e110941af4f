import * as vscode from 'vscode';
import { type IDisposable } from '../core/base/disposable';
import { messageOf } from '../core/base/errors';
import { type Environment, type KubeContext, type SliceEnvironment } from '../core/cluster/environments';
import { type DataBranchStatus } from '../core/slice/sliceResource';
import { ClusterProblemError, type EnvironmentsModel } from '../core/cluster/environmentsModel';
import { type PodMetricsRead, type PodUsage } from '../core/cluster/podResources';
import { type QuotaUse } from '../core/cluster/quotaUse';
import { type PodInfo, type WorkloadSummary, podsOf } from '../core/cluster/workloadSummary';
import { Commands } from './commandRegistry';
import { contextItem, environmentItem, messageItem, quotaItem } from './environmentItems';
import { dataItem } from './tree/dataItems';
import { podItem } from './tree/podItems';
import { type SyncStatePort, forkItem, workloadItem } from './tree/workloadItems';

/** Reads what expanded rows show (quota use, Deployments and pods), with the user's credentials. */
export interface SliceDetailsPort {
  quota(context: KubeContext, namespace: string): Promise<QuotaUse[]>;
  workloads(context: KubeContext, namespace: string): Promise<{ workloads: WorkloadSummary[]; pods: PodInfo[] }>;
  /** CPU and memory of the namespace's pods (metrics.k8s.io); absent: the tree shows none. */
  podMetrics?(context: KubeContext, namespace: string): Promise<PodMetricsRead>;
}

export type EnvironmentsNode =
  | { readonly kind: 'context'; readonly context: KubeContext; readonly selected: boolean }
  | { readonly kind: 'environment'; readonly environment: Environment; readonly context: KubeContext }
  | { readonly kind: 'quota'; readonly quota: readonly QuotaUse[] }
  | { readonly kind: 'data'; readonly context: KubeContext; readonly slice: SliceEnvironment; readonly branch: DataBranchStatus }
  | { readonly kind: 'fork'; readonly context: KubeContext; readonly slice: SliceEnvironment; readonly workload: string; readonly summary: WorkloadSummary | undefined; readonly pods: readonly PodInfo[]; readonly metrics?: PodMetricsRead | undefined }
  | { readonly kind: 'workload'; readonly context: KubeContext; readonly namespace: string; readonly workload: WorkloadSummary; readonly pods: readonly PodInfo[]; readonly metrics?: PodMetricsRead | undefined }
  | { readonly kind: 'pod'; readonly context: KubeContext; readonly namespace: string; readonly pod: PodInfo; readonly port: number | undefined; readonly usage?: PodUsage | undefined; readonly metricsRead?: boolean }
  | { readonly kind: 'message'; readonly text: string; readonly icon: string; readonly tooltip?: string; readonly command?: string };

/** How often time left and pod states are re-read while the view is open. */
const TICK_MS = 60_000;

/**
 * The Environments view: the kubeconfig's contexts; under the selected one its baselines and
 * slices; under a baseline its Deployments; under a slice its quota use and forks (with their sync
 * state); under a workload its pods. When the kubeconfig is missing or the cluster fails, the tree is
 * empty so the matching welcome view (package.json) shows.
 */
export class EnvironmentsTreeProvider implements vscode.TreeDataProvider<EnvironmentsNode>, IDisposable {
  private readonly changed = new vscode.EventEmitter<EnvironmentsNode | undefined>();
  readonly onDidChangeTreeData = this.changed.event;
  private readonly subscriptions: IDisposable[] = [];

  constructor(
    private readonly model: EnvironmentsModel,
    private readonly details: SliceDetailsPort | undefined,
    private readonly now: () => Date = () => new Date(),
    private readonly sync?: SyncStatePort,
  ) {
    this.subscriptions.push(model.onDidChange(() => this.changed.fire(undefined)));
    if (sync) this.subscriptions.push(sync.onDidChange(() => this.changed.fire(undefined)));
    const timer = setInterval(() => this.changed.fire(undefined), TICK_MS);
    this.subscriptions.push({ dispose: () => clearInterval(timer) });
  }

  getChildren(node?: EnvironmentsNode): EnvironmentsNode[] | Promise<EnvironmentsNode[]> {
    const state = this.model.state;
    if (!node) {
      if (state.kubeconfig.state !== 'ok' || state.cluster.status === 'failed') return [];
      return state.kubeconfig.contexts.map((context) => ({ kind: 'context', context, selected: context.name === state.selected }));
    }
    switch (node.kind) {
      case 'context': {
        if (!node.selected) return [];
        const cluster = state.cluster;
        if (cluster.status === 'connecting') return [{ kind: 'message', text: 'Connecting…', icon: 'loading~spin' }];
        if (cluster.status !== 'ok') return [];
        if (cluster.environments.length === 0) {
          return [{ kind: 'message', text: 'No baseline or slice namespaces yet', icon: 'info', tooltip: 'Namespaces labelled slice.dev/role=baseline or slice.dev/role=slice appear here.' }];
        }
        const rows: EnvironmentsNode[] = cluster.environments.map((environment) => ({ kind: 'environment', environment, context: node.context }));
        if (cluster.platformInstalled && !cluster.environments.some((e) => e.kind === 'slice' && e.mine)) {
          rows.push({ kind: 'message', text: 'No slice of yours yet: Create Slice…', icon: 'add', tooltip: 'Forks the workloads listed in slice.yaml into a namespace of your own.', command: Commands.createSlice });
        }
        return rows;
      }
      case 'environment':
        return node.environment.kind === 'slice' ? this.sliceChildren(node.context, node.environment) : this.baselineChildren(node.context, node.environment.namespace);
      case 'fork':
        return node.pods.map((pod) => ({ kind: 'pod', context: node.context, namespace: node.slice.namespace, pod, port: node.summary?.port, ...usageOf(node.metrics, pod.name) }));
      case 'workload':
        return node.pods.map((pod) => ({ kind: 'pod', context: node.context, namespace: node.namespace, pod, port: node.workload.port, ...usageOf(node.metrics, pod.name) }));
      default:
        return [];
    }
  }

  private async baselineChildren(context: KubeContext, namespace: string): Promise<EnvironmentsNode[]> {
    if (!this.details) return [];
    try {
      const { workloads, pods } = await this.details.workloads(context, namespace);
      if (workloads.length === 0) return [{ kind: 'message', text: 'No workloads (Deployments) yet', icon: 'info' }];
      return workloads.map((workload) => ({ kind: 'workload', context, namespace, workload, pods: podsOf(workload, pods) }));
    } catch (e) {
      return [readFailure(e, namespace)];
    }
  }

  private async sliceChildren(context: KubeContext, slice: SliceEnvironment): Promise<EnvironmentsNode[]> {
    const out: EnvironmentsNode[] = [];
    const notReady = slice.resource?.conditions.find((c) => c.type === 'Ready' && c.status === 'False');
    if (notReady?.message) out.push({ kind: 'message', text: notReady.message, icon: 'warning', tooltip: `${notReady.reason}: ${notReady.message}` });
    for (const branch of slice.resource?.data ?? []) out.push({ kind: 'data', context, slice, branch });
    if (!this.details) return out;
    try {
      const [quota, { workloads, pods }, metrics] = await Promise.all([this.details.quota(context, slice.namespace), this.details.workloads(context, slice.namespace), this.readMetrics(context, slice.namespace)]);
      if (quota.length > 0) out.push({ kind: 'quota', quota });
      if (metrics && metrics.kind !== 'ok') out.push(metricsNote(metrics));
      const forkNames = slice.resource?.forkNames ?? [];
      for (const workload of forkNames) {
        const summary = workloads.find((w) => w.forkOf === workload || w.name === workload);
        const mine = summary ? podsOf(summary, pods) : pods.filter((p) => p.name.startsWith(`${workload}-`));
        out.push({ kind: 'fork', context, slice, workload, summary, pods: mine, metrics });
      }
      for (const w of workloads.filter((w) => !forkNames.includes(w.forkOf ?? w.name))) out.push({ kind: 'workload', context, namespace: slice.namespace, workload: w, pods: podsOf(w, pods), metrics });
    } catch (e) {
      out.push(readFailure(e, slice.namespace));
    }
    return out;
  }

  /** The slice's pod metrics; a failed read (a timeout, say) is a quiet note like a missing API, never a failed slice. */
  private async readMetrics(context: KubeContext, namespace: string): Promise<PodMetricsRead | undefined> {
    if (!this.details?.podMetrics) return undefined;
    try {
      return await this.details.podMetrics(context, namespace);
    } catch (e) {
      return { kind: 'unavailable', detail: messageOf(e) };
    }
  }

  /** Re-reads every row (pod metrics included); the view calls it on its resource interval while visible. */
  refresh(): void {
    this.changed.fire(undefined);
  }

  getTreeItem(node: EnvironmentsNode): vscode.TreeItem {
    switch (node.kind) {
      case 'context':
        return contextItem(node.context, node.selected);
      case 'environment':
        return environmentItem(node.environment, node.context.name, this.now());
      case 'quota':
        return quotaItem(node.quota);
      case 'data':
        return dataItem(node.branch, node.slice.mine, this.now());
      case 'fork':
        return forkItem(node.workload, node.slice.resource?.forks.find((f) => f.workload === node.workload), node.summary, node.pods.length > 0, node.slice.mine, this.sync?.state(node.context.name, node.slice.namespace, node.workload));
      case 'workload':
        return workloadItem(node.workload, node.pods.length > 0);
      case 'pod':
        return podItem(node.pod, this.now(), node.metricsRead ? { usage: node.usage } : undefined);
      case 'message':
        return messageItem(node.text, node.icon, node.tooltip, node.command);
    }
  }

  getParent(): undefined {
    return undefined;
  }

  dispose(): void {
    for (const s of this.subscriptions.splice(0)) s.dispose();
    this.changed.dispose();
  }
}

function usageOf(metrics: PodMetricsRead | undefined, pod: string): { usage?: PodUsage | undefined; metricsRead?: boolean } {
  return metrics?.kind === 'ok' ? { usage: metrics.pods.get(pod), metricsRead: true } : {};
}

/** A quiet row saying why a slice's pods show no CPU and memory (never a popup). */
function metricsNote(read: Exclude<PodMetricsRead, { kind: 'ok' }>): EnvironmentsNode {
  return read.kind === 'forbidden'
    ? { kind: 'message', text: 'CPU and memory: not open to you here', icon: 'info', tooltip: `Your role in this namespace does not include pods.metrics.k8s.io (the Slice platform bundle's slice:owner role grants it to a slice's owner).\n\n${read.detail}` }
    : { kind: 'message', text: 'CPU and memory: no metrics API on this cluster', icon: 'info', tooltip: `The cluster does not serve metrics.k8s.io (metrics-server), so pods show no CPU and memory use. The local cluster runs metrics-server (npm run cluster:up).\n\n${read.detail}` };
}

/** A calm row for a namespace the user may not read (a baseline, for a developer) or a failed read. */
function readFailure(e: unknown, namespace: string): EnvironmentsNode {
  const message = messageOf(e);
  if (e instanceof ClusterProblemError && e.problem.kind === 'forbidden') {
    return { kind: 'message', text: 'Workloads not visible to you', icon: 'eye-closed', tooltip: `Your identity may not list Deployments in ${namespace}. Fork them into a slice of your own to work on them (Slice: Create Slice).\n\n${message}` };
  }
  return { kind: 'message', text: `Could not read ${namespace}: ${message}`, icon: 'error', tooltip: message };
}
