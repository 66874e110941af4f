import * as vscode from 'vscode';
import { type IDisposable } from '../core/base/disposable';
import { messageOf } from '../core/base/errors';
import { type Environment, type KubeContext, type SliceEnvironment } from '../core/cluster/environments';
import { type EnvironmentsModel } from '../core/cluster/environmentsModel';
import { type PodSummary, type QuotaUse } from '../platform/kube/sliceClient';
import { contextItem, environmentItem, forkItem, messageItem, podItem, quotaItem } from './environmentItems';

/** Reads what a slice's rows show when expanded (pods, quota use), with the user's credentials. */
export interface SliceDetailsPort {
  pods(context: KubeContext, namespace: string): Promise<PodSummary[]>;
  quota(context: KubeContext, namespace: string): Promise<QuotaUse[]>;
}

export type EnvironmentsNode =
  | { readonly kind: 'context'; readonly context: KubeContext; readonly selected: boolean }
  | { readonly kind: 'environment'; readonly environment: Environment; readonly context: KubeContext }
  | { readonly kind: 'quota'; readonly quota: readonly QuotaUse[] }
  | { readonly kind: 'fork'; readonly slice: SliceEnvironment; readonly workload: string; readonly pods: readonly PodSummary[] }
  | { readonly kind: 'pod'; readonly pod: PodSummary }
  | { readonly kind: 'message'; readonly text: string; readonly icon: string; readonly tooltip?: string };

/**
 * The Environments view: the kubeconfig's contexts; under the selected one its baselines and
 * slices; under a slice its quota use, forks and their pods. When the kubeconfig is missing or the
 * cluster fails, the tree is empty so the matching welcome view (package.json) shows.
 */
export class EnvironmentsTreeProvider implements vscode.TreeDataProvider<EnvironmentsNode>, IDisposable {
  private readonly changed = new vscode.EventEmitter<EnvironmentsNode | undefined>();
  readonly onDidChangeTreeData = this.changed.event;
  private readonly subscription: IDisposable;

  constructor(
    private readonly model: EnvironmentsModel,
    private readonly details: SliceDetailsPort | undefined,
    private readonly now: () => Date = () => new Date(),
  ) {
    this.subscription = model.onDidChange(() => this.changed.fire(undefined));
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
        return cluster.environments.map((environment) => ({ kind: 'environment', environment, context: node.context }));
      }
      case 'environment':
        return node.environment.kind === 'slice' ? this.sliceChildren(node.context, node.environment) : [];
      case 'fork':
        return node.pods.map((pod) => ({ kind: 'pod', pod }));
      default:
        return [];
    }
  }

  private async sliceChildren(context: KubeContext, slice: SliceEnvironment): Promise<EnvironmentsNode[]> {
    const out: EnvironmentsNode[] = [];
    const notReady = slice.resource?.conditions.find((c) => c.type === 'Ready' && c.status === 'False');
    if (notReady?.message) out.push({ kind: 'message', text: notReady.message, icon: 'warning', tooltip: `${notReady.reason}: ${notReady.message}` });
    if (!this.details) return out;
    try {
      const [quota, pods] = await Promise.all([this.details.quota(context, slice.namespace), this.details.pods(context, slice.namespace)]);
      if (quota.length > 0) out.push({ kind: 'quota', quota });
      for (const workload of slice.resource?.forkNames ?? []) {
        out.push({ kind: 'fork', slice, workload, pods: pods.filter((p) => p.workload === workload || p.name.startsWith(`${workload}-`)) });
      }
    } catch (e) {
      out.push({ kind: 'message', text: `Could not read the slice: ${messageOf(e)}`, icon: 'error' });
    }
    return out;
  }

  getTreeItem(node: EnvironmentsNode): vscode.TreeItem {
    switch (node.kind) {
      case 'context':
        return contextItem(node.context, node.selected);
      case 'environment':
        return environmentItem(node.environment, node.context.name, this.now());
      case 'quota':
        return quotaItem(node.quota);
      case 'fork':
        return forkItem(node.workload, node.slice.resource?.forks.find((f) => f.workload === node.workload), node.pods.length > 0);
      case 'pod':
        return podItem(node.pod);
      case 'message':
        return messageItem(node.text, node.icon, node.tooltip);
    }
  }

  getParent(): undefined {
    return undefined;
  }

  dispose(): void {
    this.subscription.dispose();
    this.changed.dispose();
  }
}
