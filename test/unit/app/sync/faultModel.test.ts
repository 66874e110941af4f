// A seeded, model-based fault test of sync (issue 19). Each schedule builds a small local tree and
// a pod whose image holds a copy of it plus files of its own, then runs rounds of random local
// edits (files and directories, bursts, renames, file ↔ directory swaps, chmod, ignored files,
// undo) while faults hit: a connection cut after k frames, an ACK lost with its connection (then,
// often, the edits reverted before the reconnect), the agent killed after k operations of a batch,
// restarted, or its pod replaced. After every flush the container must be exactly the model: the
// local tree (after ignore rules) plus the image's own files, with no drift reported (nothing
// changed in the container) and no local file touched.
//
//   SLICE_SYNC_SEED=1234        replays one schedule, printing its steps and every frame
//   SLICE_SYNC_SCHEDULES=20000  how many schedules (default 1000), seeds FIRST…FIRST+N-1
//   SLICE_SYNC_FIRST=5001       the first seed (default 1), to soak beyond the CI set
import { test } from 'node:test';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { IgnoreRules } from '../../../../src/core/sync/ignoreRules';
import { SyncEngine } from '../../../../src/app/sync/syncEngine';
import { LocalEditor, Rand, type TreeView, differences, statState, viewOf } from './faultModel';
import { MemoryAgent } from './memoryAgent';

const ONE = process.env.SLICE_SYNC_SEED === undefined ? undefined : Number(process.env.SLICE_SYNC_SEED);
const COUNT = Number(process.env.SLICE_SYNC_SCHEDULES ?? 1000);
const FIRST = Number(process.env.SLICE_SYNC_FIRST ?? 1);
const ROUNDS = 8;
const GITIGNORE = '*.log\nbuild/\nnode_modules/\n';
const rules = new IgnoreRules({ patterns: [], gitignores: [{ dir: '', content: GITIGNORE }] });
const IMAGE_ONLY: Readonly<Record<string, string>> = { 'image/keep.txt': 'the image\n', 'image/sub/deep.txt': 'deep in the image\n', 'node_modules/dep/index.js': 'ignored, in the image\n' };
const tick = () => new Promise<void>((resolve) => setImmediate(resolve));
/** What the image's own files look like in a view (the model adds them to the local tree). */
const IMAGE_ONLY_VIEW: TreeView = (() => {
  const dir = mkdtempSync(join(tmpdir(), 'slice-model-image-'));
  try {
    for (const [p, c] of Object.entries(IMAGE_ONLY)) write(dir, p, c);
    return viewOf(dir, rules);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
})();
/** Schedules run this many at a time (their waits overlap); a failing one is run again alone. */
const PARALLEL = 4;

class ScheduleFailed extends Error {}

async function within<T>(p: Promise<T>, what: string): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  try {
    return await Promise.race([p, new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new ScheduleFailed(`no progress: ${what} did not finish`)), 20_000)))]);
  } finally {
    clearTimeout(timer);
  }
}

function write(root: string, path: string, content: string | Buffer): void {
  mkdirSync(join(root, path, '..'), { recursive: true });
  writeFileSync(join(root, path), content);
}

