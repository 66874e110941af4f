import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { type DriftEntry } from '../../../../src/core/sync/planner';
import { type HookResultMeta } from '../../../../src/core/agent/messages';
import { SyncEngine, type SyncReport } from '../../../../src/app/sync/syncEngine';
import { WsTransport } from '../../../../src/platform/agent-link/wsTransport';
import { Rig, generateTree, touchState, write } from './syncHarness';

test('initial sync, edits, deletes and renames converge byte-exact; ignored files stay put', { timeout: 60_000 }, async () => {
  const rig = new Rig();
  try {
    const paths = generateTree(rig.local, 300);
    write(rig.remote, 'node_modules/image-dep/index.js', 'from the image');
    await rig.startAgent();
    const engine = rig.track(rig.engine());
    const reports: SyncReport[] = [];
    engine.onSynced((r) => reports.push(r));
    engine.start();
    await engine.flush();
    assert.deepEqual(rig.remoteState(), rig.localState());
    assert.equal(readFileSync(join(rig.remote, 'node_modules/image-dep/index.js'), 'utf8'), 'from the image', 'ignored container files are left alone');
    assert.equal(existsSync(join(rig.remote, 'debug.log')), false);
    assert.equal(reports[0]?.kind, 'reconcile');

    write(rig.local, paths[0]!, 'edited');
    write(rig.local, 'new/deep/file.sh', '#!/bin/sh\necho hi\n', 0o755);
    rmSync(join(rig.local, 'd0_1'), { recursive: true, force: true });
    const source = paths.find((p) => p.endsWith('.ts') && !p.startsWith('d0_1/') && p !== paths[0])!;
    const content = readFileSync(join(rig.local, source));
    renameSync(join(rig.local, source), join(rig.local, 'moved.ts'));
    engine.notifyChanged([paths[0]!, 'new/deep/file.sh']);
    engine.notifyDeleted(['d0_1']);
    engine.notifyRenamed(source, 'moved.ts');
    await engine.flush();
    assert.deepEqual(rig.remoteState(), rig.localState());
    assert.deepEqual(readFileSync(join(rig.remote, 'moved.ts')), content);
    const last = reports.at(-1);
    assert.equal(last?.kind, 'changes');
    assert.ok((last?.renamed ?? 0) >= 1, 'a rename moves the file instead of sending it again');

    // A burst of saves of one file coalesces; the last content wins.
    for (let i = 0; i < 20; i++) {
      write(rig.local, 'burst.ts', `v${i}`);
      engine.notifyChanged(['burst.ts']);
    }
    await engine.flush();
    assert.equal(readFileSync(join(rig.remote, 'burst.ts'), 'utf8'), 'v19');
    engine.dispose();
  } finally {
    await rig.dispose();
  }
});

test('drift is reported, never pulled back; the next local change or a reset overwrites it', { timeout: 60_000 }, async () => {
  const rig = new Rig();
  try {
    const [a, b] = generateTree(rig.local, 50) as [string, string];
    await rig.startAgent();
    const engine = rig.track(rig.engine());
    const drifts: (readonly DriftEntry[])[] = [];
    engine.onDrift((d) => drifts.push(d));
    engine.start();
    await engine.flush();
    const before = touchState(rig.local);
    writeFileSync(join(rig.remote, a), 'edited in the container');
    rmSync(join(rig.remote, b));
    writeFileSync(join(rig.remote, 'generated.txt'), 'made by the app');
    const drift = await engine.checkDrift();
    assert.deepEqual(drift.map((d) => `${d.kind}:${d.path}`).sort(), [`deleted:${b}`, `modified:${a}`].sort(), "a file the app made is not the sync's: not drift");
    assert.equal(readFileSync(join(rig.remote, a), 'utf8'), 'edited in the container', 'checking drift changes nothing');
    assert.equal(touchState(rig.local), before, 'no local file was touched');

    write(rig.local, a, 'local edit wins');
    engine.notifyChanged([a]);
    await engine.flush();
    assert.equal(readFileSync(join(rig.remote, a), 'utf8'), 'local edit wins');
    assert.equal(existsSync(join(rig.remote, b)), false, 'untouched drift stays until a reset');

    await engine.resetContainerToLocal();
    assert.equal(readFileSync(join(rig.remote, 'generated.txt'), 'utf8'), 'made by the app', 'a reset never deletes what the sync did not put there');
    rmSync(join(rig.remote, 'generated.txt'));
    assert.deepEqual(rig.remoteState(), rig.localState());
    assert.deepEqual(await engine.checkDrift(), []);
    assert.ok(drifts.length >= 3);
    engine.dispose();
  } finally {
    await rig.dispose();
  }
});

