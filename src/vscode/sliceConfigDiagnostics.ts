import * as vscode from 'vscode';
import { DisposableStore, type IDisposable } from '../core/base/disposable';
import { type ConfigProblem, type ConfigParseResult, SLICE_CONFIG_FILE, parseWorkspaceConfig } from '../core/slice/workspaceConfig';

/**
 * Validates every open slice.yaml as it is edited and puts its problems in the Problems panel, at
 * the lines they are about. (With the YAML extension installed, the contributed JSON Schema adds
 * completion and hovers on top.)
 */
export class SliceConfigDiagnostics implements IDisposable {
  private readonly store = new DisposableStore('slice.yaml diagnostics');
  private readonly collection: vscode.DiagnosticCollection;

  constructor() {
    this.collection = this.store.add(vscode.languages.createDiagnosticCollection('slice'));
    this.store.add(vscode.workspace.onDidOpenTextDocument((d) => this.check(d)));
    this.store.add(vscode.workspace.onDidChangeTextDocument((e) => this.check(e.document)));
    this.store.add(vscode.workspace.onDidCloseTextDocument((d) => isSliceConfig(d.uri) && this.collection.delete(d.uri)));
    for (const d of vscode.workspace.textDocuments) this.check(d);
  }

  /** Validates a document (also used by Create Slice); returns the parse result. */
  check(document: vscode.TextDocument): ConfigParseResult | undefined {
    if (!isSliceConfig(document.uri)) return undefined;
    const result = parseWorkspaceConfig(document.getText());
    this.collection.set(document.uri, (result.ok ? result.warnings : result.problems).map(toDiagnostic));
    return result;
  }

  dispose(): void {
    this.store.dispose();
  }
}

export function isSliceConfig(uri: vscode.Uri): boolean {
  return uri.path.endsWith(`/${SLICE_CONFIG_FILE}`);
}

function toDiagnostic(p: ConfigProblem): vscode.Diagnostic {
  // The core counts lines and columns from 1; VS Code from 0.
  const range = new vscode.Range(p.range.startLine - 1, p.range.startColumn - 1, p.range.endLine - 1, Math.max(p.range.endColumn - 1, p.range.startColumn));
  const d = new vscode.Diagnostic(range, p.message, p.severity === 'error' ? vscode.DiagnosticSeverity.Error : vscode.DiagnosticSeverity.Warning);
  d.source = 'slice.yaml';
  return d;
}
