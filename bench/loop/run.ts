/**
 * bench/loop (issue 20): the development loop as the developer feels it, save → the new figure on
 * the CodeLens, beside the conventional loop (build the image, import it, roll the Deployment,
 * request, read the figure from the pod's log) in the same run, on the local cluster with the
 * sample shop deployed (npm run platform:install, npm run sample:deploy). The change is
 * bench/loop/change.ts's: createOrder sleeps 350 or 150 ms more, round after round.
 *
 *   node out/bench/loop/run.js    (through npm run bench: SLICE_BENCH=loop)
 *   SLICE_LOOP_ROUNDS=20, SLICE_LOOP_CONVENTIONAL_ROUNDS=3: how many rounds of each
 *   SLICE_LOOP_EXPORT_DELAY=1s: slice.yaml's telemetry.exportDelay for the fork (default: none, the controller's 50 ms)
 *   SLICE_LOOP_SKIP_CONVENTIONAL=1: the Slice loop only
 *   SLICE_LOOP_READ_MS=2000: the pause after each round (the developer reads the lens; not counted)
 * Goal: p50 ≤ 1 s and ≥ 30× faster than the conventional loop.
 */
import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { clusterPath } from '../../test/support/clusterDir';
import { runProbe } from '../extensionHostProbe';
import { fitsRound, lensP95, quantile } from './change';
import { type ConventionalRound, conventionalLoop } from './conventional';
import { type LoopConfig, type LoopRound } from './probe';

const KUBECTL = process.env.SLICE_KUBECTL ?? clusterPath('bin', 'kubectl');
const ADMIN = process.env.SLICE_KUBECONFIG_ADMIN ?? clusterPath('kubeconfig', 'admin.kubeconfig');
const DEVELOPER = process.env.SLICE_KUBECONFIG_ALICE ?? clusterPath('kubeconfig', 'alice.kubeconfig');
const ROUNDS = Number(process.env.SLICE_LOOP_ROUNDS ?? 20);
const CONVENTIONAL_ROUNDS = Number(process.env.SLICE_LOOP_CONVENTIONAL_ROUNDS ?? 3);
/** After each round, the time the developer reads the lens before the next change (not counted). */
const READ_MS = Number(process.env.SLICE_LOOP_READ_MS ?? 2000);

/**
 * Runs in the workbench page: records each CodeLens the editor draws or changes, with the time
 * (epoch ms, the machine's clock, as the probe's), so the bench sees when the figure is on screen:
 * VS Code's CodeLens controller asks the provider again at least 250 ms after it says its lenses
 * changed, and draws what it gets.
 */
const LENS_OBSERVER = `(() => {
  const seen = (globalThis.__sliceLenses = []);
  const record = (el) => seen.push([Date.now(), el.textContent || '']);
  const look = (n) => {
    const el = n.nodeType === 1 ? n : n.parentElement;
    if (!el) return;
    const lens = el.closest('.codelens-decoration');
    if (lens) record(lens);
    else for (const l of el.querySelectorAll('.codelens-decoration')) record(l);
  };
  new MutationObserver((records) => {
    for (const r of records) {
      if (r.type === 'characterData') look(r.target);
      else for (const n of r.addedNodes) look(n);
    }
  }).observe(document, { subtree: true, childList: true, characterData: true });
})();`;

/** Per round: save → the round's figure drawn in the workbench (ms), from what LENS_OBSERVER recorded. */
function drawn(rounds: readonly LoopRound[], lenses: readonly [number, string][]): number[] {
  return rounds.map((r, i) => {
    const hit = lenses.find(([at, text]) => {
      if (at < r.savedAtEpoch) return false;
      const f = lensP95(text);
      return f !== undefined && fitsRound(f, i);
    });
    return hit ? hit[0] - r.savedAtEpoch : NaN;
  });
}

const ms = (n: number) => (Number.isFinite(n) ? `${Math.round(n)} ms` : '?');
const verdict = (met: boolean) => (met ? 'met' : 'NOT met');

function summary<T>(rows: readonly T[], keys: readonly (keyof T & string)[]): string {
  return keys.map((key) => `${key.replace(/Ms$/, '')} ${ms(quantile(rows.map((r) => r[key] as number).filter(Number.isFinite), 0.5))}`).join(' · ');
}

