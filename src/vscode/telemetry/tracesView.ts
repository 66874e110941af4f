import * as vscode from 'vscode';
import { DisposableStore, type IDisposable } from '../../core/base/disposable';
import { type TraceSummary } from '../../core/telemetry/traceStore';
import { Commands } from '../commandRegistry';
import { ago, formatMs, oneLine, sourceLabel, traceRow } from '../../core/telemetry/present';
import { toVsLine } from './positions';
import { type RecentError } from '../../app/telemetry/recentErrors';
import { type TelemetryPipeline } from '../../app/telemetry/telemetryPipeline';
import { Throttle } from './throttle';
import { redact } from '../../core/telemetry/redact';
import { type LiveSessionFacts, liveRow, liveSummary } from '../../core/telemetry/liveSummary';
import { type LiveTelemetryView } from './liveTelemetry';

export const TRACES_VIEW_ID = 'slice.traces';

type Node =
  | { readonly kind: 'live'; readonly key: string; readonly facts: LiveSessionFacts }
  | { readonly kind: 'group'; readonly group: 'traces' | 'errors' }
  | { readonly kind: 'trace'; readonly trace: TraceSummary }
  | { readonly kind: 'error'; readonly error: RecentError };

const LINK_ICONS: Readonly<Record<LiveSessionFacts['link'], string>> = { streaming: 'broadcast', connecting: 'loading~spin', waiting: 'debug-disconnect', stopped: 'circle-slash' };

/** How often the rows' relative times ("12 s ago") are redrawn while the view is visible. */
const AGO_REFRESH_MS = 5_000;

const GROUPS: Node[] = [
  { kind: 'group', group: 'traces' },
  { kind: 'group', group: 'errors' },
];

/**
 * The "Traces & Errors" view: a row per live telemetry session (its state and counts, Stop Telemetry
 * inline; the state in short beside the title), then the recent traces (root span, duration,
 * errors) and recent errors, each opening the trace or the line.
 */
export class TracesView implements vscode.TreeDataProvider<Node>, IDisposable {
  private readonly store = new DisposableStore('traces view');
  private readonly changed = this.store.add(new vscode.EventEmitter<Node | undefined>());
  private readonly throttle = this.store.add(new Throttle(500, () => this.render(), { busy: () => this.service.busy, ms: 1000 }));
  private live: LiveTelemetryView | undefined;
  /** Redraws the relative times while the view is visible; stopped while hidden and on dispose. */
  private ageTimer: ReturnType<typeof setInterval> | undefined;
  readonly onDidChangeTreeData = this.changed.event;
  readonly treeView: vscode.TreeView<Node>;

  constructor(private readonly service: TelemetryPipeline) {
    this.treeView = this.store.add(vscode.window.createTreeView(TRACES_VIEW_ID, { treeDataProvider: this, showCollapseAll: false }));
    this.store.add(service.onDidChange(() => this.throttle.schedule()));
    this.store.add(this.treeView.onDidChangeVisibility((e) => this.ageRefresh(e.visible)));
    this.store.add({ dispose: () => this.ageRefresh(false) });
    this.ageRefresh(this.treeView.visible);
    this.updateContext();
  }

  /** Starts (visible) or stops the timer that redraws the rows' relative times. */
  private ageRefresh(visible: boolean): void {
    if (visible && !this.ageTimer) {
      this.ageTimer = setInterval(() => this.changed.fire(undefined), AGO_REFRESH_MS);
    } else if (!visible && this.ageTimer) {
      clearInterval(this.ageTimer);
      this.ageTimer = undefined;
    }
  }

  /** True while the relative-time timer runs (test hook). */
  get refreshingAges(): boolean {
    return this.ageTimer !== undefined;
  }

  /** Shows the live telemetry sessions (their counts are read at each render). */
  attachLive(live: LiveTelemetryView): void {
    this.live = live;
    this.store.add(live.onDidChange(() => this.throttle.schedule()));
    this.throttle.schedule();
  }

  private render(): void {
    this.treeView.description = liveSummary(this.live?.facts() ?? []).description;
    this.changed.fire(undefined);
  }

  invalidate(): void {
    this.throttle.schedule();
  }

  settled(): Promise<void> {
    return this.throttle.idle();
  }

  private updateContext(): void {
    void vscode.commands.executeCommand('setContext', 'slice.telemetryHasData', this.service.traces.size > 0 || this.service.errors.list().length > 0);
  }

