import * as assert from 'node:assert/strict';
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { CoreV1Api, CustomObjectsApi, KubeConfig } from '@kubernetes/client-node';
import * as vscode from 'vscode';
import { type SliceApi } from '../../src/container';
import { type EnvironmentsNode } from '../../src/vscode/environmentsTree';
import { TEST_LABELS } from '../support/clusterDir';
import { type NobodyIdentity, addTokenContext, mintNobody } from '../support/identities';
import { activateSlice, scratch, useKubeconfig } from './helpers';

/** The Environments view against the project's real local cluster (test/cluster). */
describe('Environments against the real local cluster', function () {
  const files = {
    admin: process.env.SLICE_KUBECONFIG_ADMIN ?? '',
    alice: process.env.SLICE_KUBECONFIG_ALICE ?? '',
  };
  const suffix = Date.now().toString(36);
  const baseline = `it-shop-${suffix}`;
  const sliceObject = `alice-it-${suffix}`;
  const slice = `slice-${sliceObject}`;
  let api: SliceApi;
  let core: CoreV1Api;
  let custom: CustomObjectsApi | undefined;
  let contexts: { admin: string; alice: string; nobody: string };
  let nobody: NobodyIdentity | undefined;

  before(async function () {
    if (!files.admin || !existsSync(files.admin) || !files.alice || !existsSync(files.alice)) {
      console.log('    (no local cluster: SLICE_KUBECONFIG_ADMIN/ALICE not set; run through npm test)');
      this.skip();
    }
    api = await activateSlice();
    const load = (f: string) => {
      const kc = new KubeConfig();
      kc.loadFromFile(f);
      return kc;
    };
    const admin = load(files.admin);
    const alice = load(files.alice);
    core = admin.makeApiClient(CoreV1Api);
    custom = admin.makeApiClient(CustomObjectsApi);
    nobody = await mintNobody(admin, `it-nobody-${suffix}`);
    await core.createNamespace({ body: { metadata: { name: baseline, labels: { 'slice.dev/role': 'baseline', ...TEST_LABELS } } } });
    // A real Slice of alice's (the tree lists a slice namespace only with its Slice: the Slice is the
    // truth, a namespace without one is a leftover); the controller makes its namespace.
    await alice.makeApiClient(CustomObjectsApi).createClusterCustomObject({
      group: 'slice.dev', version: 'v1alpha1', plural: 'slices',
      body: { apiVersion: 'slice.dev/v1alpha1', kind: 'Slice', metadata: { name: sliceObject, labels: { ...TEST_LABELS } }, spec: { owner: 'alice', baseline, forks: [], ttl: '2h' } },
    });
    for (let i = 0; ; i++) {
      const found = await core.readNamespace({ name: slice }).then(() => true, () => false);
      if (found) break;
      if (i > 240) throw new Error(`the controller made no namespace ${slice} for Slice ${sliceObject}`);
      await new Promise((r) => setTimeout(r, 250));
    }
    const merged = new KubeConfig();
    merged.loadFromOptions({
      clusters: [...admin.getClusters(), ...alice.getClusters().filter((c) => !admin.getClusters().some((a) => a.name === c.name))],
      users: [...admin.getUsers(), ...alice.getUsers()],
      contexts: [...admin.getContexts(), ...alice.getContexts()],
      currentContext: admin.getCurrentContext(),
    });
    contexts = { admin: admin.getCurrentContext(), alice: alice.getCurrentContext(), nobody: addTokenContext(merged, admin, nobody.user, 'nobody@slice-local') };
    const file = join(scratch, 'cluster.kubeconfig');
    writeFileSync(file, merged.exportConfig());
    await useKubeconfig(api, file);
  });

  after(async () => {
    await core?.deleteNamespace({ name: baseline }).catch(() => undefined);
    await custom?.deleteClusterCustomObject({ group: 'slice.dev', version: 'v1alpha1', plural: 'slices', name: sliceObject }).catch(() => undefined);
    await nobody?.dispose().catch(() => undefined);
    await vscode.workspace.getConfiguration('slice').update('kubeconfig', undefined, vscode.ConfigurationTarget.Global);
  });

  it('lists the contexts, and under the selected one its baseline and slice namespaces', async () => {
    await vscode.commands.executeCommand('slice.selectCluster', contexts.admin);
    await api.view.settled();
    assert.equal(api.contextKeys.get('slice.clusterState'), 'ok');
    const roots = await api.view.provider.getChildren();
    assert.deepEqual(roots.map((r) => (r.kind === 'context' ? r.context.name : '?')).sort(), [contexts.admin, contexts.alice, contexts.nobody].sort());
    const selected = roots.find((r): r is Extract<EnvironmentsNode, { kind: 'context' }> => r.kind === 'context' && r.selected)!;
    assert.equal(selected.context.name, contexts.admin);
    const children = (await api.view.provider.getChildren(selected));
    const byNamespace = new Map(children.flatMap((c) => (c.kind === 'environment' ? [[c.environment.namespace, c] as const] : [])));
    const b = byNamespace.get(baseline);
    const s = byNamespace.get(slice);
    assert.ok(b && s, `expected ${baseline} and ${slice} among ${[...byNamespace.keys()].join(', ')}`);
    const sliceItem = api.view.provider.getTreeItem(s);
    assert.equal(sliceItem.label, `it-${suffix}`);
    assert.match(String(sliceItem.description), /^(\w+ · )?alice · (1h 5\dm|2h 00m) left$/); // the phase first once the watch has it (Ready)
    assert.equal(api.view.provider.getTreeItem(b).description, 'baseline');
  });

  it('an identity the cluster knows but authorises for nothing gets a clear "forbidden", not a stack', async () => {
    await vscode.commands.executeCommand('slice.selectCluster', contexts.nobody);
    await api.view.settled();
    assert.equal(api.contextKeys.get('slice.clusterState'), 'failed');
    assert.equal(api.contextKeys.get('slice.clusterProblem'), 'forbidden');
    const cluster = api.environments.state.cluster;
    assert.ok(cluster.status === 'failed');
    assert.match(cluster.problem.message, /^User "nobody-it-nobody-\w+" may not list namespaces in https:\/\/127\.0\.0\.1:\d+ \(context "nobody@slice-local"\)\. Ask your platform team/);
    assert.match(cluster.problem.detail, /forbidden/);
    assert.deepEqual(await api.view.provider.getChildren(), []);
  });

  it('a token the cluster does not accept gets a clear "unauthorized"', async () => {
    const kc = new KubeConfig();
    kc.loadFromFile(files.admin);
    const file = join(scratch, 'expired.kubeconfig');
    const bad = new KubeConfig();
    addTokenContext(bad, kc, { name: 'expired', token: 'expired-or-revoked-token' }, 'expired@slice-local');
    writeFileSync(file, bad.exportConfig());
    await useKubeconfig(api, file);
    assert.equal(api.contextKeys.get('slice.clusterProblem'), 'unauthorized');
    const cluster = api.environments.state.cluster;
    assert.match(cluster.status === 'failed' ? cluster.problem.message : '', /rejected the credentials of user "expired": they are missing, invalid or expired/);
  });
});
