import { test } from 'node:test';
import assert from 'node:assert/strict';
import { type ManifestEntry, manifestOf } from '../../../src/core/sync/manifest';
import { planChanges, planFull } from '../../../src/core/sync/planner';
import { checkSyncPath } from '../../../src/core/sync/paths';

const e = (path: string, hash: string, size = 10, mode?: number): ManifestEntry => (mode === undefined ? { path, size, hash } : { path, size, hash, mode });
const m = (...entries: ManifestEntry[]) => manifestOf(entries);
const MAX = 1000;

test('first sync writes every difference; container-only files are never deleted, drift only when the sync put them there', () => {
  const input = { local: m(e('same', 'h1'), e('changed', 'new'), e('new', 'n')), remote: m(e('same', 'h1'), e('changed', 'old'), e('extra', 'x'), e('image.txt', 'i')), acked: m(), maxFileBytes: MAX };
  const plan = planFull({ ...input, owned: new Set(['extra']) });
  assert.deepEqual(plan.ops, [
    { kind: 'write', entry: e('changed', 'new') },
    { kind: 'write', entry: e('new', 'n') },
  ]);
  assert.deepEqual(plan.drift, [{ path: 'extra', kind: 'added', actual: e('extra', 'x') }], "the image's file is not drift");
  assert.deepEqual(planFull(input).drift, [], 'nothing owned: nothing to report');
});

test('reset deletes only what the sync put there or what local deleted, never the image\'s files', () => {
  // After a pod reschedule: the new container holds the image's files (one of them at a path
  // local once synced and deleted since); the agent owns nothing yet, local remembers its acks.
  const acked = m(e('src/app.ts', 'A'), e('src/old.ts', 'O'));
  const local = m(e('src/app.ts', 'A2'));
  const remote = m(e('src/app.ts', 'image-app'), e('src/old.ts', 'image-old'), e('package.json', 'P'), e('node_modules/x/i.js', 'X'));
  const reset = planFull({ local, remote, acked, owned: new Set(), maxFileBytes: MAX, reset: true });
  assert.deepEqual(reset.ops.map((o) => (o.kind === 'delete' ? `-${o.path}` : `+${o.entry.path}`)).sort(), ['+src/app.ts', '-src/old.ts']);
  assert.deepEqual(reset.drift, []);
  // The same when the local delete was acknowledged by the old pod before the reschedule.
  const after = planFull({ local, remote, acked: m(e('src/app.ts', 'A')), owned: new Set(), deletedLocally: new Set(['src/old.ts']), maxFileBytes: MAX, reset: true });
  assert.deepEqual(after.ops.map((o) => (o.kind === 'delete' ? `-${o.path}` : `+${o.entry.path}`)).sort(), ['+src/app.ts', '-src/old.ts']);
  // After an editor restart (nothing acknowledged on this side): the agent's provenance decides.
  const owned = planFull({ local: m(), remote: m(e('synced.ts', 'S'), e('image.ts', 'I')), acked: m(), owned: new Set(['synced.ts']), maxFileBytes: MAX, reset: true });
  assert.deepEqual(owned.ops, [{ kind: 'delete', path: 'synced.ts' }]);
});

test('after an ack, container-side edits are drift until local changes or a reset', () => {
  const acked = m(e('a', 'A'), e('b', 'B'), e('c', 'C'), e('d', 'D'));
  const local = m(e('a', 'A'), e('b', 'B2'), e('c', 'C'));
  const remote = m(e('a', 'A-container'), e('b', 'B-container'), e('d', 'D'));
  const plan = planFull({ local, remote, acked, maxFileBytes: MAX });
  assert.deepEqual(plan.ops, [{ kind: 'delete', path: 'd' }, { kind: 'write', entry: e('b', 'B2') }], 'local edit wins, local delete applies');
  assert.deepEqual(plan.drift.map((d) => [d.path, d.kind]), [['a', 'modified'], ['c', 'deleted']]);
  const reset = planFull({ local, remote: new Map([...remote, ['z', e('z', 'Z')], ['image', e('image', 'I')]]), acked, owned: new Set(['a', 'b', 'd', 'z']), maxFileBytes: MAX, reset: true });
  assert.deepEqual(reset.drift, []);
  assert.deepEqual(reset.ops.map((o) => (o.kind === 'delete' ? `-${o.path}` : `+${o.entry.path}`)).sort(), ['+a', '+b', '+c', '-d', '-z'], 'the image file stays');
});

