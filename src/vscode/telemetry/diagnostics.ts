import * as vscode from 'vscode';
import { DisposableStore, type IDisposable } from '../../core/base/disposable';
import { type ErrorSample, type LineStats } from '../../core/telemetry';
import { type DocumentHashes } from './hash';
import { toLocation, toVsLine } from './positions';
import { type TelemetryService } from './telemetryService';
import { Throttle } from './throttle';
import { redact } from '../../core/telemetry/redact';

export const RUNTIME_DIAGNOSTIC_SOURCE = 'Slice runtime';

/**
 * Runtime errors in the Problems panel: the exception type and message at the throwing line, with
 * the call stack's workspace frames as related information. Stale ones are warnings that say so.
 */
export class RuntimeDiagnostics implements IDisposable {
  private readonly store = new DisposableStore('runtime diagnostics');
  private readonly collection = this.store.add(vscode.languages.createDiagnosticCollection('slice-runtime'));
  private readonly throttle = this.store.add(new Throttle(250, () => this.render()));

  constructor(
    private readonly service: TelemetryService,
    private readonly hashes: DocumentHashes,
  ) {
    this.store.add(service.onDidChange((files) => (files === undefined || files.size > 0) && this.throttle.schedule()));
    this.store.add(vscode.workspace.onDidChangeTextDocument((e) => e.document.uri.scheme === 'file' && this.throttle.schedule()));
    this.store.add(vscode.workspace.onDidOpenTextDocument(() => this.throttle.schedule()));
  }

  invalidate(): void {
    this.throttle.schedule();
  }

  settled(): Promise<void> {
    return this.throttle.idle();
  }

  private render(): void {
    const open = new Map<string, vscode.TextDocument>();
    for (const d of vscode.workspace.textDocuments) if (d.uri.scheme === 'file') open.set(d.uri.fsPath, d);
    this.collection.clear();
    for (const file of this.service.files()) {
      const doc = open.get(file);
      // Relative paths in logs can map to files that are not there: those stay out of the Problems panel.
      if (!doc && this.service.exists(file) !== true) continue;
      const out: vscode.Diagnostic[] = [];
      const seen = new Set<number>();
      for (const view of this.service.views(file, doc ? this.hashes.of(doc) : undefined)) {
        for (const l of view.lines) {
          if (!l.lastError || seen.has(l.line) || this.service.thrownElsewhere(file, l.line, l.lastError)) continue;
          seen.add(l.line);
          out.push(this.diagnostic(doc, l, l.lastError));
        }
      }
      if (out.length > 0) this.collection.set(vscode.Uri.file(file), out);
    }
  }

  private diagnostic(doc: vscode.TextDocument | undefined, l: LineStats, e: ErrorSample): vscode.Diagnostic {
    const line = toVsLine(l.line, doc);
    const range = doc ? new vscode.Range(line, doc.lineAt(line).firstNonWhitespaceCharacterIndex, line, doc.lineAt(line).range.end.character) : new vscode.Range(line, 0, line, 1000);
    const message = `${e.type ? `${e.type}: ` : ''}${redact(e.message) || 'error'}${l.errors > 1 ? ` (${l.errors}× in the window)` : ''}${l.stale ? ' (stale: recorded for an earlier version of this file)' : ''}`;
    const d = new vscode.Diagnostic(range, message, l.stale ? vscode.DiagnosticSeverity.Warning : vscode.DiagnosticSeverity.Error);
    d.source = RUNTIME_DIAGNOSTIC_SOURCE;
    if (e.traceId) d.code = `trace ${e.traceId.slice(0, 8)}`;
    const related: vscode.DiagnosticRelatedInformation[] = [];
    for (const f of e.frames) {
      const loc = this.service.locator.resolveFrame(f);
      if (!loc?.userCode) continue;
      related.push(new vscode.DiagnosticRelatedInformation(toLocation(loc.file, loc.line, loc.column), `at ${f.function || '<anonymous>'}`));
      if (related.length >= 20) break;
    }
    if (related.length > 0) d.relatedInformation = related;
    return d;
  }

  dispose(): void {
    this.store.dispose();
  }
}
