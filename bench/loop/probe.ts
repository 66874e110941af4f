import { type ChildProcess, spawn } from 'node:child_process';
import { join } from 'node:path';
import * as vscode from 'vscode';
import { type SliceApi } from '../../src/container';
import { type Environment } from '../../src/core/cluster/environments';
import { HANDLER, HANDLER_FILE, changedHandlers, fitsRound, lensP95 } from './change';

/**
 * bench/loop's Slice side, inside the real extension host (the payload's extensionTestsPath), as
 * the developer of SLICE_LOOP_CONFIG's kubeconfig on the local cluster: Create Slice from the
 * workspace's slice.yaml (the sample shop, orders forked), Start Sync, then each round: change
 * createOrder's latency in the editor and save → the sync puts it in the container → the service
 * reloads (its "reloaded" log line, followed through the editor's own log stream) → a request
 * through a port-forward → the OTLP export reaches the agent → the editor → the CodeLens above
 * createOrder shows the new p95 (read with vscode.executeCodeLensProvider each time the lens
 * provider says its lenses changed). Prints the rounds as JSON after `SLICE_BENCH `.
 */
export interface LoopConfig {
  readonly sliceName: string;
  readonly rounds: number;
  readonly workspace: string;
  readonly kubeconfig: string;
  readonly kubectl: string;
  /** After each round, how long the developer reads the lens before the next change (ms). */
  readonly readMs: number;
}

/** One round, in ms from the save (`at`) and as segments. */
export interface LoopRound {
  readonly figure: number;
  /** When the save was made (epoch ms): the workbench's drawing of the lens is timed from it (run.ts). */
  readonly savedAtEpoch: number;
  /** Save → the new figure on the CodeLens: the headline. */
  readonly totalMs: number;
  readonly saveToAckMs: number;
  /** Acknowledged in the container → the service says it reloaded (the app's own clock). */
  readonly ackToReloadedMs: number;
  /** That log line → seen by the bench through the editor's log stream (the bench then sends the request). */
  readonly reloadedToSeenMs: number;
  readonly requestMs: number;
  /** The response → the agent received the OTLP export (the agent's clock): the SDK's batch delay. */
  readonly responseToAgentMs: number;
  /** The agent → the payload in the extension (relay, port-forward). */
  readonly agentToEditorMs: number;
  /** The payload in the extension → the lens shows the figure (decode, aggregate, render). */
  readonly editorToLensMs: number;
}

const EXT = 'slice-dev.slice';

/**
 * What the probe reads of the extension's sync and telemetry sessions (structural: the sessions are
 * moving between layers; a changed shape fails the bench at its first use, saying which).
 */
type On<T> = (listener: (e: T) => void) => { dispose(): void };
interface LiveLike {
  readonly key: string;
  readonly target: { readonly namespace: string };
  readonly link: { readonly current: string; readonly onPayload: On<{ readonly kind: string; readonly receivedMs: number }> };
  readonly logs: { readonly currentPod: string | undefined; readonly onLine: On<{ readonly text: string }> };
}
interface SyncLike {
  readonly key: string;
  readonly engine: { readonly onSynced: On<unknown> };
}

async function until<T>(what: string, probe: () => T | undefined | false, timeoutMs = 60_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = probe();
    if (v !== undefined && v !== false) return v;
    if (Date.now() > deadline) throw new Error(`bench/loop: timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

function within<T>(what: string, p: Promise<T>, ms: number): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  return Promise.race([p, new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`bench/loop: timed out after ${ms} ms waiting for ${what}`)), ms)))]).finally(() => clearTimeout(timer));
}

/** `kubectl port-forward` to the fork as the developer: the local port. */
async function portForward(cfg: LoopConfig, namespace: string): Promise<{ port: number; child: ChildProcess }> {
  const child = spawn(cfg.kubectl, ['--kubeconfig', cfg.kubeconfig, '-n', namespace, 'port-forward', 'deployment/orders', ':8080'], { stdio: ['ignore', 'pipe', 'pipe'] });
  const port = await within(
    'kubectl port-forward',
    new Promise<number>((resolve, reject) => {
      let out = '';
      child.stdout?.on('data', (c: Buffer) => {
        out += c.toString();
        const m = /Forwarding from 127\.0\.0\.1:(\d+)/.exec(out);
        if (m) resolve(Number(m[1]));
      });
      child.stderr?.on('data', (c: Buffer) => (out += c.toString()));
      child.on('exit', (code) => reject(new Error(`kubectl port-forward exited ${code}: ${out}`)));
    }),
    30_000,
  );
  return { port, child };
}

/**
 * One order through the port-forward. A connection the service drops while it reloads (or the
 * tunnel before its first stream) is tried again, as a person would press Send again: the time
 * counts in the round.
 */
async function order(port: number): Promise<number> {
  for (let attempt = 1; ; attempt++) {
    try {
      const res = await fetch(`http://127.0.0.1:${port}/orders`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ sku: 'book', qty: 1 }) });
      await res.arrayBuffer();
      return res.status;
    } catch (e) {
      if (attempt >= 20) throw e;
      await new Promise((r) => setTimeout(r, 100));
    }
  }
}

