import * as vscode from 'vscode';
import { type SyncSession, hookSummary } from '../../app/sync/syncSession';
import { Commands } from '../commandRegistry';
import { type SyncApi } from './syncFeature';

/**
 * One status bar item for the sync sessions: the newest session's state and its last save → in
 * container time ("$(sync) web · 23 ms"), spinning while syncing, a warning on drift or while
 * disconnected; the tooltip has the details. Click → the session's actions.
 */
export class SyncStatusBar implements vscode.Disposable {
  private readonly item = vscode.window.createStatusBarItem('slice.sync', vscode.StatusBarAlignment.Left, 50);
  private readonly subscriptions: vscode.Disposable[] = [];

  constructor(private readonly sessions: SyncApi) {
    this.item.name = 'Slice Sync';
    this.item.command = Commands.syncActions;
    this.subscriptions.push(sessions.onDidChange(() => this.render()));
    this.render();
  }

  dispose(): void {
    for (const d of this.subscriptions.splice(0)) d.dispose();
    this.item.dispose();
  }

  private render(): void {
    // an ended session has left the list: the item goes with it (no "disconnected" left behind)
    const all = this.sessions.sessions();
    const s = all[all.length - 1];
    if (!s) {
      this.item.hide();
      return;
    }
    const { text, warning } = statusText(s, all.length);
    this.item.text = text;
    this.item.backgroundColor = warning ? new vscode.ThemeColor('statusBarItem.warningBackground') : undefined;
    this.item.tooltip = tooltip(s);
    this.item.show();
  }
}

export function statusText(s: SyncSession, count: number): { text: string; warning: boolean } {
  const st = s.current;
  const name = s.target.workload + (count > 1 ? ` +${count - 1}` : '');
  switch (st.state) {
    case 'connecting':
      return { text: `$(sync~spin) ${name} · connecting`, warning: st.lastError !== undefined };
    case 'reconciling':
    case 'syncing':
      return { text: `$(sync~spin) ${name}`, warning: false };
    case 'disconnected':
      return { text: `$(warning) ${name} · disconnected`, warning: true };
    case 'disposed':
      return { text: `$(circle-slash) ${name}`, warning: false };
    case 'idle': {
      if (st.drift.length > 0) return { text: `$(warning) ${name} · ${st.drift.length} drifted`, warning: true };
      const ms = st.lastLatencyMs === undefined ? '' : ` · ${Math.round(st.lastLatencyMs)} ms`;
      return { text: `$(sync) ${name}${ms}`, warning: false };
    }
  }
}

function tooltip(s: SyncSession): vscode.MarkdownString {
  const t = s.target;
  const st = s.current;
  const md = new vscode.MarkdownString(undefined, true);
  md.appendMarkdown(`**Slice sync: ${t.workload}** in slice ${t.sliceLabel} — ${st.state}\n\n`);
  md.appendMarkdown(`\`${t.localRoot}\` → \`${t.namespace}/${st.pod ?? t.workload}:${t.containerPath}\`\n\n`);
  if (st.lastLatencyMs !== undefined) md.appendMarkdown(`Last save → in the container: **${Math.round(st.lastLatencyMs)} ms**\n\n`);
  if (st.lastReport && st.lastSyncAt) md.appendMarkdown(`Last sync ${st.lastSyncAt.toLocaleTimeString()}: ${st.lastReport.written} written, ${st.lastReport.deleted} deleted, ${st.lastReport.renamed} renamed\n\n`);
  if (st.lastHook) md.appendMarkdown(`After-sync action ${hookSummary(st.lastHook)}\n\n`);
  if (st.drift.length > 0) md.appendMarkdown(`$(warning) ${st.drift.length} file(s) were changed inside the container; **Reset Container to Local** overwrites them.\n\n`);
  if (st.lastError) md.appendMarkdown(`$(error) ${escape(st.lastError)}\n\n`);
  md.appendMarkdown('Click for actions: Stop Sync, Reset Container to Local, Show Logs.');
  return md;
}

function escape(s: string): string {
  return s.replace(/[\\`*_{}[\]()#+\-.!|<>]/g, '\\$&');
}
