// A revert made while an acknowledgement is lost (issue 19): a batch reaches the agent, its ACK is
// lost with the connection, the user undoes the change before the reconnect. The container must
// end with the local tree, and nothing is reported as drift (nothing changed in the container).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { type DriftEntry } from '../../../../src/core/sync/planner';
import { WsTransport } from '../../../../src/platform/agent-link/wsTransport';
import { FaultTransport } from './faultTransport';
import { Rig, TOKEN, touchState, write } from './syncHarness';

async function withLostAck(name: string, change: (rig: Rig, notify: FaultNotify) => void, revert: (rig: Rig, notify: FaultNotify) => void, check: (rig: Rig) => void): Promise<void> {
  const rig = new Rig();
  try {
    write(rig.local, 'src/a.ts', 'version 1\n');
    write(rig.local, 'src/keep.ts', 'kept\n');
    await rig.startAgent();
    const transport = new FaultTransport(new WsTransport({ url: `ws://127.0.0.1:${rig.port}/v1/connect`, token: TOKEN }));
    const engine = rig.track(rig.engine({ transport }));
    const drifts: DriftEntry[] = [];
    engine.onDrift((d) => drifts.push(...d));
    engine.start();
    await engine.flush();
    const lost = transport.loseNextAck();
    change(rig, engine);
    await lost; // the agent applied the batch; its ACK is gone with the connection, reconnects held
    revert(rig, engine);
    const before = touchState(rig.local);
    transport.release();
    await engine.flush();
    assert.deepEqual(rig.remoteState(), rig.localState(), `${name}: the container holds the local tree`);
    check(rig);
    assert.deepEqual(drifts, [], `${name}: nothing changed in the container, so nothing is drift`);
    assert.equal(touchState(rig.local), before, 'no local file was touched');
  } finally {
    await rig.dispose();
  }
}

interface FaultNotify {
  notifyChanged(paths: readonly string[]): void;
  notifyDeleted(paths: readonly string[]): void;
  notifyRenamed(from: string, to: string): void;
}

test('lost ACK, then modify → undo: the container gets the original content back', { timeout: 30_000 }, async () => {
  await withLostAck(
    'modify → undo',
    (rig, n) => {
      write(rig.local, 'src/a.ts', 'version 2\n');
      n.notifyChanged(['src/a.ts']);
    },
    (rig, n) => {
      write(rig.local, 'src/a.ts', 'version 1\n');
      n.notifyChanged(['src/a.ts']);
    },
    (rig) => assert.equal(readFileSync(join(rig.remote, 'src/a.ts'), 'utf8'), 'version 1\n'),
  );
});

test('lost ACK, then delete → restore: the file is back in the container', { timeout: 30_000 }, async () => {
  await withLostAck(
    'delete → restore',
    (rig, n) => {
      rmSync(join(rig.local, 'src/a.ts'));
      n.notifyDeleted(['src/a.ts']);
    },
    (rig, n) => {
      write(rig.local, 'src/a.ts', 'version 1\n');
      n.notifyChanged(['src/a.ts']);
    },
    (rig) => assert.equal(readFileSync(join(rig.remote, 'src/a.ts'), 'utf8'), 'version 1\n'),
  );
});

test('lost ACK, then rename → rename back: the original path is back, the new one gone', { timeout: 30_000 }, async () => {
  await withLostAck(
    'rename → rename back',
    (rig, n) => {
      renameSync(join(rig.local, 'src/a.ts'), join(rig.local, 'src/b.ts'));
      n.notifyRenamed('src/a.ts', 'src/b.ts');
    },
    (rig, n) => {
      renameSync(join(rig.local, 'src/b.ts'), join(rig.local, 'src/a.ts'));
      n.notifyRenamed('src/b.ts', 'src/a.ts');
    },
    (rig) => {
      assert.equal(readFileSync(join(rig.remote, 'src/a.ts'), 'utf8'), 'version 1\n');
      assert.equal(existsSync(join(rig.remote, 'src/b.ts')), false);
    },
  );
});
