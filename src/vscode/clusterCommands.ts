import * as vscode from 'vscode';
import { CancelledError, UserError } from '../core/base/errors';
import { type EnvironmentsModel } from '../core/cluster/environmentsModel';
import { type CommandRegistry, Commands } from './commandRegistry';

/** Select Cluster, Select This Cluster, Refresh, Show Logs, Open Settings. */
/** After an explicit user action, a failed cluster is reported as a message (the view shows it too). */
function throwIfFailed(model: EnvironmentsModel): void {
  const cluster = model.state.cluster;
  if (cluster.status === 'failed') throw new UserError(cluster.problem.message, ['retry', 'selectCluster'], cluster.problem.detail, true);
}

export function registerClusterCommands(registry: CommandRegistry, model: EnvironmentsModel, output: vscode.LogOutputChannel): void {
  registry.register(Commands.selectCluster, async (contextName?: unknown) => {
    if (typeof contextName === 'string' && contextName) {
      await model.select(contextName);
      throwIfFailed(model);
      return contextName;
    }
    await model.refresh();
    const state = model.state;
    if (state.kubeconfig.state !== 'ok') {
      throw new UserError('No kubeconfig with contexts was found. Set `slice.kubeconfig` or KUBECONFIG, or create ~/.kube/config.', ['openSettings']);
    }
    const items = state.kubeconfig.contexts.map((c) => ({
      label: c.name,
      description: c.name === state.selected ? 'selected' : c.name === (state.kubeconfig.state === 'ok' ? state.kubeconfig.currentContext : undefined) ? 'current-context' : undefined,
      detail: `${c.server ?? c.cluster} · user ${c.user}${c.namespace ? ` · namespace ${c.namespace}` : ''}`,
      contextName: c.name,
    }));
    const picked = await vscode.window.showQuickPick(items, { title: 'Slice: Select Cluster', placeHolder: 'Pick the kubeconfig context to work with', matchOnDetail: true });
    if (!picked) throw new CancelledError();
    await model.select(picked.contextName);
    throwIfFailed(model);
    return picked.contextName;
  });

  registry.register(Commands.selectThisCluster, async (contextName?: unknown) => {
    if (typeof contextName !== 'string') throw new UserError('Pick a cluster in the Environments view.');
    await model.select(contextName);
    throwIfFailed(model);
  });

  registry.register(Commands.refresh, async () => {
    await model.refresh();
    throwIfFailed(model);
  });

  registry.register(Commands.showLogs, () => {
    output.show(true);
  });

  registry.register(Commands.openSettings, async () => {
    await vscode.commands.executeCommand('workbench.action.openSettings', '@ext:slice-dev.slice');
  });
}
