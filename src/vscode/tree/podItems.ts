import * as vscode from 'vscode';
import { formatDuration } from '../../core/cluster/environments';
import { type PodInfo } from '../../core/cluster/workloadSummary';

/** A pod row: phase, readiness, restarts, age; contextValue `slice.pod` (Show Pod Logs). */
export function podItem(pod: PodInfo, now: Date): vscode.TreeItem {
  const item = new vscode.TreeItem(pod.name, vscode.TreeItemCollapsibleState.None);
  const age = pod.startedAt ? formatDuration(now.getTime() - pod.startedAt.getTime()) : undefined;
  item.description = pod.reason ?? [pod.phase, pod.ready ? 'ready' : undefined, pod.restarts > 0 ? `${pod.restarts} restarts` : undefined, age].filter(Boolean).join(' · ');
  const failing = pod.reason !== undefined;
  item.iconPath = pod.ready
    ? new vscode.ThemeIcon('circle-filled', new vscode.ThemeColor('charts.green'))
    : failing
      ? new vscode.ThemeIcon('error', new vscode.ThemeColor('problemsErrorIcon.foreground'))
      : pod.phase === 'Terminating' || pod.phase === 'Pending'
        ? new vscode.ThemeIcon('loading~spin')
        : new vscode.ThemeIcon('circle-outline');
  item.tooltip = `Pod ${pod.name}\n${pod.phase}${pod.ready ? ', ready' : ''}, ${pod.restarts} restarts${age ? `, started ${age} ago` : ''}\nContainers: ${pod.containers.join(', ')}${pod.reason ? `\n${pod.reason}` : ''}\n\nRight-click → Show Pod Logs`;
  item.contextValue = 'slice.pod';
  item.command = undefined;
  return item;
}
