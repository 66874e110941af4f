import * as vscode from 'vscode';
import { type ForkStatus } from '../../core/slice/sliceResource';
import { type SyncState } from '../../core/sync/syncState';
import { type WorkloadSummary } from '../../core/cluster/workloadSummary';

/** The sync state of one fork, as the tree shows it (from the running sync sessions). */
export interface SyncBadge {
  readonly state: SyncState;
  readonly latencyMs: number | undefined;
  readonly drift: number;
  readonly error: string | undefined;
}

/** Where the tree reads sync state from; fires when any session changes. */
export interface SyncStatePort {
  state(contextName: string, namespace: string, workload: string): SyncBadge | undefined;
  readonly onDidChange: vscode.Event<void>;
}

/**
 * A forked workload of one of the user's slices (or of someone else's): readiness, sync state.
 * contextValue: `slice.fork.mine.sync-on|sync-off` for the user's forks, `slice.fork` otherwise.
 */
export function forkItem(workload: string, status: ForkStatus | undefined, summary: WorkloadSummary | undefined, hasPods: boolean, mine: boolean, sync: SyncBadge | undefined): vscode.TreeItem {
  const item = new vscode.TreeItem(workload, hasPods ? vscode.TreeItemCollapsibleState.Collapsed : vscode.TreeItemCollapsibleState.None);
  const ready = summary ? summary.ready >= summary.replicas && summary.replicas > 0 : (status?.ready ?? false);
  const counts = summary ? `${summary.ready}/${summary.replicas}` : status ? `${status.availableReplicas}/${status.replicas}` : '0/1';
  const problem = summary?.problem ?? (status?.ready ? undefined : status?.message);
  const parts = [`fork · ${counts} ready`];
  if (problem && !ready) parts.push(problem);
  if (sync) parts.push(syncText(sync));
  item.description = parts.join(' · ');
  item.iconPath = sync ? syncIcon(sync) : ready ? new vscode.ThemeIcon('repo-forked', new vscode.ThemeColor('charts.green')) : new vscode.ThemeIcon(problem ? 'warning' : 'loading~spin', problem ? new vscode.ThemeColor('problemsWarningIcon.foreground') : undefined);
  const md = new vscode.MarkdownString(undefined, true);
  md.appendMarkdown(`**${workload}**: your fork of the baseline's \`${workload}\`\n\n`);
  md.appendMarkdown(`- Ready: ${counts}${problem ? ` (${problem})` : ''}\n`);
  if (summary?.image) md.appendMarkdown(`- Image: \`${summary.image}\`\n`);
  if (summary?.port) md.appendMarkdown(`- Port: ${summary.port}\n`);
  md.appendMarkdown(`- Sync: ${sync ? syncText(sync) : 'off'}${sync?.error ? ` (${sync.error})` : ''}\n`);
  if (mine) md.appendMarkdown(`\n${sync ? 'Right-click to stop syncing, send a request or read the logs.' : 'Right-click to start syncing your folder into it, send a request or read the logs.'}`);
  item.tooltip = md;
  item.contextValue = mine ? `slice.fork.mine.${sync ? 'sync-on' : 'sync-off'}` : 'slice.fork';
  return item;
}

/** A Deployment that is not a fork (a baseline's workloads): readiness only. */
export function workloadItem(w: WorkloadSummary, hasPods: boolean): vscode.TreeItem {
  const item = new vscode.TreeItem(w.name, hasPods ? vscode.TreeItemCollapsibleState.Collapsed : vscode.TreeItemCollapsibleState.None);
  const ready = w.ready >= w.replicas && w.replicas > 0;
  item.description = `${w.ready}/${w.replicas} ready${!ready && w.problem ? ` · ${w.problem}` : ''}`;
  item.iconPath = new vscode.ThemeIcon('server-process', ready ? new vscode.ThemeColor('charts.green') : w.replicas === 0 ? undefined : new vscode.ThemeColor('problemsWarningIcon.foreground'));
  item.tooltip = `Deployment ${w.namespace}/${w.name}: ${w.ready} of ${w.replicas} replicas ready${w.image ? `\nImage: ${w.image}` : ''}${w.port ? `\nPort: ${w.port}` : ''}${w.problem ? `\n${w.problem}` : ''}`;
  item.contextValue = 'slice.workload';
  return item;
}

function syncText(s: SyncBadge): string {
  switch (s.state) {
    case 'idle':
      return s.drift > 0 ? `sync: ${s.drift} drifted` : `syncing${s.latencyMs === undefined ? '' : ` · ${Math.round(s.latencyMs)} ms`}`;
    case 'connecting':
    case 'reconciling':
    case 'syncing':
      return `sync: ${s.state}`;
    case 'disconnected':
      return 'sync: disconnected';
    case 'disposed':
      return 'sync: stopped';
  }
}

function syncIcon(s: SyncBadge): vscode.ThemeIcon {
  if (s.state === 'disconnected' || s.drift > 0) return new vscode.ThemeIcon('sync-ignored', new vscode.ThemeColor('problemsWarningIcon.foreground'));
  if (s.state === 'idle') return new vscode.ThemeIcon('sync', new vscode.ThemeColor('charts.blue'));
  return new vscode.ThemeIcon('sync~spin');
}

