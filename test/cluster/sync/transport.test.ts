// Sync through the real port-forward as alice: a fork's container receives edits, deletes and
// renames byte-exact; clear errors for a fork without a ready pod, for someone else's slice, and
// without the token Secret. The local tree is never written.
import { after, before, describe, test } from 'node:test';
import * as assert from 'node:assert/strict';
import { renameSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { bob } from '../slices/sliceFixture';
import { touchState, treeState, write } from '../../unit/app/sync/syncHarness';
import { PortForwardError } from '../../../src/core/agent/errors';
import { SyncSlice, within } from './syncFixture';

const slice = new SyncSlice();

void describe('sync: port-forward transport on the real cluster', { timeout: 420_000 }, () => {
  before(async () => slice.up());
  after(async () => slice.down());

  void test('edits, deletes and renames land byte-exact in the container; no local file is touched', async (t) => {
    write(slice.local, 'src/main.js', "console.log('hello');\n");
    write(slice.local, 'src/util/strings.js', 'export const a = "ü€𝄞";\n');
    write(slice.local, 'bin/run.sh', '#!/bin/sh\necho run\n', 0o755);
    write(slice.local, 'assets/blob.bin', Uint8Array.from({ length: 300_000 }, (_, i) => (i * 7919) % 256));
    write(slice.local, '.gitignore', 'node_modules/\n*.log\n');
    write(slice.local, 'node_modules/dep/index.js', 'ignored');
    write(slice.local, 'debug.log', 'ignored');
    const transport = slice.transport();
    const engine = slice.engine(transport);
    const skipIgnored = (p: string) => p === 'node_modules' || p.endsWith('.log');
    try {
      engine.start();
      await within('the initial sync', engine.flush());
      assert.deepEqual(await slice.synced(), treeState(slice.local, skipIgnored));
      assert.ok(transport.currentPod?.startsWith('web-'));

      write(slice.local, 'src/main.js', "console.log('edited');\n");
      engine.notifyChanged(['src/main.js']);
      rmSync(join(slice.local, 'src/util'), { recursive: true });
      engine.notifyDeleted(['src/util']);
      renameSync(join(slice.local, 'bin/run.sh'), join(slice.local, 'bin/start.sh'));
      engine.notifyRenamed('bin/run.sh', 'bin/start.sh');
      const before = touchState(slice.local);
      await within('the changes', engine.flush());
      assert.equal(touchState(slice.local), before);
      const remote = await slice.synced();
      assert.deepEqual(remote, treeState(slice.local, skipIgnored));
      assert.equal(remote.get('bin/start.sh')?.split(':')[1], '755');
      assert.equal(remote.has('src/util/strings.js'), false);
    } catch (e) {
      t.diagnostic(slice.dumpLogs());
      throw e;
    } finally {
      engine.dispose();
    }
  });

  void test('a fork without a ready pod, someone else\'s slice and a missing fork fail in words', async () => {
    const missing = slice.transport('nope');
    await assert.rejects(missing.connect(), (e: unknown) => e instanceof PortForwardError && e.reason === 'noReadyPod' && /the fork nope has no pod/.test(e.message));
    const asBob = slice.transport('web', bob);
    await assert.rejects(asBob.connect(), (e: unknown) => e instanceof PortForwardError && e.reason === 'forbidden' && /you may not list the fork pods in slice-alice-sync/.test(e.message));
  });
});
