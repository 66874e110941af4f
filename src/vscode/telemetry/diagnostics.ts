import * as vscode from 'vscode';
import { DisposableStore, type IDisposable } from '../../core/base/disposable';
import { type ErrorSample, type LineStats, type Locator } from '../../core/telemetry';
import { type DocumentHashes } from './hash';
import { toLocation, toVsLine } from './positions';
import { type TelemetryPipeline } from '../../app/telemetry/telemetryPipeline';
import { Throttle } from './throttle';
import { redact } from '../../core/telemetry/redact';

export const RUNTIME_DIAGNOSTIC_SOURCE = 'Slice runtime';

/**
 * Runtime errors in the Problems panel: the exception type and message at the throwing line, with
 * the call stack's workspace frames as related information. Stale ones are warnings that say so.
 * Renders only the files whose data or buffer changed (all of them when everything may have), at
 * most every 250 ms (every second during a burst), and keeps each diagnostic while its line's
 * statistics object and document version are the same.
 */
export class RuntimeDiagnostics implements IDisposable {
  private readonly store = new DisposableStore('runtime diagnostics');
  private readonly collection = this.store.add(vscode.languages.createDiagnosticCollection('slice-runtime'));
  private readonly throttle = this.store.add(new Throttle(250, () => this.render(), { busy: () => this.service.busy, ms: 1000 }));
  /** Files to render at the next run; undefined: all. */
  private dirty: Set<string> | undefined = new Set();
  /** Files that had diagnostics at the last run. */
  private shown = new Set<string>();
  private readonly related = new WeakMap<ErrorSample, { readonly locator: Locator; readonly related: vscode.DiagnosticRelatedInformation[] }>();
  private readonly made = new WeakMap<LineStats, { readonly doc: vscode.TextDocument | undefined; readonly version: number; readonly diagnostic: vscode.Diagnostic }>();

  constructor(
    private readonly service: TelemetryPipeline,
    private readonly hashes: DocumentHashes,
  ) {
    this.store.add(
      service.onDidChange((files) => {
        if (files === undefined) this.invalidate();
        else if (files.size > 0) this.mark(files);
      }),
    );
    this.store.add(
      vscode.workspace.onDidChangeTextDocument((e) => {
        if (e.document.uri.scheme !== 'file') return;
        hashes.edited(e);
        this.mark([e.document.uri.fsPath]);
      }),
    );
    this.store.add(vscode.workspace.onDidOpenTextDocument((d) => d.uri.scheme === 'file' && this.mark([d.uri.fsPath])));
  }

  /** Renders every file soon. */
  invalidate(): void {
    this.dirty = undefined;
    this.throttle.schedule();
  }

  private mark(files: Iterable<string>): void {
    if (this.dirty) for (const f of files) this.dirty.add(f);
    this.throttle.schedule();
  }

  settled(): Promise<void> {
    return this.throttle.idle();
  }

  private render(): void {
    const open = new Map<string, vscode.TextDocument>();
    for (const d of vscode.workspace.textDocuments) if (d.uri.scheme === 'file') open.set(d.uri.fsPath, d);
    const files = new Set(this.service.files());
    // files that lost their data (cleared, evicted, another source shown) lose their diagnostics
    let todo: Iterable<string> = files;
    if (this.dirty) {
      const some = new Set<string>();
      for (const f of this.dirty) if (files.has(f) || this.shown.has(f)) some.add(f);
      for (const f of this.shown) if (!files.has(f)) some.add(f);
      todo = some;
    } else {
      this.collection.clear();
      this.shown.clear();
    }
    this.dirty = new Set();
    for (const file of todo) {
      const out = files.has(file) ? this.diagnosticsOf(file, open.get(file)) : [];
      if (out.length > 0) {
        this.collection.set(vscode.Uri.file(file), out);
        this.shown.add(file);
      } else if (this.shown.delete(file)) {
        this.collection.delete(vscode.Uri.file(file));
      }
    }
  }

  private diagnosticsOf(file: string, doc: vscode.TextDocument | undefined): vscode.Diagnostic[] {
    // Relative paths in logs can map to files that are not there: those stay out of the Problems panel.
    if (!doc && this.service.exists(file) !== true) return [];
    const out: vscode.Diagnostic[] = [];
    const seen = new Set<number>();
    const version = doc?.version ?? -1;
    for (const view of this.service.views(file, doc ? this.hashes.of(doc) : undefined)) {
      for (const l of view.lines) {
        if (!l.lastError || l.lastError.answered !== undefined || seen.has(l.line) || this.service.thrownElsewhere(file, l.line, l.lastError)) continue;
        seen.add(l.line);
        const hit = this.made.get(l);
        if (hit && hit.doc === doc && hit.version === version) {
          out.push(hit.diagnostic);
          continue;
        }
        const diagnostic = this.diagnostic(doc, l, l.lastError);
        if (!diagnostic) continue;
        this.made.set(l, { doc, version, diagnostic });
        out.push(diagnostic);
      }
    }
    return out;
  }

  /** The diagnostic of a line's error, on the line where it is now (undefined: that line was deleted since). */
  private diagnostic(doc: vscode.TextDocument | undefined, l: LineStats, e: ErrorSample): vscode.Diagnostic | undefined {
    // data of an earlier version: its line follows the edits made since (lines inserted above move it down)
    const moved = doc && l.stale ? this.hashes.lineNow(doc, l.version, toVsLine(l.line)) : toVsLine(l.line, doc);
    if (moved === undefined) return undefined;
    const line = doc ? Math.min(moved, doc.lineCount - 1) : moved;
    const text = doc?.lineAt(line);
    const range = text ? new vscode.Range(line, text.firstNonWhitespaceCharacterIndex, line, text.range.end.character) : new vscode.Range(line, 0, line, 1000);
    const message = `${e.type ? `${e.type}: ` : ''}${redact(e.message) || 'error'}${l.errors > 1 ? ` (${l.errors}× in the window)` : ''}${l.stale ? ' (stale: recorded for an earlier version of this file)' : ''}`;
    const d = new vscode.Diagnostic(range, message, l.stale ? vscode.DiagnosticSeverity.Warning : vscode.DiagnosticSeverity.Error);
    d.source = RUNTIME_DIAGNOSTIC_SOURCE;
    if (e.traceId) d.code = `trace ${e.traceId.slice(0, 8)}`;
    const related = this.relatedOf(e);
    if (related.length > 0) d.relatedInformation = related;
    return d;
  }

  /** The workspace frames of an error's stack (resolved once per error sample while the path mappings last). */
  private relatedOf(e: ErrorSample): vscode.DiagnosticRelatedInformation[] {
    const locator = this.service.locator;
    const hit = this.related.get(e);
    if (hit && hit.locator === locator) return hit.related;
    const related: vscode.DiagnosticRelatedInformation[] = [];
    for (const f of e.frames) {
      const loc = locator.resolveFrame(f);
      if (!loc?.userCode) continue;
      related.push(new vscode.DiagnosticRelatedInformation(toLocation(loc.file, loc.line, loc.column), `at ${f.function || '<anonymous>'}`));
      if (related.length >= 20) break;
    }
    this.related.set(e, { locator, related });
    return related;
  }

  dispose(): void {
    this.store.dispose();
  }
}
