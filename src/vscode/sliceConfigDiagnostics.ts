import * as vscode from 'vscode';
import { DisposableStore, type IDisposable } from '../core/base/disposable';
import { type PlatformLimits } from '../core/slice/limits';
import { type ConfigProblem, type ConfigParseResult, type ConfigRange, SLICE_CONFIG_FILE, parseWorkspaceConfig } from '../core/slice/workspaceConfig';

/**
 * Validates every open slice.yaml as it is edited and puts all its problems in the Problems panel,
 * at the lines they are about, with a quick fix where there is one ("did you mean"); with the
 * platform's limits known, a value over a cap is a warning saying what the slice will get. (With the
 * YAML extension installed, the contributed JSON Schema adds completion and hovers on top.)
 */
export class SliceConfigDiagnostics implements IDisposable, vscode.CodeActionProvider {
  private readonly store = new DisposableStore('slice.yaml diagnostics');
  private readonly collection: vscode.DiagnosticCollection;
  private limits: PlatformLimits | undefined;
  /** The fixes of the diagnostics last set, by document. */
  private readonly fixes = new Map<string, Map<vscode.Diagnostic, NonNullable<ConfigProblem['fix']>>>();

  constructor() {
    this.collection = this.store.add(vscode.languages.createDiagnosticCollection('slice'));
    this.store.add(vscode.languages.registerCodeActionsProvider({ pattern: `**/${SLICE_CONFIG_FILE}` }, this, { providedCodeActionKinds: [vscode.CodeActionKind.QuickFix] }));
    this.store.add(vscode.workspace.onDidOpenTextDocument((d) => this.check(d)));
    this.store.add(vscode.workspace.onDidChangeTextDocument((e) => this.check(e.document)));
    this.store.add(vscode.workspace.onDidCloseTextDocument((d) => isSliceConfig(d.uri) && this.collection.delete(d.uri)));
    for (const d of vscode.workspace.textDocuments) this.check(d);
  }

  /** The platform's limits, once read: open slice.yaml files are checked against them again. */
  setLimits(limits: PlatformLimits | undefined): void {
    if (limits === this.limits) return;
    this.limits = limits;
    for (const d of vscode.workspace.textDocuments) this.check(d);
  }

  /** Validates a document (also used by Create Slice); returns the parse result. */
  check(document: vscode.TextDocument): ConfigParseResult | undefined {
    if (!isSliceConfig(document.uri)) return undefined;
    return this.checkText(document.uri, document.getText());
  }

  /** Validates the text of a slice.yaml (the file on disk, when the editor's copy may lag). */
  checkText(uri: vscode.Uri, text: string): ConfigParseResult {
    const result = parseWorkspaceConfig(text, this.limits);
    const fixes = new Map<vscode.Diagnostic, NonNullable<ConfigProblem['fix']>>();
    const diagnostics = (result.ok ? result.warnings : result.problems).map((p) => {
      const d = toDiagnostic(p);
      if (p.fix) fixes.set(d, p.fix);
      return d;
    });
    this.fixes.set(uri.toString(), fixes);
    this.collection.set(uri, diagnostics);
    return result;
  }

  provideCodeActions(document: vscode.TextDocument, _range: vscode.Range, context: vscode.CodeActionContext): vscode.CodeAction[] {
    const fixes = this.fixes.get(document.uri.toString());
    if (!fixes) return [];
    const out: vscode.CodeAction[] = [];
    for (const [diagnostic, fix] of fixes) {
      if (!context.diagnostics.some((d) => d.message === diagnostic.message && d.range.isEqual(diagnostic.range))) continue;
      const action = new vscode.CodeAction(fix.title, vscode.CodeActionKind.QuickFix);
      action.edit = new vscode.WorkspaceEdit();
      action.edit.replace(document.uri, toRange(fix.range), fix.text);
      action.diagnostics = [diagnostic];
      action.isPreferred = true;
      out.push(action);
    }
    return out;
  }

  dispose(): void {
    this.store.dispose();
  }
}

export function isSliceConfig(uri: vscode.Uri): boolean {
  return uri.path.endsWith(`/${SLICE_CONFIG_FILE}`);
}

/** The core counts lines and columns from 1; VS Code from 0. */
function toRange(r: ConfigRange): vscode.Range {
  return new vscode.Range(r.startLine - 1, r.startColumn - 1, r.endLine - 1, Math.max(r.endColumn - 1, r.startColumn - 1));
}

function toDiagnostic(p: ConfigProblem): vscode.Diagnostic {
  const range = new vscode.Range(p.range.startLine - 1, p.range.startColumn - 1, p.range.endLine - 1, Math.max(p.range.endColumn - 1, p.range.startColumn));
  const d = new vscode.Diagnostic(range, p.message, p.severity === 'error' ? vscode.DiagnosticSeverity.Error : vscode.DiagnosticSeverity.Warning);
  d.source = 'slice.yaml';
  return d;
}
