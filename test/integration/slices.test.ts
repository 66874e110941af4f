import * as assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { CustomObjectsApi, KubeConfig } from '@kubernetes/client-node';
import * as vscode from 'vscode';
import { type EnvironmentsNode } from '../../src/vscode/environmentsTree';
import { activeSlice } from '../../src/vscode/activeSliceStatus';
import { DeveloperOnCluster, workspaceConfig } from './developerOnCluster';
import { waitFor } from './helpers';

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

  it('the fork\'s pod row shows its CPU and memory against its limits (metrics.k8s.io), the Quota row cpu and memory in the same units', async () => {
    // metrics-server reports a pod about one resolution (15 s) after it starts: read the tree again until it does
    const deadline = Date.now() + 120_000;
    for (;;) {
      const children = await alice.api.view.provider.getChildren(await mySlice());
      const fork = children.find((c) => c.kind === 'fork');
      const pods = fork ? await alice.api.view.provider.getChildren(fork) : [];
      const pod = pods.find((p) => p.kind === 'pod');
      const description = pod ? String(alice.api.view.provider.getTreeItem(pod).description) : '(no pod row)';
      if (/cpu \d+m\/\d+m · mem [\d.]+\/\d+ Mi/.test(description)) {
        const tip = alice.api.view.provider.getTreeItem(pod!).tooltip;
        const tooltip = typeof tip === 'string' ? tip : (tip?.value ?? '');
        assert.match(tooltip, /CPU and memory against limits/);
        assert.match(tooltip, /slice-agent: cpu (\d+m\/\d+m|[\d.]+\/[\d.]+) · mem [\d.]+\/\d+ Mi/);
        const quota = children.find((c) => c.kind === 'quota')!;
        assert.match(alice.api.view.provider.getTreeItem(quota).label as string, /cpu (\d+m\/2000m|[\d.]+\/2) · memory [\d.]+\/1024 Mi/);
        assert.ok(!children.some((c) => c.kind === 'message' && /CPU and memory/.test(c.text)), 'no note about missing metrics');
        return;
      }
      if (Date.now() > deadline) assert.fail(`the pod row never showed CPU and memory: "${description}"`);
      await new Promise((r) => setTimeout(r, 2000));
    }
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

/** Records the error/warning/info notifications the extension shows (and still shows them). */
function recordNotifications(): { shown: string[]; restore: () => void } {
  const w = vscode.window as unknown as Record<'showErrorMessage' | 'showWarningMessage' | 'showInformationMessage' | 'showQuickPick', (...a: unknown[]) => unknown>;
  const saved = { showErrorMessage: w.showErrorMessage, showWarningMessage: w.showWarningMessage, showInformationMessage: w.showInformationMessage, showQuickPick: w.showQuickPick };
  const shown: string[] = [];
  for (const k of ['showErrorMessage', 'showWarningMessage', 'showInformationMessage'] as const) {
    const original = saved[k];
    w[k] = (...a: unknown[]) => (shown.push(`${k.replace(/^show|Message$/g, '').toLowerCase()}: ${String(a[0])}`), original.apply(vscode.window, a));
  }
  // A QuickPick would wait for a person: record what it offers and pick nothing.
  w.showQuickPick = async (items: unknown) => {
    const list = (await Promise.resolve(items)) as { label: string }[];
    shown.push(`quickpick: ${list.map((i) => i.label).join(', ')}`);
    return undefined;
  };
  return { shown, restore: () => Object.assign(w, saved) };
}

const SLICES = { group: 'slice.dev', version: 'v1alpha1', plural: 'slices' };

/**
 * Issue 20, item 2: the tree and the status bar follow watches of the cluster. A slice created and
 * deleted behind the editor's back (kubectl, another window) appears, turns Ready and goes, with no
 * Refresh and no command of the editor's own.
 */
describe('The tree and the status bar follow the cluster, as alice', function () {
  this.timeout(240_000);
  const id = Date.now().toString(36);
  const alice = new DeveloperOnCluster({ developer: 'alice', kubeconfigName: 'alice-watch.kubeconfig', baseline: `it-watch-${id}` });
  const name = `alice-w${id}`;
  let aliceKc: KubeConfig;

  before(async function () {
    await alice.setUp(this);
    aliceKc = new KubeConfig();
    aliceKc.loadFromFile(process.env.SLICE_KUBECONFIG_ALICE ?? '');
  });
  after(async () => {
    await alice.adminKc.makeApiClient(CustomObjectsApi).deleteClusterCustomObject({ ...SLICES, name }).catch(() => undefined);
    await alice.tearDown();
  });

  it('a slice created elsewhere appears Provisioning, turns Ready by itself, and becomes the status bar slice', async () => {
    let refreshes = 0;
    const sub = alice.api.environments.onDidChange((s) => s.cluster.status === 'connecting' && refreshes++);
    const phases: string[] = [];
    const seen = alice.api.environments.onDidChange(() => {
      const env = alice.sliceInModel(name);
      const phase = env?.kind === 'slice' ? (env.resource?.phase ?? 'Pending') : undefined;
      if (phase && phases[phases.length - 1] !== phase) phases.push(phase);
    });
    try {
      await aliceKc.makeApiClient(CustomObjectsApi).createClusterCustomObject({ ...SLICES, body: { apiVersion: 'slice.dev/v1alpha1', kind: 'Slice', metadata: { name }, spec: { owner: 'alice', baseline: alice.baseline, forks: [{ workload: 'checkout' }], ttl: '1h' } } });
      await waitFor('the slice to turn Ready in the tree', () => {
        const env = alice.sliceInModel(name);
        return env?.kind === 'slice' && env.resource?.phase === 'Ready';
      }, 120_000);
      const active = activeSlice(alice.api.environments);
      assert.equal(active?.slice.resource?.name, name, 'the status bar speaks for the new slice');
      assert.equal(refreshes, 0, 'no refresh of the whole model was needed');
      assert.ok(phases.length >= 2 && phases[phases.length - 1] === 'Ready', `phases seen: ${phases.join(' → ')}`);
      const roots = await alice.api.view.provider.getChildren();
      const ctx = roots.find((r) => r.kind === 'context' && r.selected)!;
      const rows = await alice.api.view.provider.getChildren(ctx);
      const row = rows.find((r) => r.kind === 'environment' && r.environment.kind === 'slice' && r.environment.resource?.name === name);
      assert.ok(row, 'the tree shows the row');
      assert.match(String(alice.api.view.provider.getTreeItem(row).description), /^Ready · /);
    } finally {
      sub.dispose();
      seen.dispose();
    }
  });

  it('a slice deleted elsewhere (admin, kubectl) leaves the tree and the status bar within seconds, without Refresh', async () => {
    assert.ok(alice.sliceInModel(name), 'the slice is in the tree');
    let refreshes = 0;
    const sub = alice.api.environments.onDidChange((s) => s.cluster.status === 'connecting' && refreshes++);
    try {
      await alice.adminKc.makeApiClient(CustomObjectsApi).deleteClusterCustomObject({ ...SLICES, name });
      // the row turns "Deleting" at once (deletionTimestamp), and goes with the Slice object
      await waitFor('the row to say Deleting, or to go', () => {
        const env = alice.sliceInModel(name);
        return env === undefined || (env.kind === 'slice' && env.terminating);
      }, 15_000);
      assert.notEqual(activeSlice(alice.api.environments)?.slice.resource?.name, name, 'the status bar no longer speaks for it');
      await waitFor('the row to go', () => alice.sliceInModel(name) === undefined, 120_000);
      const roots = await alice.api.view.provider.getChildren();
      const ctx = roots.find((r) => r.kind === 'context' && r.selected)!;
      const rows = await alice.api.view.provider.getChildren(ctx);
      assert.ok(!rows.some((r) => r.kind === 'environment' && r.environment.namespace === `slice-${name}`), 'no row of the deleted slice, not even its namespace while it terminates');
      assert.equal(refreshes, 0, 'no refresh of the whole model was needed');
    } finally {
      sub.dispose();
    }
  });
});

/**
 * Issue 20, item 4, as bob (who has the developer role), with a slice of alice's in the cluster:
 * commands offer only bob's own slices, and nothing tells him to ask for a role he has.
 */
describe('Errors tell the truth, as bob', function () {
  this.timeout(240_000);
  const id = Date.now().toString(36);
  const bob = new DeveloperOnCluster({ developer: 'bob', kubeconfigName: 'bob-truth.kubeconfig', baseline: `it-bob-${id}` });
  const alicesSlice = `alice-b${id}`;

  before(async function () {
    await bob.setUp(this);
    const aliceKc = new KubeConfig();
    aliceKc.loadFromFile(process.env.SLICE_KUBECONFIG_ALICE ?? '');
    await aliceKc.makeApiClient(CustomObjectsApi).createClusterCustomObject({ ...SLICES, body: { apiVersion: 'slice.dev/v1alpha1', kind: 'Slice', metadata: { name: alicesSlice }, spec: { owner: 'alice', baseline: bob.baseline, forks: [{ workload: 'checkout' }], ttl: '1h' } } });
    await waitFor("alice's slice in bob's tree", () => bob.sliceInModel(alicesSlice), 60_000);
  });
  after(async () => {
    await bob.adminKc.makeApiClient(CustomObjectsApi).deleteClusterCustomObject({ ...SLICES, name: alicesSlice }).catch(() => undefined);
    await bob.tearDown();
  });

  it("Send Request does not offer alice's slice; it says bob has none, not that he lacks a role", async () => {
    const mine = (bob.api.environments.state.cluster.status === 'ok' ? bob.api.environments.state.cluster.environments : []).filter((e) => e.kind === 'slice' && e.mine);
    const rec = recordNotifications();
    try {
      await vscode.commands.executeCommand('slice.sendRequest');
      await waitFor('a notification or a pick', () => rec.shown.length > 0, 10_000);
    } finally {
      rec.restore();
    }
    const text = rec.shown.join('\n');
    assert.doesNotMatch(text, /alice/, text);
    assert.doesNotMatch(text, /developer role/, text);
    if (mine.length === 0) assert.match(text, /You \(bob\) have no slice to send a request to/, text);
  });

  it("acting on alice's row says whose slice it is, not that bob lacks a role", async () => {
    const env = bob.sliceInModel(alicesSlice);
    const rec = recordNotifications();
    try {
      await vscode.commands.executeCommand('slice.extendSliceTtl', { kind: 'environment', environment: env }, 1);
      await waitFor('a notification', () => rec.shown.length > 0, 10_000);
    } finally {
      rec.restore();
    }
    assert.match(rec.shown.join('\n'), /belongs to alice: only its owner may extend it/);
    assert.doesNotMatch(rec.shown.join('\n'), /developer role|Unexpected error/);
  });

  it('under a baseline bob may not read, the row does not advise asking for the role he has', async () => {
    const roots = await bob.api.view.provider.getChildren();
    const ctx = roots.find((r) => r.kind === 'context' && r.selected)!;
    const rows = await bob.api.view.provider.getChildren(ctx);
    const base = rows.find((r) => r.kind === 'environment' && r.environment.namespace === bob.baseline);
    assert.ok(base);
    const children = await bob.api.view.provider.getChildren(base);
    const hidden = children.find((c) => c.kind === 'message');
    assert.ok(hidden && hidden.kind === 'message', JSON.stringify(children.map((c) => c.kind)));
    assert.equal(hidden.text, 'Workloads not visible to you');
    assert.doesNotMatch(hidden.tooltip ?? '', /developer role/, hidden.tooltip);
    assert.match(hidden.tooltip ?? '', new RegExp(`namespace ${bob.baseline} is not open to you`));
  });
});