export async function run(): Promise<void> {
  const cfg = JSON.parse(process.env.SLICE_LOOP_CONFIG ?? 'null') as LoopConfig | null;
  if (!cfg) throw new Error('bench/loop: SLICE_LOOP_CONFIG is not set (run out/bench/loop/run.js)');
  const ext = vscode.extensions.getExtension<SliceApi>(EXT);
  if (!ext) throw new Error(`${EXT} is not loaded`);
  const api = await ext.activate();
  await api.ready;
  await api.environments.refresh();
  const cluster = api.environments.state.cluster;
  if (cluster.status !== 'ok' || !cluster.platformInstalled) throw new Error(`bench/loop: the cluster is not ready with the Slice platform (${cluster.status})`);

  let objectName = '';
  let forward: ChildProcess | undefined;
  try {
    objectName = (await vscode.commands.executeCommand<string>('slice.createSlice', cfg.sliceName)) ?? '';
    if (!objectName) {
      // Create Slice may report "deleted while it was being created" before its watch has seen the new Slice
      console.log('bench/loop: Create Slice reported a failure; looking for the slice it made');
      const mine = await until('the slice in the model', () => {
        const st = api.environments.state.cluster;
        const e = st.status === 'ok' ? st.environments.find((x) => x.kind === 'slice' && x.resource?.name.endsWith(`-${cfg.sliceName}`)) : undefined;
        return e?.kind === 'slice' ? e.resource?.name : undefined;
      }, 60_000);
      objectName = mine;
    }
    // the model refreshed (not while a refresh is under way: commands then find no cluster) until the slice is Ready
    let env: Environment | undefined;
    for (const deadline = Date.now() + 180_000; !env; await new Promise((r) => setTimeout(r, 1000))) {
      if (Date.now() > deadline) throw new Error(`bench/loop: the slice ${objectName} did not become Ready in the model`);
      await api.environments.refresh();
      const st = api.environments.state.cluster;
      const e = st.status === 'ok' ? st.environments.find((x) => x.kind === 'slice' && x.resource?.name === objectName) : undefined;
      if (e?.kind === 'slice' && e.resource?.phase === 'Ready') env = e;
    }
    const key = await vscode.commands.executeCommand<string>('slice.startSync', { kind: 'environment', environment: env }, 'orders');
    const sync = await until('the sync session', () => (api.sync.sessions() as unknown as readonly SyncLike[]).find((s) => s.key === key));
    const live = await until('the telemetry session', () => (api.liveTelemetry.sessions() as unknown as readonly LiveLike[]).find((s) => s.key === key));
    for (const [what, f] of [['sync.engine.onSynced', sync.engine.onSynced], ['live.link.onPayload', live.link.onPayload], ['live.logs.onLine', live.logs.onLine]] as const) {
      if (typeof f !== 'function') throw new Error(`bench/loop: the extension's sessions have no ${what} any more: update bench/loop/probe.ts`);
    }
    await until('the telemetry link to stream', () => live.link.current === 'streaming', 120_000);
    await until('the log stream to follow the fork', () => live.logs.currentPod !== undefined, 60_000);
    const namespace = live.target.namespace;
    const pf = await portForward(cfg, namespace);
    forward = pf.child;

    const uri = vscode.Uri.file(join(cfg.workspace, HANDLER_FILE));
    const doc = await vscode.workspace.openTextDocument(uri);
    await vscode.window.showTextDocument(doc);
    const original = doc.getText();
    const lensLine = () => doc.getText().split('\n').findIndex((l) => l.includes(`async function ${HANDLER}(`));
    const figure = async (): Promise<number | undefined> => {
      const lenses = (await vscode.commands.executeCommand<vscode.CodeLens[]>('vscode.executeCodeLensProvider', uri, 100)) ?? [];
      const line = lensLine();
      const title = lenses.find((l) => l.range.start.line === line && l.command?.title.startsWith('⏱'))?.command?.title;
      return title === undefined ? undefined : lensP95(title);
    };
    /** When the lens first shows a figure that `fits`, checked each time the provider says its lenses changed. */
    const lensShows = (fits: (ms: number) => boolean, ms: number) =>
      within(
        'the new figure on the CodeLens',
        new Promise<{ at: number; figure: number }>((resolve) => {
          let busy = false;
          let again = false;
          const check = async () => {
            if (busy) return void (again = true);
            busy = true;
            do {
              again = false;
              const f = await figure().catch(() => undefined);
              if (f !== undefined && fits(f)) {
                sub.dispose();
                resolve({ at: performance.now(), figure: f });
                return;
              }
            } while (again);
            busy = false;
          };
          const sub = api.telemetry.codeLens.onDidChangeCodeLenses(() => void check());
        }),
        ms,
      );

    // warm-up: the original code's figure once (the decode worker, the function ranges, the port-forward)
    const warm = lensShows(() => true, 60_000);
    if ((await order(pf.port)) !== 201) throw new Error('bench/loop: the first order was not created');
    await warm;

    const rounds: LoopRound[] = [];
    for (let i = 0; i < cfg.rounds; i++) {
      const edit = new vscode.WorkspaceEdit();
      edit.replace(uri, new vscode.Range(0, 0, doc.lineCount, 0), changedHandlers(original, i));
      if (!(await vscode.workspace.applyEdit(edit))) throw new Error('bench/loop: the edit was not applied');
      let requestEnd = Infinity;
      const offset = Date.now() - performance.now(); // epoch ms of the app's and the agent's clocks (same machine) → this timeline
      const acked = new Promise<number>((resolve) => {
        const sub = sync.engine.onSynced(() => {
          sub.dispose();
          resolve(performance.now());
        });
      });
      const reloaded = new Promise<{ seen: number; at: number }>((resolve) => {
        const sub = live.logs.onLine((l) => {
          if (!/: reloaded"/.test(l.text)) return;
          const time = (JSON.parse(l.text.slice(l.text.indexOf('{'))) as { time?: number }).time;
          sub.dispose();
          resolve({ seen: performance.now(), at: (time ?? Date.now()) - offset });
        });
      });
      const payload = new Promise<{ seen: number; agent: number }>((resolve) => {
        const sub = live.link.onPayload((p) => {
          if (p.kind !== 'traces' || performance.now() < requestEnd) return;
          sub.dispose();
          resolve({ seen: performance.now(), agent: p.receivedMs - offset });
        });
      });
      const shown = lensShows((ms) => fitsRound(ms, i), 60_000);
      const t0 = performance.now();
      if (!(await doc.save())) throw new Error('bench/loop: the save failed');
      const ack = await within('the sync acknowledgement', acked, 30_000);
      const reload = await within(`the service's "reloaded" log line`, reloaded, 30_000);
      const t3 = performance.now();
      const status = await order(pf.port);
      requestEnd = performance.now();
      if (status !== 201) throw new Error(`bench/loop: round ${i}: the order answered ${status}`);
      const lens = await shown;
      const got = await within('the export in the editor', payload, 1000).catch(() => undefined);
      const r: LoopRound = {
        figure: lens.figure,
        savedAtEpoch: t0 + offset,
        totalMs: lens.at - t0,
        saveToAckMs: ack - t0,
        ackToReloadedMs: reload.at - ack,
        reloadedToSeenMs: reload.seen - reload.at,
        requestMs: requestEnd - t3,
        responseToAgentMs: got ? got.agent - requestEnd : NaN,
        agentToEditorMs: got ? got.seen - got.agent : NaN,
        editorToLensMs: got ? lens.at - got.seen : NaN,
      };
      rounds.push(r);
      // the developer reads the lens before the next change: the workbench draws it (VS Code asks
      // again at least 250 ms after the provider says its lenses changed), where the next edit
      // straight away would have it drawn "(stale)" first, and the drawn figure would never be seen
      await new Promise((res) => setTimeout(res, cfg.readMs));
      console.log(`bench/loop round ${i}: ${JSON.stringify(r)}`);
    }
    // the editor's file back as it was (saved: the fork gets it too)
    const back = new vscode.WorkspaceEdit();
    back.replace(uri, new vscode.Range(0, 0, doc.lineCount, 0), original);
    await vscode.workspace.applyEdit(back);
    await doc.save();
    console.log(`SLICE_BENCH ${JSON.stringify({ rounds })}`);
  } finally {
    forward?.kill();
    for (const s of api.sync.sessions() as unknown as readonly SyncLike[]) await vscode.commands.executeCommand('slice.stopSync', s.key);
    for (const s of api.liveTelemetry.sessions() as unknown as readonly LiveLike[]) await vscode.commands.executeCommand('slice.stopTelemetry', s.key);
    if (objectName) {
      await api.environments.refresh();
      const state = api.environments.state.cluster;
      const env = state.status === 'ok' ? state.environments.find((e) => e.kind === 'slice' && e.resource?.name === objectName) : undefined;
      if (env) await vscode.commands.executeCommand('slice.deleteSlice', { kind: 'environment', environment: env }, { confirm: false });
    }
  }
}
