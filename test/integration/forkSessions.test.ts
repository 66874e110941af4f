import * as assert from 'node:assert/strict';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { CoreV1Api, KubeConfig } from '@kubernetes/client-node';
import * as vscode from 'vscode';
import { AGENT_CONTAINER } from '../../src/core/slice/fork';
import { DeveloperOnCluster, execIn, workspaceConfig, workspaceDir } from './developerOnCluster';
import { scratch, useKubeconfig, waitFor } from './helpers';

/** Every error and warning notification the extension shows while a test runs (the same `vscode.window` the extension uses). */
function recordNotifications(): { readonly shown: string[]; restore(): void } {
  const shown: string[] = [];
  const w = vscode.window as { showErrorMessage: (...a: unknown[]) => unknown; showWarningMessage: (...a: unknown[]) => unknown };
  const error = w.showErrorMessage;
  const warning = w.showWarningMessage;
  w.showErrorMessage = (...a: unknown[]) => (shown.push(`error: ${String(a[0])}`), error.apply(vscode.window, a));
  w.showWarningMessage = (...a: unknown[]) => (shown.push(`warning: ${String(a[0])}`), warning.apply(vscode.window, a));
  return { shown, restore: () => Object.assign(w, { showErrorMessage: error, showWarningMessage: warning }) };
}

/** The fork's running pod, as admin. */
async function forkPod(kc: KubeConfig, namespace: string): Promise<string> {
  const pods = await kc.makeApiClient(CoreV1Api).listNamespacedPod({ namespace, labelSelector: 'slice.dev/fork=checkout' });
  const pod = pods.items.find((p) => p.status?.phase === 'Running' && !p.metadata?.deletionTimestamp)?.metadata?.name;
  assert.ok(pod, `the fork in ${namespace} has a running pod`);
  return pod;
}

/** How many WebSocket clients the fork's agent admitted (its log says "client connected" once per connection). */
async function agentConnections(kc: KubeConfig, namespace: string, pod: string): Promise<number> {
  const log = await kc.makeApiClient(CoreV1Api).readNamespacedPodLog({ name: pod, namespace, container: AGENT_CONTAINER });
  return log.split('\n').filter((l) => l.includes('client connected')).length;
}

async function catIn(kc: KubeConfig, ns: string, pod: string, file: string): Promise<string | undefined> {
  const r = await execIn(kc, ns, pod, 'app', ['cat', file]);
  return r.status === 'Success' ? r.stdout : undefined;
}

/**
 * One fork, one connection; sessions that end with their slice or identity (issues 21 and 20), in
 * the real extension host as alice on the real cluster.
 */