/** One schedule; throws ScheduleFailed with what differs. Returns the number of faults that fired. */
async function schedule(seed: number, log: string[]): Promise<number> {
  const rand = new Rand(seed);
  const base = mkdtempSync(join(existsSync('/dev/shm') ? '/dev/shm' : tmpdir(), 'slice-model-'));
  const local = join(base, 'local');
  const remote = join(base, 'remote');
  const state = join(base, 'state');
  const engines: SyncEngine[] = [];
  try {
    write(local, '.gitignore', GITIGNORE);
    for (let i = 0, n = 2 + rand.int(5); i < n; i++) write(local, `${rand.pick(['', 'a/', 'lib/', 'lib/deep/'])}f${i}.ts`, `initial ${i % 3}\n`);
    if (rand.chance(0.5)) mkdirSync(join(local, 'empty'), { recursive: true });
    const image = viewOf(local, rules);
    const copyImage = () => {
      rmSync(remote, { recursive: true, force: true });
      rmSync(state, { recursive: true, force: true });
      mkdirSync(remote, { recursive: true });
      for (const d of image.dirs) mkdirSync(join(remote, d), { recursive: true });
      // the image's copy of the local files: the same bytes
      for (const p of image.files.keys()) {
        write(remote, p, '');
        writeFileSync(join(remote, p), readLocalAtStart.get(p) ?? '');
      }
      for (const [p, c] of Object.entries(IMAGE_ONLY)) write(remote, p, c);
    };
    const readLocalAtStart = new Map([...image.files.keys()].map((p) => [p, readFileSync(join(local, p))]));
    copyImage();
    const agent = new MemoryAgent(remote, state, copyImage);
    if (ONE !== undefined) agent.trace = (line) => log.push(line);
    const faults: string[] = [];
    agent.onFault((f) => {
      faults.push(f);
      log.push(`  fault: ${f}`);
    });
    const engine = new SyncEngine({ transport: agent, localRoot: local, debounceMs: 0, backoff: { initialMs: 1, maxMs: 4, random: () => rand.next() }, maxBatchOps: 1 + rand.int(4), windowBatches: 1 + rand.int(3) });
    engines.push(engine);
    const drift: string[] = [];
    const failures: string[] = [];
    engine.onDrift((d) => drift.push(...d.map((x) => `${x.kind}:${x.path}`)));
    engine.onOpFailed((f) => failures.push(`${f.path}: ${f.code} ${f.message}`));
    if (ONE !== undefined) engine.onStateChange((s) => log.push(`    [engine ${s}]`));
    const editor = new LocalEditor(local, rand, engine, log);
    const check = async (when: string) => {
      await tick();
      const before = statState(local);
      await within(engine.flush(), `the flush ${when}`);
      if (statState(local) !== before) throw new ScheduleFailed(`${when}: a local file was touched`);
      const l = viewOf(local, rules);
      const expected: TreeView = { files: new Map([...l.files, ...IMAGE_ONLY_VIEW.files]), dirs: new Set([...l.dirs, ...IMAGE_ONLY_VIEW.dirs]) };
      const diff = differences(expected, viewOf(remote, rules));
      if (diff.length > 0) throw new ScheduleFailed(`${when}: the container differs from the model: ${diff.join(', ')}`);
      if (drift.length > 0) throw new ScheduleFailed(`${when}: drift reported although nothing changed in the container: ${drift.join(', ')}`);
      if (failures.length > 0) throw new ScheduleFailed(`${when}: operations failed: ${failures.join('; ')}`);
      if (!existsSync(join(remote, 'node_modules/dep/index.js'))) throw new ScheduleFailed(`${when}: an ignored container file was deleted`);
    };
    engine.start();
    await check('after the first sync');
    for (let round = 1; round <= ROUNDS; round++) {
      const snap = editor.snapshot();
      const fault = rand.pick(['none', 'none', 'none', 'cut', 'lostAck', 'lostAck', 'kill', 'restart', 'replace', 'outage'] as const);
      log.push(`round ${round}: ${fault}`);
      const edits = 1 + rand.int(4);
      const fired = new Promise<void>((resolve) => agent.onFault(() => resolve()));
      const firedOrIdle = () => Promise.race([fired, engine.flush()]);
      if (fault === 'cut') agent.cutAfterFrames(1 + rand.int(5));
      if (fault === 'lostAck') agent.loseAck(1 + rand.int(2));
      if (fault === 'kill') agent.killMidBatch(rand.int(4));
      if (fault === 'outage') {
        agent.hold();
        agent.restart();
      }
      if (rand.chance(0.12) && round > 1) editor.undoTo(snap);
      else editor.burst(edits);
      if (fault === 'restart' || fault === 'replace') {
        for (let i = rand.int(4); i > 0; i--) await tick();
        if (fault === 'restart') agent.restart();
        else agent.replacePod();
        if (rand.chance(0.5)) agent.hold();
      }
      if (fault !== 'none') {
        await within(firedOrIdle(), 'the fault or the flush');
        // While disconnected (an ACK lost, the agent down): often the edits are undone, or more made.
        if (rand.chance(0.7)) editor.undoTo(snap);
        else if (rand.chance(0.5)) editor.burst(1 + rand.int(3));
      }
      agent.disarm();
      agent.release();
      await check(`after round ${round} (${fault})`);
    }
    return faults.length;
  } finally {
    for (const e of engines) e.dispose();
    rmSync(base, { recursive: true, force: true });
  }
}

/** Runs one seed; on failure, runs it again alone and says whether it fails the same way there. */
async function runSeed(seed: number, alone: boolean): Promise<{ faults: number; log: string[] }> {
  const log: string[] = [];
  try {
    return { faults: await schedule(seed, log), log };
  } catch (e) {
    const why = e instanceof Error ? e.message : String(e);
    let again = '';
    if (!alone) {
      const second = await runSeed(seed, true).then(
        () => 'run again alone it passed (the failure depends on timing: run the whole set to see it)',
        () => 'run again alone it failed too',
      );
      again = `\n  ${second}`;
    }
    throw new Error(`schedule seed ${seed} failed: ${why}${again}\n  replay: SLICE_SYNC_SEED=${seed} node --test out/test/unit/app/sync/faultModel.test.js\n  steps:\n    ${log.join('\n    ')}`, { cause: e });
  }
}

test(`sync model: ${ONE === undefined ? COUNT : 1} seeded edit/fault schedules end with the container exactly as the model says`, { timeout: 600_000 }, async (t) => {
  const started = performance.now();
  let faults = 0;
  if (ONE !== undefined) {
    const { log, faults: f } = await runSeed(ONE, true);
    t.diagnostic(`seed ${ONE} (${f} faults):\n    ${log.join('\n    ')}`);
    return;
  }
  let next = FIRST;
  let failed = false;
  const worker = async () => {
    while (next < FIRST + COUNT && !failed) {
      try {
        const r = await runSeed(next++, false);
        faults += r.faults;
      } catch (e) {
        failed = true; // the other workers stop after their current schedule
        throw e;
      }
    }
  };
  await Promise.all(Array.from({ length: PARALLEL }, worker));
  t.diagnostic(`${COUNT} schedules (seeds ${FIRST}…${FIRST + COUNT - 1}), ${COUNT * ROUNDS} rounds, ${faults} faults fired, in ${((performance.now() - started) / 1000).toFixed(1)} s`);
});
