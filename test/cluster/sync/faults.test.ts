// Fault injection on the real cluster, mid-sync, each repeated: the agent process killed, the
// port-forward cut, the pod deleted (rescheduled with a fresh, re-seeded sync root). Every time the
// container converges to the last local content, and no local file is ever written.
import { after, before, describe, test } from 'node:test';
import * as assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import * as k8s from '@kubernetes/client-node';
import { alice } from '../slices/sliceFixture';
import { execIn } from '../smoke/helpers';
import { generateTree, touchState, treeState, write } from '../../unit/app/sync/syncHarness';
import { type PortForwardTransport } from '../../../src/platform/agent-link/portForwardTransport';
import { type SyncEngine } from '../../../src/app/sync/syncEngine';
import { AGENT, SyncSlice, within } from './syncFixture';

const ROUNDS = 3;
const slice = new SyncSlice();
const ignored = (p: string) => p === 'node_modules' || p.endsWith('.log');
let transport: PortForwardTransport;
let engine: SyncEngine;
let files: string[] = [];
let round = 0;

/** Edits, creates and deletes a handful of files and tells the engine. */
function churn(tag: string): void {
  round++;
  const changed: string[] = [];
  for (let i = 0; i < 25; i++) {
    const p = files[(round * 37 + i * 11) % files.length]!;
    write(slice.local, p, `// ${tag} round ${round} file ${i}\n${'x'.repeat((round * 131 + i * 17) % 5000)}\n`);
    changed.push(p);
  }
  const created = `new/${tag}-${round}.txt`;
  write(slice.local, created, `created in round ${round}\n`);
  files.push(created);
  const victim = files.splice((round * 7) % (files.length - 1), 1)[0]!;
  rmSync(join(slice.local, victim), { force: true });
  engine.notifyChanged([...changed, created]);
  engine.notifyDeleted([victim]);
}

/**
 * The container converges with the local tree: after a reschedule the engine may only learn of the
 * new pod on its next connect, so flush and compare again until they match (bounded).
 */
async function converges(what: string): Promise<void> {
  const localBefore = touchState(slice.local);
  const expected = treeState(slice.local, ignored);
  const deadline = Date.now() + 120_000;
  let actual: Awaited<ReturnType<typeof slice.synced>> | undefined;
  for (;;) {
    await within(`${what}: the engine to flush`, engine.flush(), 180_000);
    actual = await slice.synced().catch(() => undefined);
    if (actual && isDeepStrictEqual(actual, expected)) break;
    if (Date.now() > deadline) break;
    await new Promise((r) => setTimeout(r, 1000));
  }
  assert.equal(touchState(slice.local), localBefore, `${what}: a local file was touched`);
  assert.deepEqual(actual, expected, `${what}: the container differs from local`);
}

void describe('sync: fault injection on the real cluster', { timeout: 900_000 }, () => {
  before(async () => {
    await slice.up();
    files = generateTree(slice.local, 300, 7);
    transport = slice.transport();
    engine = slice.engine(transport);
    engine.start();
    await within('the initial sync', engine.flush(), 120_000);
  });
  after(async () => slice.down());

  void test('the agent process killed mid-sync', async (t) => {
    try {
      for (let i = 0; i < ROUNDS; i++) {
        const pod = await slice.pod();
        churn('kill');
        // SIGTERM to the agent (PID 1 of its container): the container restarts, the emptyDir stays
        await execIn(alice, slice.namespace, pod, AGENT, ['node', '-e', "process.kill(1, 'SIGTERM')"]).catch(() => undefined);
        churn('kill-during');
        await converges(`kill ${i + 1}`);
      }
    } catch (e) {
      t.diagnostic(slice.dumpLogs());
      throw e;
    }
  });

  void test('the port-forward cut mid-sync', async (t) => {
    try {
      for (let i = 0; i < ROUNDS; i++) {
        churn('cut');
        await new Promise((r) => setTimeout(r, 5));
        transport.cutConnections();
        churn('cut-during');
        await converges(`cut ${i + 1}`);
      }
    } catch (e) {
      t.diagnostic(slice.dumpLogs());
      throw e;
    }
  });

  void test('the pod deleted mid-sync (rescheduled, fresh sync root)', async (t) => {
    const core = alice.makeApiClient(k8s.CoreV1Api);
    try {
      for (let i = 0; i < ROUNDS; i++) {
        const pod = await slice.pod();
        churn('delete');
        await core.deleteNamespacedPod({ name: pod, namespace: slice.namespace, gracePeriodSeconds: 0 });
        churn('delete-during');
        await converges(`pod delete ${i + 1}`);
        assert.notEqual(transport.currentPod, pod, 'the transport moved to the new pod');
      }
    } catch (e) {
      t.diagnostic(slice.dumpLogs());
      throw e;
    }
  });
});
