import * as vscode from 'vscode';
import { DisposableStore, type IDisposable } from '../core/base/disposable';
import { type ClusterProblemKind } from '../core/cluster/clusterProblem';
import { type EnvironmentsModel, type EnvironmentsState } from '../core/cluster/environmentsModel';
import { type ContextKeys, type SliceContextKeys } from './contextKeys';
import { EnvironmentsTreeProvider, type SliceDetailsPort } from './environmentsTree';
import { type SyncStatePort } from './tree/workloadItems';

export const ENVIRONMENTS_VIEW_ID = 'slice.environments';

/** How often the pods' CPU and memory are re-read while the view is visible (metrics-server's resolution here). */
export const RESOURCE_REFRESH_MS = 15_000;

/** The Environments tree view, its message line and the context keys its welcome views depend on. */
export class EnvironmentsView implements IDisposable {
  private readonly store = new DisposableStore('environments view');
  readonly provider: EnvironmentsTreeProvider;
  readonly treeView: vscode.TreeView<unknown>;

  constructor(
    private readonly model: EnvironmentsModel,
    private readonly contextKeys: ContextKeys,
    details: SliceDetailsPort | undefined,
    onError: (e: unknown) => void,
    sync?: SyncStatePort,
  ) {
    this.provider = this.store.add(new EnvironmentsTreeProvider(model, details, () => new Date(), sync));
    this.treeView = this.store.add(vscode.window.createTreeView(ENVIRONMENTS_VIEW_ID, { treeDataProvider: this.provider, showCollapseAll: false }));
    this.store.add(model.onDidChange(() => void this.render().catch(onError)));
    // Resource figures are re-read on an interval that runs only while the view is visible; it ends with the view.
    let timer: ReturnType<typeof setInterval> | undefined;
    const follow = (visible: boolean): void => {
      if (visible && !timer) timer = setInterval(() => this.provider.refresh(), RESOURCE_REFRESH_MS);
      if (!visible && timer) {
        clearInterval(timer);
        timer = undefined;
      }
    };
    this.store.add(this.treeView.onDidChangeVisibility((e) => follow(e.visible)));
    this.store.add({ dispose: () => follow(false) });
    follow(this.treeView.visible);
  }

  private queue: Promise<void> = Promise.resolve();

  /** Resolves when everything rendered so far has reached the workbench (context keys included). */
  settled(): Promise<void> {
    return this.queue;
  }

  /**
   * Updates what the view shows around the tree. The reason for an empty tree is carried by the
   * welcome views (package.json) through context keys: a view message would hide them.
   */
  render(): Promise<void> {
    // Renders run one after another and each reads the model's latest state, so context keys
    // written by an older render can never land after a newer one.
    this.queue = this.queue.then(() => this.apply(this.model.state));
    return this.queue;
  }

  private async apply(state: EnvironmentsState): Promise<void> {
    this.treeView.description = state.cluster.status === 'none' ? undefined : state.cluster.context.name;
    await this.contextKeys.set('slice.kubeconfigState', state.kubeconfig.state);
    await this.contextKeys.set('slice.clusterProblem', state.cluster.status === 'failed' ? problemKey(state.cluster.problem.kind) : 'none');
    await this.contextKeys.set('slice.clusterState', state.cluster.status === 'none' ? 'none' : state.cluster.status);
  }

  dispose(): void {
    this.store.dispose();
  }
}

function problemKey(kind: ClusterProblemKind): SliceContextKeys['slice.clusterProblem'] {
  switch (kind) {
    case 'unreachable':
    case 'timeout':
    case 'tls':
    case 'unauthorized':
    case 'forbidden':
      return kind;
    case 'notFound':
    case 'conflict':
    case 'server':
    case 'unknown':
      return 'other';
  }
}
