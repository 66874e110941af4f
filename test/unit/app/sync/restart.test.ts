import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import WebSocket from 'ws';
import { MessageType, encodeFrame } from '../../../../src/core/agent/protocol';
import { type SyncReport } from '../../../../src/app/sync/syncEngine';
import { Rig, TOKEN, generateTree, touchState, write } from './syncHarness';

test('after an editor restart the next connection reconciles by manifest: unchanged files are not sent again, local edits and deletes apply', { timeout: 60_000 }, async () => {
  const rig = new Rig();
  try {
    const paths = generateTree(rig.local, 300, 11);
    await rig.startAgent();
    const first = rig.track(rig.engine());
    first.start();
    await first.flush();
    // The editor goes away: acknowledgements and the hash cache, all in memory, are gone with it.
    first.dispose();
    const [gone, edited] = paths as [string, string];
    rmSync(join(rig.local, gone));
    write(rig.local, edited, 'edited while the editor was closed');
    const treeBytes = [...rig.localState().keys()].reduce((n, p) => n + statSync(join(rig.local, p)).size, 0);
    const before = touchState(rig.local);

    const second = rig.track(rig.engine());
    const reports: SyncReport[] = [];
    second.onSynced((r) => reports.push(r));
    second.start();
    await second.flush();
    assert.equal(reports[0]?.kind, 'reconcile');
    assert.deepEqual({ written: reports[0]?.written, deleted: reports[0]?.deleted, payload: reports[0]?.payloadBytes }, { written: 1, deleted: 1, payload: 'edited while the editor was closed'.length }, 'only the edit travels; the local delete applies');
    assert.ok(second.traffic.bytesSent < treeBytes / 100, `sent ${second.traffic.bytesSent} B of a ${treeBytes} B tree`);
    assert.deepEqual(rig.remoteState(), rig.localState());
    assert.equal(touchState(rig.local), before, 'no local file was touched');
  } finally {
    await rig.dispose();
  }
});

test("the image's files survive Reset Container to Local and a pod reschedule; files the sync put there, or that local deleted, do not", { timeout: 60_000 }, async () => {
  const rig = new Rig();
  const seed = () => {
    mkdirSync(rig.remote, { recursive: true });
    write(rig.remote, 'image/README.md', 'from the image');
    write(rig.remote, 'src/app.ts', 'the image version');
    write(rig.remote, 'src/old.ts', 'the image version of old');
    write(rig.remote, 'src/gone.ts', 'the image version of gone');
  };
  try {
    seed();
    write(rig.local, 'src/app.ts', 'local app');
    write(rig.local, 'src/old.ts', 'local old');
    write(rig.local, 'src/new.ts', 'local new');
    await rig.startAgent();
    const engine = rig.track(rig.engine());
    engine.start();
    await engine.flush();
    assert.equal(readFileSync(join(rig.remote, 'src/app.ts'), 'utf8'), 'local app');
    assert.deepEqual(await engine.checkDrift(), [], "the image's own files are not drift");
    await engine.resetContainerToLocal();
    assert.equal(readFileSync(join(rig.remote, 'image/README.md'), 'utf8'), 'from the image', 'a reset keeps a file the sync never put there');

    // src/old.ts is deleted locally (the image has it too) and src/gone.ts while disconnected;
    // then the pod is rescheduled: a fresh copy of the image, a new agent that owns nothing yet.
    write(rig.local, 'src/gone.ts', 'local gone');
    engine.notifyChanged(['src/gone.ts']);
    rmSync(join(rig.local, 'src/old.ts'));
    engine.notifyDeleted(['src/old.ts']);
    await engine.flush();
    assert.equal(existsSync(join(rig.remote, 'src/old.ts')), false);
    await rig.stopAgent();
    rmSync(join(rig.local, 'src/gone.ts'));
    engine.notifyDeleted(['src/gone.ts']);
    rig.wipeContainer();
    seed();
    const reconnected = new Promise<string>((resolve) => engine.onConnected((w) => resolve(w.cause)));
    const drift: string[] = [];
    engine.onDrift((d) => drift.push(...d.map((x) => x.path)));
    await rig.startAgent();
    assert.equal(await reconnected, 'podReplaced', 'a new sync root: the pod was replaced');
    await engine.flush(); // the reconcile alone, no reset: the new root's id says the image was copied afresh
    assert.deepEqual(drift, [], "the fresh image's copies are not drift");
    assert.equal(readFileSync(join(rig.remote, 'image/README.md'), 'utf8'), 'from the image', "the image's file survives the reschedule");
    assert.equal(existsSync(join(rig.remote, 'src/old.ts')), false, 'a file deleted locally is deleted, even where the image has it');
    assert.equal(existsSync(join(rig.remote, 'src/gone.ts')), false, 'also when it was deleted during the outage');
    assert.equal(readFileSync(join(rig.remote, 'src/app.ts'), 'utf8'), 'local app');
    assert.equal(readFileSync(join(rig.remote, 'src/new.ts'), 'utf8'), 'local new');

    // A file the sync put there and local then deleted goes on a reset, even when this side forgot it.
    writeFileSync(join(rig.remote, 'src/new.ts'), 'changed in the container');
    rmSync(join(rig.local, 'src/new.ts'));
    const fresh = rig.track(rig.engine());
    engine.dispose();
    fresh.start();
    await fresh.flush();
    assert.deepEqual((await fresh.checkDrift()).map((d) => `${d.kind}:${d.path}`), ['added:src/new.ts'], 'the sync owns it but it changed in the container: drift, not deleted');
    await fresh.resetContainerToLocal();
    assert.equal(existsSync(join(rig.remote, 'src/new.ts')), false);
    assert.equal(readFileSync(join(rig.remote, 'image/README.md'), 'utf8'), 'from the image');
  } finally {
    await rig.dispose();
  }
});

test('a client of the previous protocol gets an ERROR it can read, saying what to update', { timeout: 20_000 }, async () => {
  const rig = new Rig();
  try {
    await rig.startAgent();
    const ws = new WebSocket(`ws://127.0.0.1:${rig.port}/v1/connect`, { headers: { authorization: `Bearer ${TOKEN}` } });
    const answer = new Promise<{ frame: Buffer; close: number }>((resolve, reject) => {
      let frame: Buffer | undefined;
      ws.on('message', (data: Buffer, isBinary) => {
        if (isBinary) frame = data;
      });
      ws.on('close', (code) => (frame ? resolve({ frame, close: code }) : reject(new Error(`closed ${code} without an answer`))));
      ws.on('error', reject);
    });
    await new Promise<void>((resolve) => ws.once('open', () => resolve()));
    ws.send(encodeFrame({ version: 1, type: MessageType.Hello, requestId: 1, meta: { versions: [1], client: 'old-extension' } }));
    const { frame, close } = await answer;
    assert.equal(frame[3], 1, "the ERROR is framed in the client's version");
    assert.equal(frame[4], MessageType.Error);
    const metaLength = frame.readUInt32BE(12);
    const meta = JSON.parse(frame.subarray(20, 20 + metaLength).toString('utf8')) as { code: string; message: string };
    assert.equal(meta.code, 'UNSUPPORTED_VERSION');
    assert.match(meta.message, /speaks sync protocol 3, this client speaks 1: update the Slice extension/);
    assert.equal(close, 1002);
  } finally {
    await rig.dispose();
  }
});
