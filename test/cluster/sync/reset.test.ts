// "Reset Container to Local" on the real cluster keeps the files that came with the image: a fork
// of a workload whose image holds files at its sync path, synced, reset, then rescheduled (a
// fresh copy of the image; the engine resets the container to local after the pod change). Only
// files the sync put there, or that were deleted locally, are ever deleted.
import { after, before, describe, test } from 'node:test';
import * as assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import * as k8s from '@kubernetes/client-node';
import { alice } from '../slices/sliceFixture';
import { touchState, write } from '../../unit/app/sync/syncHarness';
import { type PortForwardTransport } from '../../../src/platform/agent-link/portForwardTransport';
import { type SyncEngine } from '../../../src/app/sync/syncEngine';
import { SyncSlice, within } from './syncFixture';

const REPO = resolve(__dirname, '../../../..');
const IMAGE_FILES: Record<string, string> = {
  'package.json': '{ "name": "sp-image-files" }\n',
  'image-only/README.md': 'shipped with the image, never synced\n',
  'src/app.js': 'the image version of app.js\n',
  'src/old.js': 'the image version of old.js\n',
};

/** localhost/slice/sp-image-files:v1: the node runtime image with IMAGE_FILES in /app (the default sync path). */
function buildImage(): string {
  const dir = mkdtempSync(join(tmpdir(), 'sp-image-files-'));
  try {
    for (const [p, c] of Object.entries(IMAGE_FILES)) write(dir, p, c);
    return execFileSync('bash', ['test/cluster/images/node-app-image.sh', 'sp-image-files', 'v1', dir], { cwd: REPO, encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] }).trim().split('\n').pop() ?? '';
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const sha = (s: string) => createHash('sha256').update(s).digest('hex');
let slice: SyncSlice;
let transport: PortForwardTransport;
let engine: SyncEngine;

/** path → sha256 of the container's files (modes aside). */
async function container(): Promise<Map<string, string>> {
  return new Map(Object.entries(await slice.containerTree()).map(([p, v]) => [p, v.split(':')[0] ?? '']));
}

void describe("sync: Reset Container to Local keeps the image's files", { timeout: 600_000 }, () => {
  before(async () => {
    const image = buildImage();
    assert.match(image, /^localhost\/slice\/sp-image-files:v1$/);
    slice = new SyncSlice({ name: (id) => `sp-reset-${id}`, workload: 'sp-app', extraWorkloads: [{ name: 'sp-app', image }] });
    await slice.up();
    write(slice.local, 'src/app.js', 'local app.js\n');
    write(slice.local, 'src/old.js', 'local old.js\n');
    write(slice.local, 'src/new.js', 'local new.js\n');
    transport = slice.transport();
    engine = slice.engine(transport);
    engine.start();
    await within('the initial sync', engine.flush(), 120_000);
  });
  after(async () => slice?.down());

  void test('a reset overwrites local files in the container and leaves image-only files alone', async (t) => {
    try {
      const before = touchState(slice.local);
      await within('the reset', engine.resetContainerToLocal());
      const tree = await container();
      assert.equal(tree.get('image-only/README.md'), sha(IMAGE_FILES['image-only/README.md']!), 'the image-only file is still there');
      assert.equal(tree.get('package.json'), sha(IMAGE_FILES['package.json']!));
      assert.equal(tree.get('src/app.js'), sha('local app.js\n'));
      assert.equal(tree.get('src/new.js'), sha('local new.js\n'));
      assert.equal(touchState(slice.local), before, 'no local file was touched');
    } catch (e) {
      t.diagnostic(slice.dumpLogs());
      throw e;
    }
  });

  void test('after a pod reschedule the reconcile (the new sync root) deletes only what local deleted', async (t) => {
    const core = alice.makeApiClient(k8s.CoreV1Api);
    try {
      const pod = await slice.pod();
      rmSync(join(slice.local, 'src/old.js'));
      engine.notifyDeleted(['src/old.js']);
      await core.deleteNamespacedPod({ name: pod, namespace: slice.namespace, gracePeriodSeconds: 0 });
      // The engine reconnects to the new pod (a new sync root: a fresh copy of the image) and reconciles it to local.
      const deadline = Date.now() + 180_000;
      let tree = new Map<string, string>();
      for (;;) {
        await within('the engine to flush', engine.flush(), 180_000);
        tree = await container().catch(() => new Map<string, string>());
        if (transport.currentPod !== pod && tree.get('src/app.js') === sha('local app.js\n') && !tree.has('src/old.js')) break;
        if (Date.now() > deadline) break;
        await new Promise((r) => setTimeout(r, 1000));
      }
      assert.notEqual(transport.currentPod, pod, 'the transport moved to the new pod');
      assert.equal(tree.get('image-only/README.md'), sha(IMAGE_FILES['image-only/README.md']!), "the image's file survives the reschedule");
      assert.equal(tree.get('package.json'), sha(IMAGE_FILES['package.json']!));
      assert.equal(tree.has('src/old.js'), false, 'deleted locally: deleted in the container, although the image has it');
      assert.equal(tree.get('src/app.js'), sha('local app.js\n'));
      assert.equal(tree.get('src/new.js'), sha('local new.js\n'));
      assert.equal(readFileSync(join(slice.local, 'src/app.js'), 'utf8'), 'local app.js\n');
    } catch (e) {
      t.diagnostic(slice.dumpLogs());
      throw e;
    }
  });
});
