import * as assert from 'node:assert/strict';
import { cpSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { CoreV1Api } from '@kubernetes/client-node';
import * as vscode from 'vscode';
import { DeveloperOnCluster, execIn, repoRoot, workspaceConfig, workspaceDir } from './developerOnCluster';
import { scratch, waitFor } from './helpers';
import { routeHistogramPayload } from '../support/routeHistograms';

const traces = readFileSync(join(repoRoot, 'test', 'unit', 'core', 'telemetry', 'fixtures', 'otlp-traces-node-sdk.json'));

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
  const id = Date.now().toString(36);
  // bob: alice's slices are many in parallel runs (other suites), and each owner may hold only a few
  const bob = new DeveloperOnCluster({ developer: 'bob', kubeconfigName: 'bob-tl.kubeconfig', baseline: `it-tl-${id}`, service: false });
  const baseline = bob.baseline;
  const sample = join(scratch, 'live-telemetry-sample');
  const ordersUri = vscode.Uri.file(join(sample, 'dist', 'routes', 'orders.js'));
  const localName = `live-it-${id}`;
  const localDir = join(workspaceDir, localName);
  let objectName = '';

  before(async function () {
    await bob.setUp(this);
    cpSync(join(repoRoot, 'test', 'workspace', 'telemetry-sample'), sample, { recursive: true });
    writeConfig();
  });

  // test/workspace/slice.yaml is shared with other suites (and other runs): written again right before use
  function writeConfig(): void {
    writeFileSync(workspaceConfig, `baseline: ${baseline}\nttl: 1h\nforks:\n  - workload: checkout\n    container: app\n`);
  }

  after(async () => {
    // by name: a Create Slice that failed half-way returns nothing but may have left the Slice
    await bob.tearDown(objectName || `bob-tl-${id}`);
    rmSync(localDir, { recursive: true, force: true });
    try {
      bob.api.telemetry.service.clear();
      await bob.api.telemetry.setPathMappings(undefined);
    } catch {
      // setUp skipped the suite before the extension was activated
    }
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
  });

  it('Stream Telemetry, the app posts OTLP to localhost:4318, the CodeLens appears above the function; Stop Telemetry ends it', async () => {
    objectName = (await vscode.commands.executeCommand<string>('slice.createSlice', `tl-${id}`)) ?? '';
    assert.equal(objectName, `bob-tl-${id}`);
    const api = bob.api;
    await api.environments.refresh();
    const env = bob.sliceInModel(objectName);
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
    const pods = await bob.adminKc.makeApiClient(CoreV1Api).listNamespacedPod({ namespace: ns, labelSelector: 'slice.dev/fork=checkout' });
    const pod = pods.items.find((p) => p.status?.phase === 'Running' && !p.metadata?.deletionTimestamp)?.metadata?.name;
    assert.ok(pod, 'the fork has a running pod');
    const post = await execIn(bob.adminKc, ns, pod, 'app', ['node', '-e', POST, traces.toString('base64')]);
    assert.equal(post.status, 'Success', `exec in ${ns}/${pod}: ${post.status} ${post.message}`);
    assert.equal(post.stdout, '200');
    await waitFor('the payload in the editor', () => session.counts.payloads >= 1, 60_000);
    await api.telemetry.settled();

    await vscode.window.showTextDocument(await vscode.workspace.openTextDocument(ordersUri));
    const deadline = Date.now() + 30_000;
    let titles: string[] = [];
    while (Date.now() < deadline) {
      const all = (await vscode.commands.executeCommand<vscode.CodeLens[]>('vscode.executeCodeLensProvider', ordersUri, 10_000)) ?? [];
      titles = all.filter((l) => l.command?.title.startsWith('⏱')).map((l) => `${l.range.start.line}: ${l.command!.title}`);
      if (titles.length > 0) break;
      await new Promise((r) => setTimeout(r, 200));
    }
    assert.equal(titles.length, 1, JSON.stringify(titles));
    assert.match(titles[0]!, /^17: ⏱ p95 4\d ms · n=1 · max 4\d ms · 5 min$/);
    if (process.env.SLICE_IT_SHOTS) {
      // a runner that takes screenshots (SLICE_IT_SHOTS) shoots the workbench on this line
      console.log('SLICE-SHOT live-codelens');
      await new Promise((r) => setTimeout(r, 4000));
    }

    // the Traces & Errors view: a row for the session, its state beside the title
    let shown = api.telemetry.tracesView.snapshot();
    assert.equal(shown.description, 'streaming');
    assert.match(shown.live.join('\n'), /^checkout: streaming · 1 payload · [\d,]+ log lines?$/);

    // a payload the editor cannot use: refused, counted, said in the view (and why, in the Slice log)
    const bad = await execIn(bob.adminKc, ns, pod, 'app', ['node', '-e', POST, Buffer.from('{"resourceSpans":"not a list"}').toString('base64')]);
    assert.equal(bad.stdout, '200', 'the agent relays what it cannot judge; the editor decodes');
    await waitFor('the refusal to be counted', () => session.counts.refused >= 1, 60_000);
    await api.telemetry.settled();
    shown = api.telemetry.tracesView.snapshot();
    assert.equal(shown.description, 'streaming · 1 refused');
    assert.match(shown.live.join('\n'), /^checkout: streaming · 2 payloads · [\d,]+ log lines? · 1 refused$/);

    // issue 23: metrics the app exports reach the slice's metric store on the same agent connection
    const metrics = routeHistogramPayload('checkout', [{ route: '/orders', method: 'GET', timeMs: Date.now() - 5_000, durationsMs: [12, 30] }]);
    const postedMetrics = await execIn(bob.adminKc, ns, pod, 'app', ['node', '-e', POST.replace("path:'/v1/traces'", "path:'/v1/metrics'"), Buffer.from(metrics).toString('base64')]);
    assert.equal(postedMetrics.stdout, '200');
    await waitFor('the metrics payload on the metrics stream', () => session.link.counts.metricsReceived >= 1, 60_000);
    await api.telemetry.settled();
    const store = api.telemetry.service.metrics.store(ns);
    assert.ok(store, `a metric store for ${ns}`);
    assert.deepEqual(store.seriesOf('slice', 'http.server.request.duration').map((s) => s.attributes['http.route']), ['/orders']);

    await vscode.commands.executeCommand('slice.stopTelemetry', { kind: 'live', key });
    assert.equal(api.liveTelemetry.sessions().length, 0);
    await api.telemetry.settled();
    shown = api.telemetry.tracesView.snapshot();
    assert.deepEqual([shown.description, shown.live], [undefined, []]);
  });

  it('Start Sync streams the fork\'s telemetry too (not the baseline\'s log, which bob may not read); Stop Sync stops it', async () => {
    assert.ok(objectName, 'the slice of the first test');
    const api = bob.api;
    const env = bob.sliceInModel(objectName);
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