test('agent killed mid-sync and restarted: converges to the last local content, no local file touched', { timeout: 60_000 }, async () => {
  const rig = new Rig();
  try {
    const paths = generateTree(rig.local, 400, 7);
    await rig.startAgent();
    const engine = rig.track(rig.engine({ maxBatchOps: 20 }));
    const restarts: boolean[] = [];
    engine.onConnected((w) => restarts.push(w.restarted));
    engine.start();
    await engine.flush();
    // Change many files, then kill the agent while their batches are in flight.
    for (const p of paths.slice(0, 200)) write(rig.local, p, `changed ${p}`);
    engine.notifyChanged(paths.slice(0, 200));
    await new Promise<void>((resolve) => {
      const sub = engine.onStateChange((s) => {
        if (s === 'syncing') {
          sub.dispose();
          resolve();
        }
      });
    });
    await rig.stopAgent();
    // Changes made during the outage are queued, not lost.
    for (const p of paths.slice(200, 260)) write(rig.local, p, `during outage ${p}`);
    engine.notifyChanged(paths.slice(200, 260));
    rmSync(join(rig.local, paths[300]!));
    engine.notifyDeleted([paths[300]!]);
    assert.ok(engine.pendingCount > 0);
    const localBefore = touchState(rig.local);
    await new Promise((r) => setTimeout(r, 100));
    await rig.startAgent();
    await engine.flush();
    assert.deepEqual(rig.remoteState(), rig.localState());
    assert.equal(touchState(rig.local), localBefore, 'the engine never writes local files');
    assert.deepEqual(restarts, [false, true], 'the engine saw the agent restart');
    engine.dispose();
  } finally {
    await rig.dispose();
  }
});

test('the after-sync action runs without a shell on file names, with exit code and output tail', { timeout: 60_000 }, async () => {
  const rig = new Rig({ argv: ['/bin/sh', '-c', 'echo reloaded; exit 3'], timeoutMs: 5000 });
  try {
    write(rig.local, '$(touch pwned); echo x.ts', 'hostile name');
    await rig.startAgent();
    const engine = rig.track(rig.engine({ runAfterSync: true }));
    const hook = new Promise<HookResultMeta>((resolve) => engine.onHookResult(resolve));
    engine.start();
    await engine.flush();
    const r = await hook;
    assert.equal(r.ran, true);
    assert.equal(r.exitCode, 3);
    assert.match(r.outputTail, /reloaded/);
    assert.equal(existsSync(join(rig.remote, 'pwned')), false);
    assert.equal(readFileSync(join(rig.remote, '$(touch pwned); echo x.ts'), 'utf8'), 'hostile name');
    engine.dispose();
  } finally {
    await rig.dispose();
  }
});

test('files over the size cap are skipped with a clear message; a wrong token never connects', { timeout: 60_000 }, async () => {
  const rig = new Rig();
  try {
    write(rig.local, 'big.bin', new Uint8Array(300_000));
    write(rig.local, 'small.txt', 'ok');
    await rig.startAgent();
    const engine = rig.track(rig.engine({ maxFileBytes: 100_000 }));
    const skipped: string[] = [];
    engine.onSkipped((s) => skipped.push(...s.map((x) => x.reason)));
    engine.start();
    await engine.flush();
    assert.equal(existsSync(join(rig.remote, 'big.bin')), false);
    assert.equal(existsSync(join(rig.remote, 'small.txt')), true);
    assert.match(skipped[0] ?? '', /big\.bin is 293\.0 KiB, over the 97\.7 KiB per-file limit/);
    engine.dispose();
    const intruder = rig.track(new SyncEngine({ transport: new WsTransport({ url: `ws://127.0.0.1:${rig.port}/v1/connect`, token: 'wrong' }), localRoot: rig.local, backoff: { initialMs: 10, maxMs: 20 } }));
    const states = new Set<string>();
    intruder.onStateChange((s) => states.add(s));
    intruder.start();
    await new Promise((r) => setTimeout(r, 150));
    assert.deepEqual([...states].sort(), ['connecting', 'disconnected']);
    assert.ok(rig.logs.some((l) => l.includes('bad or missing token')));
  } finally {
    await rig.dispose();
  }
});
