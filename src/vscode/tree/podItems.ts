import * as vscode from 'vscode';
import { formatDuration } from '../../core/base/duration';
import { type PodUsage, appFigures, containerFigures, figuresText, resourceFindings } from '../../core/cluster/podResources';
import { type PodInfo } from '../../core/cluster/workloadSummary';

/**
 * A pod row: phase, readiness, restarts, age, and (when `metrics` is given: the namespace's pod metrics
 * were read) the application container's CPU and memory against its limits, with OOMKilled, memory near
 * its limit and CPU at its limit said in words on the tooltip. contextValue `slice.pod` (Show Pod Logs).
 */
export function podItem(pod: PodInfo, now: Date, metrics?: { readonly usage: PodUsage | undefined }): vscode.TreeItem {
  const item = new vscode.TreeItem(pod.name, vscode.TreeItemCollapsibleState.None);
  const age = pod.startedAt ? formatDuration(now.getTime() - pod.startedAt.getTime()) : undefined;
  const findings = resourceFindings(pod, metrics?.usage);
  const app = metrics && pod.phase === 'Running' ? appFigures(pod, metrics.usage) : undefined;
  const status = pod.reason ?? [pod.phase, pod.ready ? 'ready' : undefined, pod.restarts > 0 ? `${pod.restarts} restarts` : undefined, age].filter(Boolean).join(' · ');
  item.description = [findings.length > 0 ? findings.map((f) => f.short).join(', ') : undefined, app ? figuresText(app) : undefined, status].filter(Boolean).join(' · ');
  const failing = pod.reason !== undefined;
  const worst = findings.some((f) => f.severity === 'error') ? 'error' : findings.length > 0 ? 'warning' : undefined;
  item.iconPath = failing || worst === 'error'
    ? new vscode.ThemeIcon('error', new vscode.ThemeColor('problemsErrorIcon.foreground'))
    : worst === 'warning'
      ? new vscode.ThemeIcon('warning', new vscode.ThemeColor('problemsWarningIcon.foreground'))
      : pod.ready
        ? new vscode.ThemeIcon('circle-filled', new vscode.ThemeColor('charts.green'))
        : pod.phase === 'Terminating' || pod.phase === 'Pending'
          ? new vscode.ThemeIcon('loading~spin')
          : new vscode.ThemeIcon('circle-outline');
  let tooltip = `Pod ${pod.name}\n${pod.phase}${pod.ready ? ', ready' : ''}, ${pod.restarts} restarts${age ? `, started ${age} ago` : ''}\nContainers: ${pod.containers.join(', ')}${pod.reason ? `\n${pod.reason}` : ''}`;
  if (metrics) {
    const at = metrics.usage?.timestamp ? ` (metrics.k8s.io, ${metrics.usage.timestamp.toLocaleTimeString()})` : '';
    tooltip += metrics.usage ? `\n\nCPU and memory against limits${at}:\n${containerFigures(pod, metrics.usage).map((f) => `  ${f.container}: ${figuresText(f)}`).join('\n')}` : '\n\nCPU and memory: no metrics for this pod yet (metrics-server reports a pod about 15 s after it starts).';
  }
  for (const f of findings) tooltip += `\n\n${f.text}`;
  item.tooltip = `${tooltip}\n\nRight-click → Show Pod Logs`;
  item.contextValue = 'slice.pod';
  item.command = undefined;
  return item;
}
