// The unit tier's model-based fault test, shorter, against a real fork (issue 19): seeded rounds of
// random local edits (files and directories, renames, file <-> directory swaps, ignored files,
// undo) while faults hit — the port-forward cut, the agent process killed, the fork pod deleted
// (the platform's grace period; the forked app ignores SIGTERM), an ACK lost with its connection
// and the edits undone before the reconnect. After every round the container (files and
// directories, seen from inside the agent container) must be the local tree plus the image's own
// files, and no local file may be touched. Prints the recovery time per fault kind: from the fault
// to the sync back in step (reconnected, reconciled, flushed).
//
//   SLICE_SYNC_SEED=7              another schedule
//   SLICE_SYNC_ROUNDS=24           more rounds (default 16: four of each fault)
//   SLICE_SYNC_OLD_GRACE=1         also deletes pods with the baseline's 30 s grace period, as forks had before
import { after, before, describe, test } from 'node:test';
import * as assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as k8s from '@kubernetes/client-node';
import { IgnoreRules } from '../../../src/core/sync/ignoreRules';
import { type PortForwardTransport } from '../../../src/platform/agent-link/portForwardTransport';
import { type SyncEngine } from '../../../src/app/sync/syncEngine';
import { alice } from '../slices/sliceFixture';
import { execIn } from '../smoke/helpers';
import { FaultTransport } from '../../unit/app/sync/faultTransport';
import { LocalEditor, Rand, type TreeView, differences, statState, viewOf } from '../../unit/app/sync/faultModel';
import { AGENT, ROOT, SyncSlice, within } from './syncFixture';

const SEED = Number(process.env.SLICE_SYNC_SEED ?? 19);
const ROUNDS = Number(process.env.SLICE_SYNC_ROUNDS ?? 16);
const GITIGNORE = '*.log\nbuild/\nnode_modules/\n';
const rules = new IgnoreRules({ patterns: [], gitignores: [{ dir: '', content: GITIGNORE }] });
type Kind = 'cut' | 'kill' | 'delete' | 'lostAck' | 'delete30';
const KINDS: readonly Kind[] = ['cut', 'kill', 'delete', 'lostAck', ...(process.env.SLICE_SYNC_OLD_GRACE === '1' ? (['delete30'] as const) : [])];

/** path → sha256 prefix:mode of the files, and the directories, under the sync root, read inside the agent container. */
const TREE = [
  "const fs=require('fs'),c=require('crypto'),p=require('path');const files={},dirs=[];",
  "const walk=(d,r)=>{for(const n of fs.readdirSync(d).sort()){if(/^\\.slice-[0-9a-f]{16}\\.tmp$/.test(n))continue;const f=p.join(d,n),rel=r?r+'/'+n:n,st=fs.lstatSync(f);",
  "if(st.isDirectory()){dirs.push(rel);walk(f,rel)}else if(st.isFile())files[rel]=c.createHash('sha256').update(fs.readFileSync(f)).digest('hex').slice(0,12)+':'+(st.mode&0o777).toString(8)}};",
  'walk(process.argv[1],"");process.stdout.write(JSON.stringify({files,dirs}))',
].join('');

const slice = new SyncSlice({ name: (id) => `recov${id}` });
let faults: FaultTransport;
let transport: PortForwardTransport;
let engine: SyncEngine;
/** What the image put into the sync root (not the sync's business): kept out of the model. */
let image: TreeView = { files: new Map(), dirs: new Set() };
const recovery = new Map<Kind, number[]>();

async function containerView(): Promise<TreeView> {
  const r = await execIn(alice, slice.namespace, await slice.pod(), AGENT, ['node', '-e', TREE, ROOT]);
  if (r.status !== 'Success') throw new Error(`exec failed: ${r.message} ${r.stderr}`);
  const raw = JSON.parse(r.stdout) as { files: Record<string, string>; dirs: string[] };
  const files = new Map(Object.entries(raw.files).filter(([p]) => !rules.isIgnored(p) && !p.split('/').slice(0, -1).some((_, i, s) => rules.isIgnored(s.slice(0, i + 1).join('/'), true))));
  const dirs = new Set(raw.dirs.filter((d) => !d.split('/').some((_, i, s) => rules.isIgnored(s.slice(0, i + 1).join('/'), true))));
  return { files, dirs };
}

function once<T>(subscribe: (listener: (v: T) => void) => { dispose(): void }, pick: (v: T) => boolean = () => true): Promise<T> {
  return new Promise((resolve) => {
    const sub = subscribe((v) => {
      if (!pick(v)) return;
      sub.dispose();
      resolve(v);
    });
  });
}

function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? (s[m] ?? 0) : ((s[m - 1] ?? 0) + (s[m] ?? 0)) / 2;
}