  /** What the view shows now (test hook): the live rows (workload: description), the text beside the title, the traces' and the errors' labels. */
  snapshot(): { live: string[]; description: string | undefined; traces: string[]; traceDescriptions: string[]; errors: string[] } {
    const rows = this.traces().map((t) => traceRow(t, Date.now()));
    const live = (this.live?.facts() ?? []).map((f) => `${f.workload}: ${liveRow(f).description}`);
    return { live, description: this.treeView.description, traces: rows.map((r) => r.label), traceDescriptions: rows.map((r) => r.description), errors: this.errors().map((e) => `${e.type}: ${redact(e.message)}`) };
  }

  private traces(): TraceSummary[] {
    const shown = new Set(this.service.shownSources());
    return this.service.traces.recent(200).filter((t) => shown.has(t.source)).slice(0, 50);
  }

  private errors(): RecentError[] {
    const shown = new Set(this.service.shownSources());
    return this.service.errors.list().filter((e) => shown.has(e.source));
  }

  getChildren(node?: Node): Node[] {
    if (!node) {
      this.updateContext();
      const live: Node[] = (this.live?.facts() ?? []).map((f) => ({ kind: 'live', key: f.key, facts: f }));
      return this.service.traces.size > 0 || this.service.errors.list().length > 0 ? [...live, ...GROUPS] : live;
    }
    if (node.kind !== 'group') return [];
    return node.group === 'traces' ? this.traces().map((trace) => ({ kind: 'trace', trace })) : this.errors().map((error) => ({ kind: 'error', error }));
  }

  getTreeItem(node: Node): vscode.TreeItem {
    const both = this.service.shownSources().length > 1;
    switch (node.kind) {
      case 'live': {
        const row = liveRow(node.facts);
        const item = new vscode.TreeItem(row.label, vscode.TreeItemCollapsibleState.None);
        item.id = `live:${node.key}`;
        item.description = row.description;
        item.tooltip = row.tooltip;
        item.iconPath = new vscode.ThemeIcon(row.attention ? 'warning' : LINK_ICONS[node.facts.link], row.attention ? new vscode.ThemeColor('problemsWarningIcon.foreground') : undefined);
        item.contextValue = 'slice.liveTelemetry';
        return item;
      }
      case 'group': {
        const n = node.group === 'traces' ? this.traces().length : this.errors().length;
        const item = new vscode.TreeItem(node.group === 'traces' ? 'Recent Traces' : 'Recent Errors', vscode.TreeItemCollapsibleState.Expanded);
        item.description = String(n);
        item.id = `group:${node.group}`;
        return item;
      }
      case 'trace': {
        const t = node.trace;
        const row = traceRow(t, Date.now(), both ? t.source : undefined);
        const item = new vscode.TreeItem(row.label, vscode.TreeItemCollapsibleState.None);
        item.id = `trace:${t.traceId}`;
        item.description = row.description;
        item.iconPath = new vscode.ThemeIcon(t.errors > 0 ? 'error' : 'pulse', t.errors > 0 ? new vscode.ThemeColor('errorForeground') : undefined);
        item.tooltip = `${row.label}${t.status !== undefined ? ` → ${t.status}` : ''}\ntrace ${t.traceId}\n${formatMs(t.durationMs)}, ${t.spanCount} spans, ${t.errors} errors`;
        item.command = { title: 'Open Trace', command: Commands.openTrace, arguments: [t.traceId] };
        item.contextValue = 'slice.trace';
        return item;
      }
      case 'error': {
        const e = node.error.location && this.service.exists(node.error.location.file) === false ? { ...node.error, location: undefined } : node.error;
        const message = redact(e.message);
        const label = message.toLowerCase().startsWith(e.type.toLowerCase()) ? message : `${e.type}: ${message}`;
        const item = new vscode.TreeItem(oneLine(label, 90), vscode.TreeItemCollapsibleState.None);
        const where = e.location ? `${vscode.workspace.asRelativePath(vscode.Uri.file(e.location.file), false)}:${e.location.line}` : 'no workspace location';
        item.description = [where, ago(e.timeMs), both ? sourceLabel(e.source) : ''].filter(Boolean).join(' · ');
        item.iconPath = new vscode.ThemeIcon('bug', new vscode.ThemeColor('errorForeground'));
        item.tooltip = `${e.type}: ${message}\n${where}${e.traceId ? `\ntrace ${e.traceId}` : ''}`;
        if (e.location) {
          const line = toVsLine(e.location.line);
          item.command = { title: 'Open Line', command: 'vscode.open', arguments: [vscode.Uri.file(e.location.file), { selection: new vscode.Range(line, 0, line, 0) }] };
        } else if (e.traceId) {
          item.command = { title: 'Open Trace', command: Commands.openTrace, arguments: [e.traceId] };
        }
        return item;
      }
    }
  }

  dispose(): void {
    this.store.dispose();
  }
}