async function main(): Promise<void> {
  const root = resolve(__dirname, '..', '..', '..');
  for (const f of [ADMIN, DEVELOPER, KUBECTL]) if (!existsSync(f)) throw new Error(`bench/loop needs the local cluster: ${f} is missing (npm start)`);
  try {
    execFileSync(KUBECTL, ['--kubeconfig', ADMIN, '-n', 'shop', 'get', 'deployment/orders'], { stdio: 'ignore' });
  } catch {
    throw new Error('bench/loop needs the sample shop in namespace shop: npm run sample:deploy');
  }
  const id = Date.now().toString(36).slice(-6);
  // the developer's workspace: the sample's sources and its slice.yaml (orders forked, services/orders synced)
  const workspace = mkdtempSync(join(tmpdir(), 'slice-bench-loop-'));
  const sample = join(root, 'sample', 'shop');
  for (const f of ['package.json', 'telemetry', 'lib', 'services', 'slice.yaml']) cpSync(join(sample, f), join(workspace, f), { recursive: true });
  const delay = process.env.SLICE_LOOP_EXPORT_DELAY;
  if (delay) writeFileSync(join(workspace, 'slice.yaml'), readFileSync(join(workspace, 'slice.yaml'), 'utf8').replace(/^forks:/m, `telemetry:\n  exportDelay: ${delay}\nforks:`));
  const config: LoopConfig = { sliceName: `loop${id}`, rounds: ROUNDS, workspace, kubeconfig: DEVELOPER, kubectl: KUBECTL, readMs: READ_MS };
  console.log(`bench/loop: ${ROUNDS} rounds of save → new figure on the CodeLens, as alice in slice ${config.sliceName} (export delay ${delay ?? 'the controller default'})…`);
  let slice: LoopRound[];
  let lenses: [number, string][] = [];
  try {
    const result = await runProbe<{ rounds: LoopRound[] }>({
      root,
      probe: join('out', 'bench', 'loop', 'probe.js'),
      runName: 'bench-loop',
      timeoutMs: 900_000,
      folder: workspace,
      settings: { 'slice.kubeconfig': DEVELOPER },
      env: { SLICE_LOOP_CONFIG: JSON.stringify(config) },
      initScript: LENS_OBSERVER,
      collect: async (page) => {
        lenses = await page.evaluate(() => (globalThis as unknown as { __sliceLenses?: [number, string][] }).__sliceLenses ?? []);
      },
    });
    slice = result.rounds;
  } finally {
    rmSync(workspace, { recursive: true, force: true });
  }

  let conventional: ConventionalRound[] = [];
  if (process.env.SLICE_LOOP_SKIP_CONVENTIONAL !== '1') {
    console.log(`bench/loop: ${CONVENTIONAL_ROUNDS} rounds of the conventional loop (build the image, import, roll out, request, read the pod's log)…`);
    conventional = await conventionalLoop({ root, kubectl: KUBECTL, kubeconfig: ADMIN, cacheDir: process.env.SLICE_CACHE_DIR ?? join(process.env.HOME ?? '/root', '.cache', 'slice'), rounds: CONVENTIONAL_ROUNDS, id });
  }

  // the headline: the figure drawn in the workbench; the provider's answer (vscode.executeCodeLensProvider) beside it
  const onScreen = drawn(slice, lenses);
  const provided = slice.map((r) => r.totalMs);
  const missing = onScreen.filter((n) => !Number.isFinite(n)).length;
  const totals = missing === 0 ? onScreen : provided;
  const [p50, p95] = [quantile(totals, 0.5), quantile(totals, 0.95)];
  console.log(`bench/loop (issue 20): save → the new figure on the CodeLens over createOrder (sample shop, orders forked), ${slice.length} rounds`);
  console.log(`  Slice, drawn in the workbench   p50 ${ms(quantile(onScreen.filter(Number.isFinite), 0.5))}   p95 ${ms(quantile(onScreen.filter(Number.isFinite), 0.95))}${missing > 0 ? `  (${missing} rounds not seen drawn: the ratio uses the provider's figure)` : ''}`);
  console.log(`  Slice, from the lens provider   p50 ${ms(quantile(provided, 0.5))}   p95 ${ms(quantile(provided, 0.95))}   (vscode.executeCodeLensProvider, each time the provider says its lenses changed)`);
  console.log(`    where it goes (p50 of each part): ${summary(slice, ['saveToAckMs', 'ackToReloadedMs', 'reloadedToSeenMs', 'requestMs', 'responseToAgentMs', 'agentToEditorMs', 'editorToLensMs'])}; then VS Code draws it ${ms(quantile(onScreen.map((d, i) => d - provided[i]!).filter(Number.isFinite), 0.5))} later`);
  if (conventional.length > 0) {
    const ct = conventional.map((r) => r.totalMs);
    const [c50, c95] = [quantile(ct, 0.5), quantile(ct, 0.95)];
    console.log(`  conventional (${conventional.length} rounds: each is a build and a rollout)  p50 ${ms(c50)}   p95 ${ms(c95)}`);
    console.log(`    where it goes (p50 of each part): ${summary(conventional, ['buildMs', 'importMs', 'rolloutMs', 'requestMs', 'logMs'])}`);
    console.log(`  ratio p50 ${(c50 / p50).toFixed(1)}× faster, p95 ${(c95 / p95).toFixed(1)}× — goal p50 ≤ 1 s: ${verdict(p50 <= 1000)}; ≥ 30× faster: ${verdict(c50 / p50 >= 30)}`);
  } else {
    console.log(`  goal p50 ≤ 1 s: ${verdict(p50 <= 1000)} (conventional loop skipped)`);
  }
}

main().then(
  () => process.exit(0),
  (e: unknown) => {
    console.error(`bench/loop failed: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`);
    process.exit(1);
  },
);
