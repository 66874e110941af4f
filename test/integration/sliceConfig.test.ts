import * as assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as vscode from 'vscode';
import { activateSlice, scratch, waitFor } from './helpers';

describe('slice.yaml in the editor', () => {
  before(async () => {
    await activateSlice();
  });

  it('problems appear in the Problems panel at the lines they are about, and clear when fixed', async () => {
    const dir = join(scratch, 'ws-config');
    mkdirSync(dir, { recursive: true });
    const file = join(dir, 'slice.yaml');
    writeFileSync(file, 'baseline: shop\nttl: forever\nforks:\n  - workload: checkout\n    contianer: app\n');
    const doc = await vscode.workspace.openTextDocument(vscode.Uri.file(file));
    await vscode.window.showTextDocument(doc);
    const diags = await waitFor('slice.yaml diagnostics', () => {
      const d = vscode.languages.getDiagnostics(doc.uri).filter((x) => x.source === 'slice.yaml');
      return d.length >= 2 ? d : undefined;
    });
    const byLine = new Map(diags.map((d) => [d.range.start.line, d]));
    assert.equal(byLine.get(1)?.message, 'ttl: must be a duration like 90m, 4h or 2d.');
    assert.equal(byLine.get(4)?.message, 'forks[0]: unknown field `contianer` (did you mean `container`?).');
    assert.equal(byLine.get(4)?.range.start.character, 4);
    assert.equal(byLine.get(4)?.severity, vscode.DiagnosticSeverity.Error);

    const editor = vscode.window.activeTextEditor!;
    await editor.edit((b) => b.replace(new vscode.Range(0, 0, doc.lineCount, 0), 'baseline: shop\nttl: 4h\nforks:\n  - workload: checkout\n    container: app\n'));
    await waitFor('diagnostics to clear', () => vscode.languages.getDiagnostics(doc.uri).filter((x) => x.source === 'slice.yaml').length === 0);
    await vscode.commands.executeCommand('workbench.action.revertAndCloseActiveEditor');
  });
});
