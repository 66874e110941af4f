import * as assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import * as vscode from 'vscode';
import { type EnvironmentsNode } from '../../src/vscode/environmentsTree';
import { DeveloperOnCluster, workspaceConfig } from './developerOnCluster';

/**
 * Create, inspect, extend and delete a slice from the editor, as the developer alice, against the
 * real local cluster with the platform bundle installed (npm run platform:install).
 */
describe('Slices from the editor, as alice, on the real cluster', function () {
  this.timeout(300_000);
  const id = Date.now().toString(36);
  const alice = new DeveloperOnCluster({ developer: 'alice', kubeconfigName: 'alice.kubeconfig', baseline: `it-base-${id}` });
  let objectName = '';

  before(async function () {
    await alice.setUp(this);
    // The editor holds an older slice.yaml, as after a git checkout: Create Slice must read the file, even
    // while the editor's copy catches up with it during the command.
    writeFileSync(workspaceConfig, `baseline: ${alice.baseline}\nttl: 1h\nforks:\n  - workload: checkout\n    container: app\n`);
    await vscode.workspace.openTextDocument(vscode.Uri.file(workspaceConfig));
    writeFileSync(workspaceConfig, `baseline: ${alice.baseline}\nttl: 2h\nresources:\n  cpu: "2"\n  memory: 1Gi\n  pods: 6\nforks:\n  - workload: checkout\n    container: app\n    sync:\n      local: .\n      container: /app\n`);
  });

  after(() => alice.tearDown(objectName));

  async function mySlice(): Promise<Extract<EnvironmentsNode, { kind: 'environment' }>> {
    const roots = await alice.api.view.provider.getChildren();
    const ctx = roots.find((r) => r.kind === 'context' && r.selected)!;
    const children = await alice.api.view.provider.getChildren(ctx);
    const node = children.find((c): c is Extract<EnvironmentsNode, { kind: 'environment' }> => c.kind === 'environment' && c.environment.kind === 'slice' && c.environment.resource?.name === objectName);
    assert.ok(node, `slice ${objectName} is not in the tree`);
    return node;
  }

  it('Create Slice provisions the slice from slice.yaml and follows it to Ready', async () => {
    assert.equal(alice.api.environments.state.selected, alice.context);
    objectName = (await vscode.commands.executeCommand<string>('slice.createSlice', `it-${id}`)) ?? '';
    assert.equal(objectName, `alice-it-${id}`);
    await alice.api.environments.refresh();
    const node = await mySlice();
    assert.equal(node.environment.kind === 'slice' && node.environment.mine, true);
    assert.equal(node.environment.kind === 'slice' && node.environment.resource?.phase, 'Ready');
    const item = alice.api.view.provider.getTreeItem(node);
    assert.match(String(item.description), /^Ready · 1h 5\dm left$|^Ready · 2h 00m left$/);
    assert.equal(item.contextValue, 'slice.slice.mine');
  });

  it('the slice row shows its quota use and its fork with a running pod', async () => {
    const children = await alice.api.view.provider.getChildren(await mySlice());
    const quota = children.find((c) => c.kind === 'quota');
    assert.ok(quota, `no quota row among ${children.map((c) => c.kind).join(', ')}`);
    assert.match(alice.api.view.provider.getTreeItem(quota).label as string, /^Quota {2}.*pods \d+\/6/);
    const fork = children.find((c) => c.kind === 'fork');
    assert.ok(fork && fork.kind === 'fork');
    assert.equal(fork.workload, 'checkout');
    assert.ok(fork.pods.length >= 1, 'the fork has a pod');
    assert.match(String(alice.api.view.provider.getTreeItem(fork).description), /^fork · 1\/1 ready/);
  });

  it('Extend Slice TTL moves the expiry later', async () => {
    const before = (await mySlice()).environment;
    assert.ok(before.kind === 'slice' && before.expiresAt);
    await vscode.commands.executeCommand('slice.extendSliceTtl', await mySlice(), 1);
    const after = (await mySlice()).environment;
    assert.ok(after.kind === 'slice' && after.expiresAt);
    assert.ok(after.expiresAt.getTime() >= before.expiresAt.getTime() + 59 * 60_000, `${after.expiresAt.toISOString()} is not an hour after ${before.expiresAt.toISOString()}`);
  });

  it('Delete Slice removes it and its namespace', async () => {
    await vscode.commands.executeCommand('slice.deleteSlice', await mySlice(), { confirm: false });
    await alice.api.environments.refresh();
    const cluster = alice.api.environments.state.cluster;
    assert.ok(cluster.status === 'ok', `the cluster view is ${cluster.status}: ${JSON.stringify(cluster.status === 'failed' ? cluster.problem : '')}`);
    assert.equal(alice.sliceInModel(objectName), undefined);
  });
});
