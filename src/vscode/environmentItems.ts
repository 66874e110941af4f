import * as vscode from 'vscode';
import { type Environment, type KubeContext, type SliceEnvironment, describeTimeLeft } from '../core/cluster/environments';
import { quotaFigure } from '../core/cluster/podResources';
import { type QuotaUse } from '../core/cluster/quotaUse';
import { Commands } from './commandRegistry';
import { BAGGAGE_MEMBER, ROUTING_HEADER, ROUTING_KEY_SECRET } from '../core/routing/routingKey';

/** Tree items of the Environments view, one function per kind of row. */

export function contextItem(context: KubeContext, selected: boolean): vscode.TreeItem {
  const item = new vscode.TreeItem(context.name, selected ? vscode.TreeItemCollapsibleState.Expanded : vscode.TreeItemCollapsibleState.None);
  item.id = `context:${context.name}:${selected ? 'selected' : 'idle'}`;
  item.description = selected ? 'selected' : (hostOf(context.server) ?? context.cluster);
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

export function environmentItem(env: Environment, contextName: string, now: Date): vscode.TreeItem {
  if (env.kind === 'baseline') {
    const item = new vscode.TreeItem(env.namespace, env.terminating ? vscode.TreeItemCollapsibleState.None : vscode.TreeItemCollapsibleState.Collapsed);
    item.id = `env:${contextName}:${env.namespace}`;
    item.description = env.terminating ? 'baseline · deleting' : 'baseline';
    item.iconPath = new vscode.ThemeIcon(env.terminating ? 'loading~spin' : 'package');
    item.tooltip = `Baseline namespace ${env.namespace}: the shared, production-like release that slices fork from. Expand it for its workloads.`;
    item.contextValue = 'slice.baseline';
    return item;
  }
  return sliceItem(env, contextName, now);
}

function sliceItem(env: SliceEnvironment, contextName: string, now: Date): vscode.TreeItem {
  const expandable = env.resource !== undefined && !env.terminating;
  const item = new vscode.TreeItem(env.sliceName ?? env.namespace, expandable ? vscode.TreeItemCollapsibleState.Collapsed : vscode.TreeItemCollapsibleState.None);
  item.id = `env:${contextName}:${env.namespace}`;
  const phase = env.terminating ? 'Deleting' : (env.resource?.phase ?? undefined);
  const parts: string[] = [];
  if (phase) parts.push(phase);
  // A failed slice says why on its row; its owner can delete it from there (inline action).
  const why = phase === 'Failed' ? env.resource?.conditions.find((c) => c.type === 'Ready' && c.status === 'False')?.message : undefined;
  if (why) parts.push(why);
  if (!env.mine) parts.push(env.owner ?? 'unknown owner');
  if (!env.terminating && env.expiresAt) parts.push(describeTimeLeft(env.expiresAt, now));
  item.description = parts.join(' · ');
  // The icon turns to a warning in the last half hour, so an expiring slice is noticed in time.
  const expired = env.expiresAt !== undefined && env.expiresAt.getTime() - now.getTime() < 30 * 60_000;
  item.iconPath = sliceIcon(phase, expired);
  const tooltip = new vscode.MarkdownString();
  tooltip.appendMarkdown(`**Slice ${escape(env.sliceName ?? env.namespace)}**${env.mine ? ' (yours)' : ''}\n\n- Namespace: \`${escape(env.namespace)}\`\n- Owner: ${escape(env.owner ?? 'unknown')}\n`);
  if (env.baseline) tooltip.appendMarkdown(`- Baseline: \`${escape(env.baseline)}\`\n`);
  if (env.expiresAt) tooltip.appendMarkdown(`- Expires: ${env.expiresAt.toISOString()} (${describeTimeLeft(env.expiresAt, now)})\n`);
  for (const c of env.resource?.conditions ?? []) {
    tooltip.appendMarkdown(`- ${c.status === 'True' ? '✔' : c.status === 'False' ? '✖' : '…'} ${escape(c.type)}${c.message ? `: ${escape(c.message)}` : ''}\n`);
  }
  if (env.mine) tooltip.appendMarkdown(`- ${escape(routingKeyLine(env.namespace))}\n`);
  if (env.mine) tooltip.appendMarkdown('\nRight-click to sync, extend its time, verify its isolation or delete it. Expand it for its quota use, forks and pods.');
  item.tooltip = tooltip;
  item.contextValue = env.mine ? 'slice.slice.mine' : 'slice.slice';
  return item;
}

function sliceIcon(phase: string | undefined, expired: boolean): vscode.ThemeIcon {
  switch (phase) {
    case 'Ready':
      return new vscode.ThemeIcon('layers-active', new vscode.ThemeColor(expired ? 'problemsWarningIcon.foreground' : 'charts.green'));
    case 'Failed':
      return new vscode.ThemeIcon('error', new vscode.ThemeColor('problemsErrorIcon.foreground'));
    case 'Pending':
    case 'Provisioning':
    case 'Deleting':
    case 'Terminating':
      return new vscode.ThemeIcon('loading~spin');
    case 'Expired':
      return new vscode.ThemeIcon('watch', new vscode.ThemeColor('problemsWarningIcon.foreground'));
    default:
      return new vscode.ThemeIcon('layers', expired ? new vscode.ThemeColor('problemsWarningIcon.foreground') : undefined);
  }
}

export function quotaItem(quota: readonly QuotaUse[]): vscode.TreeItem {
  const pick = quota.filter((q) => /^(limits\.cpu|limits\.memory|pods|cpu|memory)$/.test(q.resource));
  const item = new vscode.TreeItem(`Quota  ${(pick.length > 0 ? pick : quota).map((q) => quotaFigure(q.resource, q.used, q.hard)).join(' · ')}`, vscode.TreeItemCollapsibleState.None);
  item.iconPath = new vscode.ThemeIcon('dashboard');
  item.tooltip = quota.map((q) => `${q.resource}: ${q.used} used of ${q.hard}`).join('\n');
  item.contextValue = 'slice.quota';
  return item;
}

export function messageItem(text: string, icon: string, tooltip?: string, command?: string): vscode.TreeItem {
  const item = new vscode.TreeItem(text, vscode.TreeItemCollapsibleState.None);
  item.iconPath = new vscode.ThemeIcon(icon);
  if (tooltip) item.tooltip = tooltip;
  if (command) item.command = { command, title: text };
  item.contextValue = 'slice.message';
  return item;
}

/** "10.0.0.1:6443" from "https://10.0.0.1:6443/", or the input. */
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

/** Where the slice's routing key is and how requests carry it (the secret itself stays in the Secret). */
function routingKeyLine(namespace: string): string {
  return `Routing key: ${namespace.replace(/^slice-/, '')}.… (Secret ${ROUTING_KEY_SECRET} in ${namespace}), sent as baggage ${BAGGAGE_MEMBER} or header ${ROUTING_HEADER}; Open Baseline Through My Slice adds it for you`;
}

