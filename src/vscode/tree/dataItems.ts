import * as vscode from 'vscode';
import { type DataBranchStatus } from '../../core/slice/sliceResource';

/** A slice's data branch in the Environments tree: its database, size, when it was branched, or why it is not ready. */
export function dataItem(branch: DataBranchStatus, mine: boolean, now: Date): vscode.TreeItem {
  // the sidebar is narrow: the baseline and the size up front, the (long) database name last and in the tooltip
  const item = new vscode.TreeItem(`${branch.baseline} data`, vscode.TreeItemCollapsibleState.None);
  item.id = `data:${branch.database}`;
  item.description = branch.ready
    ? [branch.sizeBytes === undefined ? undefined : formatBytes(branch.sizeBytes), branch.branchedAt ? `branched ${ago(branch.branchedAt, now)}` : undefined, branch.database].filter(Boolean).join(' · ')
    : `not ready: ${branch.message ?? 'branching…'}`;
  item.iconPath = new vscode.ThemeIcon('database', branch.ready ? new vscode.ThemeColor('charts.green') : new vscode.ThemeColor('problemsWarningIcon.foreground'));
  const tooltip = new vscode.MarkdownString();
  tooltip.appendMarkdown(`**PostgreSQL database ${branch.database}**\n\n`);
  tooltip.appendMarkdown(`- Branched from the baseline database \`${branch.baseline}\`${branch.branchedAt ? ` at ${branch.branchedAt}` : ''}\n`);
  if (branch.sizeBytes !== undefined) tooltip.appendMarkdown(`- Size: ${formatBytes(branch.sizeBytes)}\n`);
  if (branch.secret) tooltip.appendMarkdown(`- Credentials: Secret \`${branch.secret}\` in the slice namespace (your fork's DATABASE_URL points at it)\n`);
  if (!branch.ready && branch.message) tooltip.appendMarkdown(`- Not ready: ${branch.message}\n`);
  if (mine) tooltip.appendMarkdown('\nRight-click to reset it to the baseline\'s data.');
  item.tooltip = tooltip;
  item.contextValue = mine ? 'slice.data.mine' : 'slice.data';
  return item;
}

export function formatBytes(n: number): string {
  if (n < 1024) return `${n} B`;
  const units = ['KB', 'MB', 'GB', 'TB'];
  let v = n / 1024;
  let i = 0;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  return `${v < 10 ? v.toFixed(1) : Math.round(v)} ${units[i]}`;
}

function ago(iso: string, now: Date): string {
  const ms = now.getTime() - new Date(iso).getTime();
  if (!Number.isFinite(ms)) return iso;
  if (ms < 60_000) return 'just now';
  if (ms < 3600_000) return `${Math.round(ms / 60_000)} min ago`;
  if (ms < 86_400_000) return `${Math.round(ms / 3600_000)} h ago`;
  return `${Math.round(ms / 86_400_000)} d ago`;
}
