import * as assert from 'node:assert/strict';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { type KubeConfig } from '@kubernetes/client-node';
import * as vscode from 'vscode';
import { DeveloperOnCluster, execIn, workspaceConfig, workspaceDir } from './developerOnCluster';
import { waitFor } from './helpers';

/** `cat` of a file in a container (as admin); undefined when it is not there. */
async function catIn(kc: KubeConfig, ns: string, pod: string, container: string, file: string): Promise<string | undefined> {
  const r = await execIn(kc, ns, pod, container, ['cat', file]);
  return r.status === 'Success' ? r.stdout : undefined;
}

/**
 * Start Sync from the editor as alice on the real cluster: a file saved in the editor appears in the
 * fork's app container, then Stop Sync ends the session.
 */
describe('Sync on save from the editor, as alice, on the real cluster', function () {
  this.timeout(300_000);
  const id = Date.now().toString(36);
  const alice = new DeveloperOnCluster({ developer: 'alice', kubeconfigName: 'alice-sync.kubeconfig', baseline: `it-sync-${id}`, service: false });
  const localDir = join(workspaceDir, `sync-it-${id}`);
  let objectName = '';

  before(async function () {
    await alice.setUp(this);
    mkdirSync(join(localDir, 'src'), { recursive: true });
    writeFileSync(join(localDir, 'src', 'main.js'), "console.log('v1');\n");
    writeFileSync(join(localDir, 'src', 'notes.txt'), 'v1\n');
    writeConfig();
  });

  // test/workspace/slice.yaml is shared with other suites (and other runs): written again right before use
  function writeConfig(): void {
    writeFileSync(workspaceConfig, `baseline: ${alice.baseline}\nttl: 1h\nforks:\n  - workload: checkout\n    container: app\n    sync:\n      local: sync-it-${id}\n      container: /app\n`);
  }

  after(async () => {
    await alice.tearDown(objectName);
    rmSync(localDir, { recursive: true, force: true });
  });

  it('Start Sync, save in the editor, the file is in the container; Stop Sync ends it', async () => {
    objectName = (await vscode.commands.executeCommand<string>('slice.createSlice', `sy-${id}`)) ?? '';
    assert.equal(objectName, `alice-sy-${id}`);
    await alice.api.environments.refresh();
    const env = alice.sliceInModel(objectName);
    assert.ok(env, 'the slice is in the model');
    writeConfig();
    const key = await vscode.commands.executeCommand<string>('slice.startSync', { kind: 'environment', environment: env });
    assert.ok(key, 'Start Sync returned its session');
    const session = alice.api.sync.sessions().find((s) => s.key === key);
    assert.ok(session);
    assert.equal(session.target.localRoot, localDir);
    assert.equal(session.current.state, 'idle');
    const pod = session.current.pod!;
    const ns = session.target.namespace;
    assert.equal(await catIn(alice.adminKc, ns, pod, 'app', '/app/src/main.js'), "console.log('v1');\n");

    // a plain-text file: no language save participants in the way
    const doc = await vscode.workspace.openTextDocument(vscode.Uri.file(join(localDir, 'src', 'notes.txt')));
    await vscode.window.showTextDocument(doc);
    const edit = new vscode.WorkspaceEdit();
    edit.replace(doc.uri, new vscode.Range(0, 0, doc.lineCount, 0), "console.log('saved from the editor');\n");
    assert.ok(await vscode.workspace.applyEdit(edit), 'the edit applies');
    assert.ok(doc.isDirty, 'the document is dirty');
    if (!(await doc.save())) await vscode.commands.executeCommand('workbench.action.files.save');
    await waitFor('the document to be saved', () => !doc.isDirty, 10_000);
    await waitFor('a sync after the save', () => session.current.lastLatencyMs !== undefined && session.current.lastReport?.kind === 'changes', 30_000);
    assert.equal(await catIn(alice.adminKc, ns, pod, 'app', '/app/src/notes.txt'), "console.log('saved from the editor');\n");
    // the status bar shows a measured save → container time (its speed is bench/sync's business, not a test's)
    const latency = session.current.lastLatencyMs!;
    assert.ok(Number.isFinite(latency) && latency >= 0, `save → container time is not a duration: ${latency}`);
    await vscode.commands.executeCommand('workbench.action.closeActiveEditor');

    await vscode.commands.executeCommand('slice.stopSync', key);
    assert.equal(alice.api.sync.sessions().length, 0);
  });
});
