import * as assert from 'node:assert/strict';
import { existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { CoreV1Api, Exec, KubeConfig } from '@kubernetes/client-node';
import { createNodeBaseline } from '../support/baseline';
import * as vscode from 'vscode';
import { type SliceApi } from '../../src/container';
import { activateSlice, scratch, useKubeconfig, waitFor } from './helpers';

/** `cat` of a file in a container (as admin); undefined when it is not there. */
async function catIn(kc: KubeConfig, ns: string, pod: string, container: string, file: string): Promise<string | undefined> {
  let out = '';
  const stdout = new Writable({ write: (c: Buffer, _e, cb) => ((out += c.toString('utf8')), cb()) });
  const status = await new Promise<string>((resolve, reject) => {
    new Exec(kc).exec(ns, pod, container, ['cat', file], stdout, null, null, false, (s) => setTimeout(() => resolve(s.status ?? ''), 50)).catch(reject);
  });
  return status === 'Success' ? out : undefined;
}

/**
 * Start Sync from the editor as alice on the real cluster: a file saved in the editor appears in the
 * fork's app container, then Stop Sync ends the session.
 */
describe('Sync on save from the editor, as alice, on the real cluster', function () {
  this.timeout(300_000);
  const admin = process.env.SLICE_KUBECONFIG_ADMIN ?? '';
  const alice = process.env.SLICE_KUBECONFIG_ALICE ?? '';
  const id = Date.now().toString(36);
  const baseline = `it-sync-${id}`;
  const workspace = join(__dirname, '..', '..', '..', 'test', 'workspace');
  const workspaceConfig = join(workspace, 'slice.yaml');
  const localDir = join(workspace, `sync-it-${id}`);
  let api: SliceApi;
  let adminKc: KubeConfig;
  let objectName = '';

  before(async function () {
    if (!admin || !existsSync(admin) || !alice || !existsSync(alice)) this.skip();
    adminKc = new KubeConfig();
    adminKc.loadFromFile(admin);
    const aliceKc = new KubeConfig();
    aliceKc.loadFromFile(alice);
    api = await activateSlice();
    const file = join(scratch, 'alice-sync.kubeconfig');
    writeFileSync(file, aliceKc.exportConfig());
    await useKubeconfig(api, file);
    const cluster = api.environments.state.cluster;
    if (cluster.status !== 'ok' || !cluster.platformInstalled) this.skip();
    await createNodeBaseline(adminKc, baseline, { service: false });
    mkdirSync(join(localDir, 'src'), { recursive: true });
    writeFileSync(join(localDir, 'src', 'main.js'), "console.log('v1');\n");
    writeFileSync(join(localDir, 'src', 'notes.txt'), 'v1\n');
    writeConfig();
  });

  // test/workspace/slice.yaml is shared with other suites (and other runs): written again right before use
  function writeConfig(): void {
    writeFileSync(workspaceConfig, `baseline: ${baseline}\nttl: 1h\nforks:\n  - workload: checkout\n    container: app\n    sync:\n      local: sync-it-${id}\n      container: /app\n`);
  }

  after(async () => {
    for (const s of api?.sync.sessions() ?? []) await vscode.commands.executeCommand('slice.stopSync', s.key);
    if (objectName) {
      const env = api.environments.state.cluster.status === 'ok' ? api.environments.state.cluster.environments.find((e) => e.kind === 'slice' && e.resource?.name === objectName) : undefined;
      if (env) await vscode.commands.executeCommand('slice.deleteSlice', { kind: 'environment', environment: env }, { confirm: false });
    }
    rmSync(workspaceConfig, { force: true });
    rmSync(localDir, { recursive: true, force: true });
    if (adminKc) await adminKc.makeApiClient(CoreV1Api).deleteNamespace({ name: baseline }).catch(() => undefined);
    await vscode.workspace.getConfiguration('slice').update('kubeconfig', undefined, vscode.ConfigurationTarget.Global);
  });

  it('Start Sync, save in the editor, the file is in the container; Stop Sync ends it', async () => {
    objectName = (await vscode.commands.executeCommand<string>('slice.createSlice', `sy-${id}`)) ?? '';
    assert.equal(objectName, `alice-sy-${id}`);
    await api.environments.refresh();
    const cluster = api.environments.state.cluster;
    const env = cluster.status === 'ok' ? cluster.environments.find((e) => e.kind === 'slice' && e.resource?.name === objectName) : undefined;
    assert.ok(env, 'the slice is in the model');
    writeConfig();
    const key = await vscode.commands.executeCommand<string>('slice.startSync', { kind: 'environment', environment: env });
    assert.ok(key, 'Start Sync returned its session');
    const session = api.sync.sessions().find((s) => s.key === key);
    assert.ok(session);
    assert.equal(session.target.localRoot, localDir);
    assert.equal(session.current.state, 'idle');
    const pod = session.current.pod!;
    const ns = session.target.namespace;
    assert.equal(await catIn(adminKc, ns, pod, 'app', '/app/src/main.js'), "console.log('v1');\n");

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
    assert.equal(await catIn(adminKc, ns, pod, 'app', '/app/src/notes.txt'), "console.log('saved from the editor');\n");
    assert.ok(session.current.lastLatencyMs! < 5000, `save → container took ${session.current.lastLatencyMs} ms`);
    await vscode.commands.executeCommand('workbench.action.closeActiveEditor');

    await vscode.commands.executeCommand('slice.stopSync', key);
    assert.equal(api.sync.sessions().length, 0);
  });
});
