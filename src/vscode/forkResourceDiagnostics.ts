import * as vscode from 'vscode';
import { DisposableStore, type IDisposable } from '../core/base/disposable';
import { type SliceResourceProblems, placeResourceProblems } from '../core/cluster/forkResourceProblems';
import { SLICE_CONFIG_FILE } from '../core/slice/workspaceConfig';
import { type ForkResourceWatch } from '../app/slices/forkResourceWatch';
import { isSliceConfig } from './sliceConfigDiagnostics';

/**
 * Renders the resource problems of my slices' forks (OOMKilled, CPU at its limit: decided in
 * core/cluster/forkResourceProblems.ts, read by src/app/slices/forkResourceWatch.ts) as warnings in
 * the Problems panel, on the fork's entry of each workspace slice.yaml that made the slice. Kept in
 * a collection of their own, so the file's validation (sliceConfigDiagnostics.ts) and these do not
 * replace each other; placed again when the file is edited (the lines move) or the problems change.
 */
export class ForkResourceDiagnostics implements IDisposable {
  private readonly store = new DisposableStore('fork resource diagnostics');
  private readonly collection: vscode.DiagnosticCollection;
  private slices: readonly SliceResourceProblems[];
  private placing: Promise<void> = Promise.resolve();

  constructor(watch: ForkResourceWatch) {
    this.collection = this.store.add(vscode.languages.createDiagnosticCollection('slice-resources'));
    this.slices = watch.problems;
    this.store.add(
      watch.onDidChange((slices) => {
        this.slices = slices;
        this.placeAll();
      }),
    );
    this.store.add(vscode.workspace.onDidChangeTextDocument((e) => isSliceConfig(e.document.uri) && this.place(e.document.uri, e.document.getText())));
    this.placeAll();
  }

  /** Places the problems in every slice.yaml of the workspace (one pass at a time). */
  private placeAll(): void {
    this.placing = this.placing.then(async () => {
      if (!this.slices.some((s) => s.problems.length > 0)) {
        this.collection.clear();
        return;
      }
      const files = await vscode.workspace.findFiles(`**/${SLICE_CONFIG_FILE}`, '**/node_modules/**', 20);
      for (const uri of files) {
        const open = vscode.workspace.textDocuments.find((d) => d.uri.toString() === uri.toString());
        const text = open ? open.getText() : new TextDecoder().decode(await vscode.workspace.fs.readFile(uri));
        this.place(uri, text);
      }
    }).catch(() => undefined);
  }

  private place(uri: vscode.Uri, text: string): void {
    const placed = placeResourceProblems(text, this.slices);
    this.collection.set(
      uri,
      placed.map((p) => {
        const r = p.range;
        const d = new vscode.Diagnostic(new vscode.Range(r.startLine - 1, r.startColumn - 1, r.endLine - 1, Math.max(r.endColumn - 1, r.startColumn)), p.message, vscode.DiagnosticSeverity.Warning);
        d.source = 'slice (cluster)';
        return d;
      }),
    );
  }

  dispose(): void {
    this.store.dispose();
  }
}
