import * as assert from 'node:assert/strict';
import { cpSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { Writable } from 'node:stream';
import { CoreV1Api, Exec, KubeConfig } from '@kubernetes/client-node';
import * as vscode from 'vscode';
import { type SliceApi } from '../../src/container';
import { createNodeBaseline } from '../support/baseline';
import { activateSlice, scratch, useKubeconfig, waitFor } from './helpers';

const repo = resolve(__dirname, '..', '..', '..');
const traces = readFileSync(join(repo, 'test', 'unit', 'telemetry', 'fixtures', 'otlp-traces-node-sdk.json'));

/** Runs `node -e script args…` in a container (as admin); resolves to stdout, or fails with the status. */
async function nodeIn(kc: KubeConfig, ns: string, pod: string, container: string, script: string, args: string[]): Promise<string> {
  let out = '';
  const stdout = new Writable({ write: (c: Buffer, _e, cb) => ((out += c.toString('utf8')), cb()) });
  const status = await new Promise<string>((resolve, reject) => {
    new Exec(kc).exec(ns, pod, container, ['node', '-e', script, ...args], stdout, null, null, false, (s) => setTimeout(() => resolve(`${s.status ?? ''} ${s.message ?? ''}`), 50)).catch(reject);
  });
  if (!status.startsWith('Success')) throw new Error(`exec in ${ns}/${pod}: ${status}`);
  return out;
}

const POST = [
  "const body=Buffer.from(process.argv[1],'base64');",
  "const r=require('http').request({host:'127.0.0.1',port:4318,method:'POST',path:'/v1/traces',headers:{'content-type':'application/json','content-length':body.length}},(res)=>{res.resume();res.on('end',()=>{process.stdout.write(String(res.statusCode));process.exit(0)})});",
  "r.on('error',(e)=>{console.error(e.message);process.exit(4)});r.end(body);",
].join('');

/**
 * The live path in the real extension host, as bob on the real cluster: Slice: Stream Telemetry on
 * a fork, the app container POSTs OTLP to the agent on its loopback, and the CodeLens shows up above
 * the function that produced the spans; Stop Telemetry ends the session.
 */
describe('Live telemetry from a fork to a CodeLens, as bob, on the real cluster', function () {
  this.timeout(300_000);
  const admin = process.env.SLICE_KUBECONFIG_ADMIN ?? '';
  // bob: alice's slices are many in parallel runs (other suites), and each owner may hold only a few
  const bob = process.env.SLICE_KUBECONFIG_BOB ?? '';
  const id = Date.now().toString(36);
  const baseline = `it-tl-${id}`;
  const workspaceConfig = join(repo, 'test', 'workspace', 'slice.yaml');
  const sample = join(scratch, 'live-telemetry-sample');
  const ordersUri = vscode.Uri.file(join(sample, 'dist', 'routes', 'orders.js'));
  const localName = `live-it-${id}`;
  const localDir = join(repo, 'test', 'workspace', localName);
  let api: SliceApi;
  let adminKc: KubeConfig;
  let objectName = '';

  before(async function () {
    if (!admin || !existsSync(admin) || !bob || !existsSync(bob)) this.skip();
    adminKc = new KubeConfig();
    adminKc.loadFromFile(admin);
    const bobKc = new KubeConfig();
    bobKc.loadFromFile(bob);
    api = await activateSlice();
    const file = join(scratch, 'bob-tl.kubeconfig');
    writeFileSync(file, bobKc.exportConfig());
    await useKubeconfig(api, file);
    const cluster = api.environments.state.cluster;
    if (cluster.status !== 'ok' || !cluster.platformInstalled) this.skip();
    await createNodeBaseline(adminKc, baseline, { service: false });
    cpSync(join(repo, 'test', 'workspace', 'telemetry-sample'), sample, { recursive: true });
    writeConfig();
  });

  // test/workspace/slice.yaml is shared with other suites (and other runs): written again right before use
  function writeConfig(): void {
    writeFileSync(workspaceConfig, `baseline: ${baseline}\nttl: 1h\nforks:\n  - workload: checkout\n    container: app\n`);
  }

  after(async () => {
    for (const s of api?.liveTelemetry.sessions() ?? []) await vscode.commands.executeCommand('slice.stopTelemetry', s.key);
    if (api) {
      // by name: a Create Slice that failed half-way returns nothing but may have left the Slice
      await api.environments.refresh();
      const name = objectName || `bob-tl-${id}`;
      const env = api.environments.state.cluster.status === 'ok' ? api.environments.state.cluster.environments.find((e) => e.kind === 'slice' && e.resource?.name === name) : undefined;
      if (env) await vscode.commands.executeCommand('slice.deleteSlice', { kind: 'environment', environment: env }, { confirm: false });
    }
    for (const s of api?.sync.sessions() ?? []) await vscode.commands.executeCommand('slice.stopSync', s.key);
    rmSync(workspaceConfig, { force: true });
    rmSync(localDir, { recursive: true, force: true });
    if (adminKc) await adminKc.makeApiClient(CoreV1Api).deleteNamespace({ name: baseline }).catch(() => undefined);
    if (api) {
      api.telemetry.service.clear();
      await api.telemetry.setPathMappings(undefined);
    }
    await vscode.workspace.getConfiguration('slice').update('kubeconfig', undefined, vscode.ConfigurationTarget.Global);
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
  });

  it('Stream Telemetry, the app posts OTLP to localhost:4318, the CodeLens appears above the function; Stop Telemetry ends it', async () => {
    objectName = (await vscode.commands.executeCommand<string>('slice.createSlice', `tl-${id}`)) ?? '';
    assert.equal(objectName, `bob-tl-${id}`);
    await api.environments.refresh();
    const cluster = api.environments.state.cluster;
    const env = cluster.status === 'ok' ? cluster.environments.find((e) => e.kind === 'slice' && e.resource?.name === objectName) : undefined;
    assert.ok(env, 'the slice is in the model');
    await api.telemetry.setPathMappings([{ containerPath: '/app', localPath: sample }]);
    api.telemetry.service.clear();

    if (process.env.SLICE_IT_SHOTS) {
      // a runner that takes screenshots opens the slice row's context menu in the Environments view
      console.log(`SLICE-MENU tl-${id}`);
      await new Promise((r) => setTimeout(r, 12_000));
    }
    const key = await vscode.commands.executeCommand<string>('slice.streamTelemetry', { kind: 'environment', environment: env }, 'checkout');
    const session = api.liveTelemetry.sessions().find((s) => s.key === key);
    assert.ok(session, 'Stream Telemetry returned its session');
    await waitFor('the link to stream', () => session.link.current === 'streaming', 120_000);

    const ns = session.target.namespace;
    const pods = await adminKc.makeApiClient(CoreV1Api).listNamespacedPod({ namespace: ns, labelSelector: 'slice.dev/fork=checkout' });
    const pod = pods.items.find((p) => p.status?.phase === 'Running' && !p.metadata?.deletionTimestamp)?.metadata?.name;
    assert.ok(pod, 'the fork has a running pod');
    assert.equal(await nodeIn(adminKc, ns, pod, 'app', POST, [traces.toString('base64')]), '200');
    await waitFor('the payload in the editor', () => session.counts.payloads >= 1, 60_000);
    await api.telemetry.settled();

    await vscode.window.showTextDocument(await vscode.workspace.openTextDocument(ordersUri));
    const deadline = Date.now() + 30_000;
    let titles: string[] = [];
    while (Date.now() < deadline) {
      const all = (await vscode.commands.executeCommand<vscode.CodeLens[]>('vscode.executeCodeLensProvider', ordersUri)) ?? [];
      titles = all.filter((l) => l.command?.title.startsWith('⏱')).map((l) => `${l.range.start.line}: ${l.command!.title}`);
      if (titles.length > 0) break;
      await new Promise((r) => setTimeout(r, 200));
    }
    assert.equal(titles.length, 1, JSON.stringify(titles));
    assert.match(titles[0]!, /^17: ⏱ p95 4\d ms · 1 call · 5 min$/);
    if (process.env.SLICE_IT_SHOTS) {
      // a runner that takes screenshots (SLICE_IT_SHOTS) shoots the workbench on this line
      console.log('SLICE-SHOT live-codelens');
      await new Promise((r) => setTimeout(r, 4000));
    }

    await vscode.commands.executeCommand('slice.stopTelemetry', key);
    assert.equal(api.liveTelemetry.sessions().length, 0);
  });

  it('Start Sync streams the fork\'s telemetry too (not the baseline\'s log, which bob may not read); Stop Sync stops it', async () => {
    assert.ok(objectName, 'the slice of the first test');
    const cluster = api.environments.state.cluster;
    const env = cluster.status === 'ok' ? cluster.environments.find((e) => e.kind === 'slice' && e.resource?.name === objectName) : undefined;
    assert.ok(env);
    mkdirSync(localDir, { recursive: true });
    writeFileSync(join(localDir, 'main.js'), "console.log('live');\n");
    writeFileSync(workspaceConfig, `baseline: ${baseline}\nttl: 1h\nforks:\n  - workload: checkout\n    container: app\n    sync:\n      local: ${localName}\n      container: /app\n`);
    const key = await vscode.commands.executeCommand<string>('slice.startSync', { kind: 'environment', environment: env }, 'checkout');
    assert.ok(key, 'Start Sync returned its session');
    const session = await waitFor('a live session started by sync', () => api.liveTelemetry.sessions().find((s) => s.key === key), 10_000);
    await waitFor('its link to stream', () => session.link.current === 'streaming', 120_000);
    await waitFor('its log stream to follow the fork', () => session.logs.currentPod !== undefined, 60_000);
    assert.equal(session.target.baseline, baseline);
    // developers cannot read the baseline's Deployments and pods on this cluster: skipped quietly, no problem shown
    await waitFor('the baseline decision', () => session.baselineState !== 'pending', 30_000);
    assert.equal(session.baselineState, 'unreadable');
    await vscode.commands.executeCommand('slice.stopSync', key);
    assert.equal(api.liveTelemetry.sessions().length, 0, 'Stop Sync stopped the telemetry it started');
  });
});