test('a mode change alone is a difference; an unknown mode is not', () => {
  const plan = planFull({ local: m(e('run.sh', 'h', 10, 0o755), e('win', 'w')), remote: m(e('run.sh', 'h', 10, 0o644), e('win', 'w', 10, 0o600)), acked: m(), maxFileBytes: MAX });
  assert.deepEqual(plan.ops, [{ kind: 'write', entry: e('run.sh', 'h', 10, 0o755) }]);
});

test('oversized files are skipped with a clear reason', () => {
  const plan = planFull({ local: m(e('big.bin', 'b', 5 * 1024 * 1024)), remote: m(), acked: m(), maxFileBytes: 1024 * 1024 });
  assert.deepEqual(plan.ops, []);
  assert.equal(plan.skipped.length, 1);
  assert.match(plan.skipped[0]!.reason, /big\.bin is 5\.0 MiB, over the 1\.0 MiB per-file limit.*\.sliceignore/);
});

test('a delete plus a write of the same contents becomes a move', () => {
  const plan = planFull({ local: m(e('new/name.ts', 'H')), remote: m(e('old/name.ts', 'H')), acked: m(e('old/name.ts', 'H')), maxFileBytes: MAX });
  assert.deepEqual(plan.ops, [{ kind: 'rename', from: 'old/name.ts', entry: e('new/name.ts', 'H') }]);
});

test('incremental plans: edits, no-op saves, deletes of files and directories, renames', () => {
  const known = m(e('a', 'A'), e('dir/x', 'X'), e('dir/sub/y', 'Y'), e('r1', 'R'));
  const plan = planChanges({
    changes: [
      { path: 'a', kind: 'upsert' },
      { path: 'same', kind: 'upsert' },
      { path: 'dir', kind: 'delete' },
      { path: 'r1', kind: 'delete' },
      { path: 'r2', kind: 'upsert', renamedFrom: 'r1' },
      { path: 'vanished', kind: 'upsert' },
      { path: 'big', kind: 'upsert' },
    ],
    local: new Map([['a', e('a', 'A2')], ['same', e('same', 'S')], ['r2', e('r2', 'R')], ['vanished', undefined], ['big', e('big', 'B', 2000)]]),
    known: new Map([...known, ['same', e('same', 'S')]]),
    maxFileBytes: MAX,
  });
  assert.deepEqual(plan.ops, [
    { kind: 'delete', path: 'dir/x' },
    { kind: 'delete', path: 'dir/sub/y' },
    { kind: 'rename', from: 'r1', entry: e('r2', 'R') },
    { kind: 'write', entry: e('a', 'A2') },
  ]);
  assert.deepEqual(plan.skipped.map((s) => s.path), ['big']);
});

test('sync paths: relative, no dot segments, no NUL, no backslash, no drive letters', () => {
  for (const bad of ['', '/etc/passwd', '../x', 'a/../../x', 'a/./b', 'a//b', 'a/', 'a\0b', 'a\\..\\b', 'C:/x', 'c:x', '..', '.']) {
    const r = checkSyncPath(bad);
    assert.equal(r.ok, false, JSON.stringify(bad));
    if (!r.ok) assert.equal(r.error.code, 'PATH_INVALID');
  }
  for (const good of ['a', 'a/b.c', '.env', '..foo', 'a/...', 'ünï/çødé']) assert.equal(checkSyncPath(good).ok, true, good);
});
