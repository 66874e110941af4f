import * as vscode from 'vscode';
import { DisposableStore, type IDisposable } from '../core/base/disposable';
import { type ClusterProblemKind } from '../core/cluster/clusterProblem';
import { type EnvironmentsModel, type EnvironmentsState } from '../core/cluster/environmentsModel';
import { type ContextKeys, type SliceContextKeys } from './contextKeys';
import { EnvironmentsTreeProvider } from './environmentsTree';

export const ENVIRONMENTS_VIEW_ID = 'slice.environments';

/** The Environments tree view, its message line and the context keys its welcome views depend on. */
export class EnvironmentsView implements IDisposable {
  private readonly store = new DisposableStore('environments view');
  readonly provider: EnvironmentsTreeProvider;
  readonly treeView: vscode.TreeView<unknown>;

  constructor(
    private readonly model: EnvironmentsModel,
    private readonly contextKeys: ContextKeys,
    onError: (e: unknown) => void,
  ) {
    this.provider = this.store.add(new EnvironmentsTreeProvider(model));
    this.treeView = this.store.add(vscode.window.createTreeView(ENVIRONMENTS_VIEW_ID, { treeDataProvider: this.provider, showCollapseAll: false }));
    this.store.add(model.onDidChange((state) => void this.render(state).catch(onError)));
  }

  async render(state: EnvironmentsState = this.model.state): Promise<void> {
    this.treeView.message = EnvironmentsTreeProvider.messageFor(state);
    await this.contextKeys.set('slice.kubeconfigState', state.kubeconfig.state);
    await this.contextKeys.set('slice.clusterState', clusterStateKey(state));
  }

  dispose(): void {
    this.store.dispose();
  }
}

const DENIED: ReadonlySet<ClusterProblemKind> = new Set(['unauthorized', 'forbidden', 'tls']);

function clusterStateKey(state: EnvironmentsState): SliceContextKeys['slice.clusterState'] {
  const c = state.cluster;
  switch (c.status) {
    case 'none':
      return 'none';
    case 'connecting':
      return 'connecting';
    case 'ok':
      return 'ok';
    case 'failed':
      return DENIED.has(c.problem.kind) ? 'denied' : 'unreachable';
  }
}
