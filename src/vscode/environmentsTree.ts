import * as vscode from 'vscode';
import { type IDisposable } from '../core/base/disposable';
import { type Environment, type KubeContext, describeTimeLeft } from '../core/cluster/environments';
import { type EnvironmentsModel } from '../core/cluster/environmentsModel';
import { Commands } from './commandRegistry';

export type EnvironmentsNode =
  | { readonly kind: 'context'; readonly context: KubeContext; readonly selected: boolean }
  | { readonly kind: 'environment'; readonly environment: Environment; readonly contextName: string }
  | { readonly kind: 'message'; readonly text: string; readonly icon: string; readonly tooltip?: string };

/**
 * The Environments view: the kubeconfig's contexts, and under the selected one its baseline and
 * slice namespaces. When the kubeconfig is missing or the cluster fails, the tree is empty so the
 * matching welcome view (package.json `viewsWelcome`) shows, and the view message says why.
 */
export class EnvironmentsTreeProvider implements vscode.TreeDataProvider<EnvironmentsNode>, IDisposable {
  private readonly changed = new vscode.EventEmitter<EnvironmentsNode | undefined>();
  readonly onDidChangeTreeData = this.changed.event;
  private readonly subscription: IDisposable;

  constructor(
    private readonly model: EnvironmentsModel,
    private readonly now: () => Date = () => new Date(),
  ) {
    this.subscription = model.onDidChange(() => this.changed.fire(undefined));
  }

  getChildren(node?: EnvironmentsNode): EnvironmentsNode[] {
    const state = this.model.state;
    if (!node) {
      if (state.kubeconfig.state !== 'ok' || state.cluster.status === 'failed') return [];
      return state.kubeconfig.contexts.map((context) => ({ kind: 'context', context, selected: context.name === state.selected }));
    }
    if (node.kind !== 'context' || !node.selected) return [];
    const cluster = state.cluster;
    if (cluster.status === 'connecting') return [{ kind: 'message', text: 'Connecting…', icon: 'loading~spin' }];
    if (cluster.status !== 'ok') return [];
    if (cluster.environments.length === 0) {
      return [{ kind: 'message', text: 'No baseline or slice namespaces yet', icon: 'info', tooltip: 'Namespaces labelled slice.dev/role=baseline or slice.dev/role=slice appear here.' }];
    }
    return cluster.environments.map((environment) => ({ kind: 'environment', environment, contextName: node.context.name }));
  }

  getTreeItem(node: EnvironmentsNode): vscode.TreeItem {
    switch (node.kind) {
      case 'context':
        return this.contextItem(node.context, node.selected);
      case 'environment':
        return this.environmentItem(node.environment, node.contextName);
      case 'message': {
        const item = new vscode.TreeItem(node.text, vscode.TreeItemCollapsibleState.None);
        item.iconPath = new vscode.ThemeIcon(node.icon);
        if (node.tooltip) item.tooltip = node.tooltip;
        item.contextValue = 'slice.message';
        return item;
      }
    }
  }

  getParent(): undefined {
    return undefined;
  }

  private contextItem(context: KubeContext, selected: boolean): vscode.TreeItem {
    const item = new vscode.TreeItem(context.name, selected ? vscode.TreeItemCollapsibleState.Expanded : vscode.TreeItemCollapsibleState.None);
    item.id = `context:${context.name}:${selected ? 'selected' : 'idle'}`;
    item.description = selected ? 'selected' : hostOf(context.server) ?? context.cluster;
    item.iconPath = new vscode.ThemeIcon(selected ? 'vm-active' : 'vm-outline', selected ? new vscode.ThemeColor('charts.green') : undefined);
    const tooltip = new vscode.MarkdownString(undefined, true);
    tooltip.appendMarkdown(`**${escape(context.name)}**${selected ? ' (selected)' : ''}\n\n`);
    tooltip.appendMarkdown(`- Cluster: \`${escape(context.cluster)}\`${context.server ? ` at ${escape(context.server)}` : ''}\n`);
    tooltip.appendMarkdown(`- User: \`${escape(context.user)}\`\n`);
    if (context.namespace) tooltip.appendMarkdown(`- Namespace: \`${escape(context.namespace)}\`\n`);
    item.tooltip = tooltip;
    item.contextValue = selected ? 'slice.context.selected' : 'slice.context';
    if (!selected) item.command = { command: Commands.selectThisCluster, title: 'Select This Cluster', arguments: [context.name] };
    return item;
  }

  private environmentItem(env: Environment, contextName: string): vscode.TreeItem {
    if (env.kind === 'baseline') {
      const item = new vscode.TreeItem(env.namespace, vscode.TreeItemCollapsibleState.None);
      item.id = `env:${contextName}:${env.namespace}`;
      item.description = env.terminating ? 'baseline · deleting' : 'baseline';
      item.iconPath = new vscode.ThemeIcon(env.terminating ? 'loading~spin' : 'package');
      item.tooltip = `Baseline namespace ${env.namespace}: the shared, production-like release that slices fork from.`;
      item.contextValue = 'slice.baseline';
      return item;
    }
    const item = new vscode.TreeItem(env.sliceName ?? env.namespace, vscode.TreeItemCollapsibleState.None);
    item.id = `env:${contextName}:${env.namespace}`;
    const parts = [env.owner ?? 'unknown owner'];
    if (env.terminating) parts.push('deleting');
    else if (env.expiresAt) parts.push(describeTimeLeft(env.expiresAt, this.now()));
    item.description = parts.join(' · ');
    const expired = env.expiresAt !== undefined && env.expiresAt.getTime() < this.now().getTime();
    item.iconPath = new vscode.ThemeIcon(env.terminating ? 'loading~spin' : 'layers', expired ? new vscode.ThemeColor('problemsWarningIcon.foreground') : undefined);
    const tooltip = new vscode.MarkdownString();
    tooltip.appendMarkdown(`**Slice ${escape(env.sliceName ?? env.namespace)}**\n\n- Namespace: \`${escape(env.namespace)}\`\n- Owner: ${escape(env.owner ?? 'unknown')}\n`);
    if (env.baseline) tooltip.appendMarkdown(`- Baseline: \`${escape(env.baseline)}\`\n`);
    if (env.expiresAt) tooltip.appendMarkdown(`- Expires: ${env.expiresAt.toISOString()} (${describeTimeLeft(env.expiresAt, this.now())})\n`);
    item.tooltip = tooltip;
    item.contextValue = 'slice.slice';
    return item;
  }

  dispose(): void {
    this.subscription.dispose();
    this.changed.dispose();
  }
}

/** "10.0.0.1:6443" from "https://10.0.0.1:6443/", or undefined. */
function hostOf(server: string | undefined): string | undefined {
  if (!server) return undefined;
  try {
    return new URL(server).host || server;
  } catch {
    return server;
  }
}

function escape(s: string): string {
  return s.replace(/[\\`*_{}[\]()#+\-.!|<>]/g, (c) => `\\${c}`);
}