describe('Fork sessions: one connection per fork, ended with the slice or the identity, as alice, on the real cluster', function () {
  this.timeout(600_000);
  const id = Date.now().toString(36);
  const alice = new DeveloperOnCluster({ developer: 'alice', kubeconfigName: 'alice-fork.kubeconfig', baseline: `it-fork-${id}`, service: false });
  const localDir = join(workspaceDir, `fork-it-${id}`);
  const created: string[] = [];

  before(async function () {
    await alice.setUp(this);
    mkdirSync(localDir, { recursive: true });
    writeFileSync(join(localDir, 'notes.txt'), 'v1\n');
  });

  function writeConfig(): void {
    writeFileSync(workspaceConfig, `baseline: ${alice.baseline}\nttl: 1h\nforks:\n  - workload: checkout\n    container: app\n    sync:\n      local: fork-it-${id}\n      container: /app\n`);
  }

  after(async () => {
    for (const name of created) await alice.tearDown(name);
    await alice.tearDown();
    rmSync(localDir, { recursive: true, force: true });
  });

  /** Creates a slice, starts sync on its fork (telemetry starts with it) and waits for both. */
  async function syncing(name: string) {
    writeConfig();
    const objectName = `alice-${name}`;
    created.push(objectName); // torn down by name, whatever Create Slice answers
    await vscode.commands.executeCommand<string>('slice.createSlice', name);
    // Ready as the cluster says (Create Slice may answer before the slice watch has seen it)
    const deadline = Date.now() + 180_000;
    let env = alice.sliceInModel(objectName);
    while (!(env?.kind === 'slice' && env.resource?.phase === 'Ready') && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 1000));
      await alice.api.environments.refresh();
      env = alice.sliceInModel(objectName);
    }
    assert.ok(env?.kind === 'slice' && env.resource?.phase === 'Ready', `the slice ${objectName} is Ready in the model`);
    writeConfig();
    const key = await vscode.commands.executeCommand<string>('slice.startSync', { kind: 'environment', environment: env });
    const sync = alice.api.sync.sessions().find((s) => s.key === key);
    assert.ok(sync, 'Start Sync returned its session');
    const live = await waitFor('telemetry started with sync', () => alice.api.liveTelemetry.sessions().find((s) => s.key === key), 20_000);
    await waitFor('telemetry streaming', () => live.link.current === 'streaming', 120_000);
    const fork = alice.api.forks.get(key);
    assert.ok(fork, 'one fork session for the fork');
    return { objectName, env, key, sync, live, fork, namespace: sync.target.namespace };
  }

  it('sync and live telemetry of a fork share one connection: the agent sees one client, the editor one HELLO', async () => {
    const { objectName, fork, namespace, sync } = await syncing(`fa-${id}`);
    const pod = await forkPod(alice.adminKc, namespace);
    assert.equal(alice.api.forks.all.length, 1);
    assert.equal(fork.link.counts.connects, 1, 'one agent connection');
    assert.equal(fork.link.counts.hellos, 1, 'one HELLO');
    assert.equal(await agentConnections(alice.adminKc, namespace, pod), 1, 'the agent admitted one client for sync and telemetry together');
    assert.equal(sync.current.state, 'idle');
    await vscode.commands.executeCommand('slice.stopSync', sync.key);
    assert.equal(alice.api.liveTelemetry.sessions().length, 0, 'Stop Sync stopped the telemetry it started');
    assert.equal(alice.api.forks.all.length, 0, 'and the fork session with its last user');
    await deleteSlice(objectName);
  });

  async function deleteSlice(objectName: string): Promise<void> {
    await alice.api.environments.refresh();
    const env = alice.sliceInModel(objectName);
    if (env) await vscode.commands.executeCommand('slice.deleteSlice', { kind: 'environment', environment: env }, { confirm: false });
    if (created.includes(objectName)) created.splice(created.indexOf(objectName), 1);
  }

  it('Delete Slice while sync runs: no error or warning popup, sync and telemetry end, nothing reconnects (issue 20, item 1)', async () => {
    const { objectName, fork, key } = await syncing(`fb-${id}`);
    const notes = recordNotifications();
    try {
      await deleteSlice(objectName);
      await waitFor('the fork session to end', () => fork.lifetime.isEnded, 120_000);
      assert.equal(fork.lifetime.endReason?.kind, 'sliceGone', fork.lifetime.endReason?.message);
      assert.equal(alice.api.sync.sessions().find((s) => s.key === key), undefined, 'the sync session ended (its status bar item with it)');
      assert.equal(alice.api.liveTelemetry.sessions().find((s) => s.key === key), undefined, 'the telemetry session ended');
      assert.equal(fork.link.currentState, 'ended');
      const failures = fork.link.counts.failures;
      const connects = fork.link.counts.connects;
      // long enough for several reconnect attempts of the old loops (200 ms backoff, doubling)
      await new Promise((r) => setTimeout(r, 5000));
      assert.equal(fork.link.counts.failures, failures, 'no reconnect attempt after the end');
      assert.equal(fork.link.counts.connects, connects);
      assert.deepEqual(notes.shown.filter((n) => !n.includes('deleted')), [], 'no error or warning notification');
    } finally {
      notes.restore();
    }
  });

  it('Select Cluster -> bob while alice syncs: the session ends, the next save does not reach alice\'s container, live traces stop (issue 20, item 3)', async function () {
    const bobFile = process.env.SLICE_KUBECONFIG_BOB ?? '';
    if (!bobFile) this.skip();
    const { fork, key, namespace, sync } = await syncing(`fc-${id}`);
    const pod = await forkPod(alice.adminKc, namespace);
    const aliceContext = alice.context;
    // one kubeconfig with both identities, as a developer with two users would have
    const a = new KubeConfig();
    a.loadFromFile(process.env.SLICE_KUBECONFIG_ALICE ?? '');
    const b = new KubeConfig();
    b.loadFromFile(bobFile);
    const both = new KubeConfig();
    const rename = (kc: KubeConfig, who: string) => ({
      clusters: kc.getClusters().map((c) => ({ ...c, name: `${who}-${c.name}` })),
      users: kc.getUsers().map((u) => ({ ...u, name: `${who}-${u.name}` })),
      contexts: kc.getContexts().map((c) => ({ ...c, name: c.name === kc.getCurrentContext() ? (who === 'alice' ? aliceContext : `bob-${c.name}`) : `${who}-${c.name}`, cluster: `${who}-${c.cluster}`, user: `${who}-${c.user}` })),
    });
    const ra = rename(a, 'alice');
    const rb = rename(b, 'bob');
    both.loadFromOptions({ clusters: [...ra.clusters, ...rb.clusters], users: [...ra.users, ...rb.users], contexts: [...ra.contexts, ...rb.contexts], currentContext: aliceContext });
    const file = join(scratch, `alice-and-bob-${id}.kubeconfig`);
    writeFileSync(file, both.exportConfig());
    await useKubeconfig(alice.api, file);
    assert.ok(alice.api.sync.sessions().find((s) => s.key === key), 'the same identity (alice) after re-reading the kubeconfig: sync goes on');
    const notes = recordNotifications();
    try {
      const bobContext = `bob-${b.getCurrentContext()}`;
      await vscode.commands.executeCommand('slice.selectCluster', bobContext);
      await alice.api.environments.refresh();
      await waitFor('the fork session to end', () => fork.lifetime.isEnded, 30_000);
      assert.equal(fork.lifetime.endReason?.kind, 'identityChanged', fork.lifetime.endReason?.message);
      assert.equal(alice.api.sync.sessions().length, 0, 'no sync runs as alice after switching to bob');
      assert.equal(alice.api.liveTelemetry.sessions().length, 0, "alice's traces no longer stream");
      // a save after the switch stays local
      writeFileSync(join(localDir, 'notes.txt'), 'saved as bob\n');
      const doc = await vscode.workspace.openTextDocument(vscode.Uri.file(join(localDir, 'notes.txt')));
      await vscode.window.showTextDocument(doc);
      await vscode.commands.executeCommand('workbench.action.files.save');
      await new Promise((r) => setTimeout(r, 3000));
      assert.equal(sync.current.lastReport?.kind === 'changes', false, 'nothing was sent after the switch');
      assert.equal(await catIn(alice.adminKc, namespace, pod, '/app/notes.txt'), 'v1\n', "alice's container still has what alice synced");
      assert.deepEqual(notes.shown, [], 'no error or warning notification');
    } finally {
      notes.restore();
      await vscode.commands.executeCommand('workbench.action.closeAllEditors');
      await vscode.commands.executeCommand('slice.selectCluster', aliceContext);
      await alice.api.environments.refresh();
    }
  });
});
