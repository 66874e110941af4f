import * as vscode from 'vscode';
import { DisposableStore, type IDisposable } from '../../core/base/disposable';
import { type ErrorSample, type LineStats } from '../../core/telemetry';
import { ago, oneLine, sourceLabel } from '../../core/telemetry/present';
import { type DocumentHashes } from './hash';
import { toVsLine } from './positions';
import { type TelemetryPipeline } from '../../app/telemetry/telemetryPipeline';
import { Throttle } from './throttle';
import { redact } from '../../core/telemetry/redact';

/** What the renderer last applied to an editor, for tests: 0-based lines and the text shown. */
export interface AppliedDecoration {
  readonly line: number;
  readonly kind: 'error' | 'log';
  readonly text: string;
  readonly stale: boolean;
}

const after = (color: string, extra: vscode.ThemableDecorationAttachmentRenderOptions = {}): vscode.DecorationRenderOptions => ({
  after: { color: new vscode.ThemeColor(color), margin: '0 0 0 2.5em', fontStyle: 'italic', ...extra },
  rangeBehavior: vscode.DecorationRangeBehavior.ClosedClosed,
});

/** Lines above and below the visible ranges that are decorated too (a short scroll shows them at once). */
const MARGIN = 100;

/**
 * End-of-line text for the last error and the last log line at each line with data, in the
 * visible editors only and only near their visible ranges (re-rendered when they scroll),
 * at most every 100 ms (every 500 ms during a burst). Stale data is dimmed and says so.
 */
export class TelemetryDecorations implements IDisposable {
  private readonly store = new DisposableStore('telemetry decorations');
  private readonly error = this.store.add(vscode.window.createTextEditorDecorationType(after('editorError.foreground')));
  private readonly log = this.store.add(vscode.window.createTextEditorDecorationType(after('editorCodeLens.foreground')));
  private readonly stale = this.store.add(vscode.window.createTextEditorDecorationType(after('editorCodeLens.foreground', { textDecoration: 'none; opacity: 0.45' })));
  private readonly throttle = this.store.add(new Throttle(100, () => this.render(), { busy: () => this.service.busy, ms: 500 }));
  private readonly decorated = new Set<vscode.TextEditor>();
  /** The decorations applied per document URI at the last render (test hook). */
  readonly applied = new Map<string, AppliedDecoration[]>();

  constructor(
    private readonly service: TelemetryPipeline,
    private readonly hashes: DocumentHashes,
    private readonly enabled: () => boolean,
  ) {
    this.store.add(
      service.onDidChange((files) => {
        if (files === undefined || vscode.window.visibleTextEditors.some((e) => files.has(e.document.uri.fsPath))) this.throttle.schedule();
      }),
    );
    this.store.add(vscode.window.onDidChangeVisibleTextEditors(() => this.throttle.schedule()));
    this.store.add(vscode.window.onDidChangeTextEditorVisibleRanges(() => this.throttle.schedule()));
    this.store.add(vscode.workspace.onDidChangeTextDocument((e) => vscode.window.visibleTextEditors.some((v) => v.document === e.document) && this.throttle.schedule()));
    this.throttle.schedule();
  }

  /** Re-renders soon (throttled). */
  invalidate(): void {
    this.throttle.schedule();
  }

  /** Resolves after the pending render, if any. */
  settled(): Promise<void> {
    return this.throttle.idle();
  }

  private render(): void {
    const on = this.enabled();
    const visible = new Set(vscode.window.visibleTextEditors);
    for (const editor of this.decorated) if (!visible.has(editor)) this.decorated.delete(editor);
    this.applied.clear();
    for (const editor of visible) {
      const doc = editor.document;
      if (doc.uri.scheme !== 'file') continue;
      const path = doc.uri.fsPath;
      const views = on ? this.service.views(path, this.hashes.of(doc)) : [];
      if (views.length === 0 && !this.decorated.has(editor)) continue;
      const errors: vscode.DecorationOptions[] = [];
      const logs: vscode.DecorationOptions[] = [];
      const stale: vscode.DecorationOptions[] = [];
      const applied: AppliedDecoration[] = [];
      const taken = new Set<number>();
      const both = views.length > 1;
      const near = nearVisible(editor);
      for (const view of views) {
        for (const l of view.lines) {
          if (!near(l.line)) continue;
          const ownError = l.lastError && l.lastError.answered === undefined && !this.service.thrownElsewhere(path, l.line, l.lastError) ? l.lastError : undefined;
          const item = textOf(l, ownError, both ? `${sourceLabel(view.source)}: ` : '');
          if (!item) continue;
          const line = toVsLine(l.line, doc);
          if (taken.has(line)) continue;
          taken.add(line);
          const end = doc.lineAt(line).range.end;
          const text = l.stale ? `(stale) ${item.text}` : item.text;
          const opt: vscode.DecorationOptions = { range: new vscode.Range(end, end), renderOptions: { after: { contentText: text } } };
          (l.stale ? stale : item.kind === 'error' ? errors : logs).push(opt);
          applied.push({ line, kind: item.kind, text, stale: l.stale });
        }
      }
      editor.setDecorations(this.error, errors);
      editor.setDecorations(this.log, logs);
      editor.setDecorations(this.stale, stale);
      if (applied.length > 0) {
        this.decorated.add(editor);
        this.applied.set(doc.uri.toString(), applied);
      } else {
        this.decorated.delete(editor);
      }
    }
  }

  dispose(): void {
    this.store.dispose();
  }
}

/** Whether a 1-based line is within {@link MARGIN} lines of the editor's visible ranges. */
function nearVisible(editor: vscode.TextEditor): (line: number) => boolean {
  const ranges = editor.visibleRanges.map((r) => [r.start.line + 1 - MARGIN, r.end.line + 1 + MARGIN] as const);
  if (ranges.length === 0) return () => true;
  return (line) => ranges.some(([a, b]) => line >= a && line <= b);
}

/** The line's own error when it is the latest event there, else the last log line. */
function textOf(l: LineStats, e: ErrorSample | undefined, prefix: string): { kind: 'error' | 'log'; text: string } | undefined {
  const log = l.lastLogs[0];
  if (e && (!log || e.timeMs >= log.timeMs || log.severityNumber >= 17)) {
    return { kind: 'error', text: `${prefix}✖ ${oneLine(redact(e.type ? `${e.type}: ${e.message}` : e.message), 100)} · ${ago(e.timeMs)}` };
  }
  if (log) return { kind: 'log', text: `${prefix}▸ ${oneLine(redact(log.body), 100)}` };
  return undefined;
}