void describe('sync on a real fork: a seeded model-based fault schedule', { timeout: 1_800_000 }, () => {
  before(async () => {
    await slice.up();
    image = await containerView();
    writeFileSync(join(slice.local, '.gitignore'), GITIGNORE);
    transport = slice.transport();
    faults = new FaultTransport(transport);
  });
  after(async () => {
    const rows = [...recovery].map(([k, xs]) => `${k.padEnd(8)} n=${xs.length}  median ${(median(xs) / 1000).toFixed(1)} s  max ${(Math.max(...xs) / 1000).toFixed(1)} s  (${xs.map((x) => (x / 1000).toFixed(1)).join(', ')})`);
    console.log(`recovery, fault → sync back in step (seed ${SEED}):\n  ${rows.join('\n  ')}`);
    await slice.down();
  });

  void test(`${ROUNDS} rounds of edits and faults end with the container exactly as the model says`, async (t) => {
    const rand = new Rand(SEED);
    const log: string[] = [];
    // The engine talks to the port-forward through FaultTransport (it can lose an ACK and hold the reconnect).
    engine = slice.engine(transport, { backoff: { initialMs: 100, maxMs: 1000 } }, faults);
    engine.onOpFailed((f) => slice.logs.push(`error op ${f.path}: ${f.code} ${f.message}`));
    const drift: string[] = [];
    engine.onDrift((d) => drift.push(...d.map((x) => `${x.kind}:${x.path}`)));
    const editor = new LocalEditor(slice.local, rand, engine, log);
    // What the editor said while each fault was being recovered from, with the time since the fault.
    let faultAt = 0;
    const said: string[] = [];
    transport.onWaiting((m) => said.push(`  +${((performance.now() - faultAt) / 1000).toFixed(1)} s ${m}`));
    engine.onConnected((c) => said.push(`  +${((performance.now() - faultAt) / 1000).toFixed(1)} s ${c.description}`));
    editor.burst(12);
    engine.start();
    await within('the first sync', engine.flush(), 120_000);
    const core = alice.makeApiClient(k8s.CoreV1Api);
    try {
      for (let round = 0; round < ROUNDS; round++) {
        const kind = KINDS[round % KINDS.length] ?? 'cut';
        const snap = editor.snapshot();
        log.push(`round ${round + 1}: ${kind}`);
        const dropped = once(engine.onDisconnected, (d) => d.wasConnected);
        let started = performance.now();
        const mark = () => {
          // a change is always in flight when the fault hits
          writeFileSync(join(slice.local, '.round'), `round ${round + 1} ${rand.int(1e6)}\n`);
          engine.notifyChanged(['.round']);
        };
        if (kind === 'lostAck') {
          const lost = faults.loseNextAck();
          editor.burst(1 + rand.int(3));
          mark();
          await within('the lost ACK', lost);
          await dropped;
          editor.undoTo(snap); // reverted before the reconnect
          started = performance.now();
          faults.release();
        } else {
          editor.burst(1 + rand.int(3));
          mark();
          await new Promise((r) => setTimeout(r, rand.int(30)));
          started = faultAt = performance.now();
          said.length = 0;
          if (kind === 'cut') transport.cutConnections();
          else if (kind === 'kill') await execIn(alice, slice.namespace, await slice.pod(), AGENT, ['node', '-e', "process.kill(1, 'SIGTERM')"]).catch(() => undefined);
          else await core.deleteNamespacedPod({ name: await slice.pod(), namespace: slice.namespace, ...(kind === 'delete30' ? { gracePeriodSeconds: 30 } : {}) });
          editor.burst(1 + rand.int(2)); // edits while it is down
          await within(`the ${kind} to be noticed`, dropped, 60_000);
        }
        const localBefore = statState(slice.local);
        await within(`the reconnect after ${kind}`, once(engine.onConnected), 120_000);
        await within(`the flush after ${kind}`, engine.flush(), 120_000);
        const took = performance.now() - started;
        recovery.set(kind, [...(recovery.get(kind) ?? []), took]);
        log.push(`  back in step after ${(took / 1000).toFixed(1)} s`);
        if (kind.startsWith('delete')) t.diagnostic(`round ${round + 1} (${kind}), back in step after ${(took / 1000).toFixed(1)} s:\n${said.join('\n')}`);
        said.length = 0;
        assert.equal(statState(slice.local), localBefore, `round ${round + 1}: a local file was touched`);
        const l = viewOf(slice.local, rules);
        const expected: TreeView = { files: new Map([...image.files, ...l.files]), dirs: new Set([...image.dirs, ...l.dirs]) };
        const diff = differences(expected, await containerView());
        assert.deepEqual(diff, [], `round ${round + 1} (${kind}): the container differs from the model`);
        assert.deepEqual(drift, [], 'nothing changed in the container: no drift');
      }
      const empty = [...viewOf(slice.local, rules).dirs].length;
      t.diagnostic(`${ROUNDS} rounds, seed ${SEED}; the container's directories equal local's (${empty} local directories, empty ones included)`);
    } catch (e) {
      t.diagnostic(`steps:\n${log.join('\n')}\nlogs:\n${slice.dumpLogs()}`);
      throw e;
    }
  });
});
