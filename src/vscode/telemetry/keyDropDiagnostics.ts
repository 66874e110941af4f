import * as vscode from 'vscode';
import { DisposableStore, type IDisposable } from '../../core/base/disposable';
import { type Event } from '../../core/base/event';
import { type CodeLocation } from '../../core/telemetry/model';
import { type KeyDropFinding, keyDropFindings } from '../../core/telemetry/routedTrace';
import { type StoredTrace, type TraceSummary } from '../../core/telemetry/traceStore';
import { toCoreLine, toVsLine } from './positions';
import { Throttle } from './throttle';

export const KEY_DROP_DIAGNOSTIC_SOURCE = 'Slice routing';
export const KEY_DROP_DIAGNOSTIC_CODE = 'routing-key-dropped';

/** What the drops are read from: the telemetry service's traces, change events and locator. */
export interface RoutedTraceSource {
  readonly traces: { recent(limit?: number): readonly TraceSummary[]; get(traceId: string): StoredTrace | undefined };
  readonly onDidChange: Event<ReadonlySet<string> | undefined>;
  locate(code: CodeLocation | undefined): { readonly file: string; readonly line: number; readonly column: number } | undefined;
}

/**
 * The calls that dropped the routing key, in the developer's code: a warning on the calling line
 * (the code around the span that still had the key) in the Problems panel, and a hover there that
 * says which service lost it and how to fix propagation (src/core/telemetry/routedTrace.ts). Looks
 * at the recent traces at most every 500 ms while telemetry arrives.
 */
export class KeyDropDiagnostics implements IDisposable, vscode.HoverProvider {
  private readonly store = new DisposableStore('routing key drop diagnostics');
  private readonly collection = this.store.add(vscode.languages.createDiagnosticCollection('slice-routing'));
  private readonly throttle = this.store.add(new Throttle(500, () => this.render()));
  private findings: readonly KeyDropFinding[] = [];

  constructor(
    private readonly source: RoutedTraceSource,
    /** How many recent traces are looked at. */
    private readonly traceLimit = 200,
  ) {
    this.store.add(source.onDidChange(() => this.throttle.schedule()));
    this.store.add(vscode.languages.registerHoverProvider({ scheme: 'file' }, this));
    this.throttle.schedule();
  }

  /** The findings shown now (tests). */
  get current(): readonly KeyDropFinding[] {
    return this.findings;
  }

  private render(): void {
    const traces = this.source.traces.recent(this.traceLimit).flatMap((s) => this.source.traces.get(s.traceId) ?? []);
    this.findings = keyDropFindings(traces, (code) => this.source.locate(code));
    const byFile = new Map<string, vscode.Diagnostic[]>();
    for (const f of this.findings) {
      const line = toVsLine(f.line);
      const d = new vscode.Diagnostic(new vscode.Range(line, 0, line, Number.MAX_SAFE_INTEGER), f.message, vscode.DiagnosticSeverity.Warning);
      d.source = KEY_DROP_DIAGNOSTIC_SOURCE;
      d.code = KEY_DROP_DIAGNOSTIC_CODE;
      const list = byFile.get(f.file) ?? [];
      list.push(d);
      byFile.set(f.file, list);
    }
    this.collection.clear();
    for (const [file, list] of byFile) this.collection.set(vscode.Uri.file(file), list);
  }

  provideHover(document: vscode.TextDocument, position: vscode.Position): vscode.Hover | undefined {
    const line = toCoreLine(position.line);
    const here = this.findings.filter((f) => f.file === document.uri.fsPath && f.line === line);
    if (here.length === 0) return undefined;
    const md = new vscode.MarkdownString();
    md.supportHtml = false;
    for (const f of here) {
      md.appendMarkdown(`**Routing key dropped** — ${f.drop.calleeService} lost it`);
      md.appendText(` (${f.count} trace${f.count === 1 ? '' : 's'})\n\n`);
      md.appendText(f.message);
      md.appendMarkdown('\n\n');
    }
    return new vscode.Hover(md, document.lineAt(position.line).range);
  }

  /** Renders now (tests). */
  refresh(): void {
    this.render();
  }

  dispose(): void {
    this.store.dispose();
  }
}
