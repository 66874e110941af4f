import * as assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import * as vscode from 'vscode';
import { type SliceApi } from '../../src/container';
import { EXTENSION_ID, activateSlice, scratch, useKubeconfig, writeKubeconfig } from './helpers';

interface PackageJson {
  contributes: { commands: { command: string; title: string; category?: string }[] };
}

describe('Slice in a real extension host', () => {
  let api: SliceApi;

  before(async () => {
    api = await activateSlice();
  });

  after(async () => {
    await vscode.workspace.getConfiguration('slice').update('kubeconfig', undefined, vscode.ConfigurationTarget.Global);
  });

  it('runs in a Node extension host with the real vscode API', () => {
    assert.equal(typeof process.versions.node, 'string');
    assert.ok(vscode.version.length > 0);
    console.log(`    vscode ${vscode.version}, ${vscode.env.appName}, node ${process.versions.node}, remote ${vscode.env.remoteName ?? '-'}`);
  });

  it('registers every contributed command, each with the Slice category', async () => {
    const pkg = vscode.extensions.getExtension(EXTENSION_ID)!.packageJSON as PackageJson;
    const registered = new Set(await vscode.commands.getCommands(true));
    for (const c of pkg.contributes.commands) {
      assert.equal(c.category, 'Slice', `${c.command} has no Slice category`);
      assert.ok(registered.has(c.command), `${c.command} is contributed but not registered`);
    }
  });

  it('with no kubeconfig: state "missing", empty tree (so the welcome view shows)', async () => {
    await useKubeconfig(api, join(scratch, 'does-not-exist'));
    assert.equal(api.environments.state.kubeconfig.state, 'missing');
    assert.equal(api.contextKeys.get('slice.kubeconfigState'), 'missing');
    assert.deepEqual(await api.view.provider.getChildren(), []);
  });

  it('with a malformed kubeconfig: state "invalid" and the reason above the tree', async () => {
    const file = join(scratch, 'broken.yaml');
    writeFileSync(file, 'clusters: [\n  - : : :');
    await useKubeconfig(api, file);
    assert.equal(api.contextKeys.get('slice.kubeconfigState'), 'invalid');
    const load = api.environments.state.kubeconfig;
    assert.match(load.state === 'invalid' ? load.message : '', /broken\.yaml/);
    assert.deepEqual(await api.view.provider.getChildren(), []);
  });

  it('with an unreachable cluster: state "unreachable", a clear message, no stack', async () => {
    const port = await closedPort();
    const file = writeKubeconfig('unreachable.yaml', [{ name: 'gone', server: `https://127.0.0.1:${port}` }]);
    await useKubeconfig(api, file);
    assert.equal(api.contextKeys.get('slice.kubeconfigState'), 'ok');
    assert.equal(api.contextKeys.get('slice.clusterState'), 'failed');
    assert.equal(api.contextKeys.get('slice.clusterProblem'), 'unreachable');
    assert.ok(!api.view.treeView.message, 'a view message would hide the welcome view');
    assert.equal(api.view.treeView.description, 'gone');
    const cluster = api.environments.state.cluster;
    const message = cluster.status === 'failed' ? cluster.problem.message : '';
    assert.match(message, /Cannot reach the cluster at https:\/\/127\.0\.0\.1:\d+ \(context "gone"\): the connection was refused/);
    assert.doesNotMatch(message, /\n\s+at /);
    assert.deepEqual(await api.view.provider.getChildren(), []);
    // The command reports the failure through the wrapper and never rejects.
    assert.equal(await vscode.commands.executeCommand('slice.refresh'), undefined);
  });

  it('a kubeconfig edited on disk is picked up without a manual refresh', async () => {
    const port = await closedPort();
    const file = writeKubeconfig('edited.yaml', [{ name: 'first', server: `https://127.0.0.1:${port}` }]);
    await useKubeconfig(api, file);
    assert.deepEqual(api.environments.contexts.map((c) => c.name), ['first']);
    writeKubeconfig('edited.yaml', [{ name: 'first', server: `https://127.0.0.1:${port}` }, { name: 'second', server: `https://127.0.0.1:${port}` }]);
    const deadline = Date.now() + 20_000;
    while (api.environments.contexts.length < 2 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
    assert.deepEqual(api.environments.contexts.map((c) => c.name), ['first', 'second']);
  });

  it('Select Cluster with a context name selects it and remembers it', async () => {
    const port = await closedPort();
    const file = writeKubeconfig('two.yaml', [{ name: 'a', server: `https://127.0.0.1:${port}` }, { name: 'b', server: `https://127.0.0.1:${port}` }], 'a');
    await useKubeconfig(api, file);
    assert.equal(api.environments.state.selected, 'a');
    await vscode.commands.executeCommand('slice.selectCluster', 'b');
    await api.view.settled();
    assert.equal(api.environments.state.selected, 'b');
    await api.environments.refresh();
    await api.view.settled();
    assert.equal(api.environments.state.selected, 'b', 'the selection survives a reload of the kubeconfig');
    assert.equal(api.view.treeView.description, 'b');
  });
});

function closedPort(): Promise<number> {
  return new Promise((resolve) => {
    const s = createServer();
    s.listen(0, '127.0.0.1', () => {
      const a = s.address();
      s.close(() => resolve(typeof a === 'object' && a ? a.port : 1));
    });
  });
}
