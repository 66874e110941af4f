import { test } from 'node:test';
import assert from 'node:assert/strict';
import { lstatSync, mkdirSync, readdirSync, renameSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { Rig, touchState, write } from './syncHarness';

/** Every directory under `root` (relative), skipping `skip`. */
function dirs(root: string, skip: (p: string) => boolean = () => false): string[] {
  const out: string[] = [];
  const walk = (abs: string, rel: string) => {
    for (const name of readdirSync(abs).sort()) {
      const r = rel ? `${rel}/${name}` : name;
      if (skip(r) || !lstatSync(join(abs, name)).isDirectory()) continue;
      out.push(r);
      walk(join(abs, name), r);
    }
  };
  walk(root, '');
  return out;
}

const ignored = (p: string) => p === 'node_modules' || p.startsWith('node_modules/') || p === '.git' || p.endsWith('.log');

test('directories are mirrored: empty ones made, deleted and renamed trees leave no empty directories, ignore rules kept', { timeout: 60_000 }, async () => {
  const rig = new Rig();
  try {
    write(rig.local, '.gitignore', 'node_modules/\n*.log\nbuild/\n');
    write(rig.local, 'lib/a/one.ts', 'one');
    write(rig.local, 'lib/a/b/two.ts', 'two');
    for (let i = 0; i < 6; i++) mkdirSync(join(rig.local, `lib/empty${i}/deeper`), { recursive: true });
    mkdirSync(join(rig.local, 'empty-at-start'));
    mkdirSync(join(rig.local, 'build/out'), { recursive: true });
    write(rig.remote, 'node_modules/dep/index.js', 'the image');
    write(rig.remote, 'image-only/keep.txt', 'the image');
    mkdirSync(join(rig.remote, 'image-empty'));
    await rig.startAgent();
    const engine = rig.track(rig.engine());
    engine.start();
    await engine.flush();
    const expected = () => [...new Set([...dirs(rig.local, (p) => ignored(p) || p === 'build'), 'image-empty', 'image-only'])].sort();
    assert.deepEqual(dirs(rig.remote, ignored), expected(), 'empty local directories exist in the container; ignored ones do not');

    // A new empty directory, a renamed tree, a deleted tree.
    mkdirSync(join(rig.local, 'fresh/empty'), { recursive: true });
    engine.notifyChanged(['fresh']);
    renameSync(join(rig.local, 'lib'), join(rig.local, 'src'));
    engine.notifyRenamed('lib', 'src');
    await engine.flush();
    assert.deepEqual(dirs(rig.remote, ignored), expected(), 'the moved tree left nothing behind');
    assert.deepEqual(rig.remoteState(), new Map([...rig.localState(), ['image-only/keep.txt', rig.remoteState().get('image-only/keep.txt')!]]));
    rmSync(join(rig.local, 'src'), { recursive: true });
    engine.notifyDeleted(['src']);
    write(rig.local, 'fresh/debug.log', 'ignored, local only');
    engine.notifyChanged(['fresh/debug.log']);
    await engine.flush();
    assert.deepEqual(dirs(rig.remote, ignored), expected(), 'the deleted tree is gone, empty directories included');

    // Directories that change while disconnected are reconciled the same way.
    await rig.stopAgent();
    rmSync(join(rig.local, 'fresh'), { recursive: true });
    engine.notifyDeleted(['fresh']);
    mkdirSync(join(rig.local, 'offline/x/y'), { recursive: true });
    engine.notifyChanged(['offline']);
    const before = touchState(rig.local);
    await rig.startAgent();
    await engine.flush();
    assert.deepEqual(dirs(rig.remote, ignored), expected());
    assert.ok(lstatSync(join(rig.remote, 'node_modules/dep')).isDirectory(), 'ignored container directories are left alone');
    assert.equal(touchState(rig.local), before, 'no local file was touched');
  } finally {
    await rig.dispose();
  }
});

test('a file becomes a directory and back, through events and through a reconcile', { timeout: 60_000 }, async () => {
  const rig = new Rig();
  try {
    write(rig.local, 'x', 'a file');
    await rig.startAgent();
    const engine = rig.track(rig.engine());
    engine.start();
    await engine.flush();
    rmSync(join(rig.local, 'x'));
    write(rig.local, 'x/inner.ts', 'now a directory');
    mkdirSync(join(rig.local, 'x/empty'));
    engine.notifyChanged(['x']);
    await engine.flush();
    assert.deepEqual(rig.remoteState(), rig.localState());
    assert.deepEqual(dirs(rig.remote), ['x', 'x/empty']);
    await rig.stopAgent();
    rmSync(join(rig.local, 'x'), { recursive: true });
    write(rig.local, 'x', 'a file again');
    engine.notifyChanged(['x']);
    await rig.startAgent();
    await engine.flush();
    assert.deepEqual(rig.remoteState(), rig.localState());
    assert.deepEqual(dirs(rig.remote), []);
  } finally {
    await rig.dispose();
  }
});
