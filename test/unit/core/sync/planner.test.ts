import { test } from 'node:test';
import assert from 'node:assert/strict';
import { type ManifestEntry, type Written, manifestOf, writtenOf } from '../../../../src/core/sync/manifest';
import { type PlanOp, planChanges, planFull } from '../../../../src/core/sync/planner';
import { checkSyncPath } from '../../../../src/core/sync/paths';

const e = (path: string, hash: string, size = 10, mode?: number): ManifestEntry => (mode === undefined ? { path, size, hash } : { path, size, hash, mode });
const m = (...entries: ManifestEntry[]) => manifestOf(entries);
const MAX = 1000;

const none = new Set<string>();
const w = (...c: (ManifestEntry | null)[]): Written => c.map((x) => (x === null ? null : writtenOf(x)));
type FullIn = Parameters<typeof planFull>[0];
const full = (i: Partial<FullIn> & Pick<FullIn, 'local' | 'remote'>) => planFull({ localDirs: none, remoteDirs: none, written: new Map(), made: none, acked: m(), maxFileBytes: MAX, ...i });
const show = (ops: readonly PlanOp[]) => ops.map((o) => (o.kind === 'delete' ? `-${o.path}` : o.kind === 'write' ? `+${o.entry.path}` : o.kind === 'rename' ? `${o.from}>${o.entry.path}` : `${o.kind} ${o.path}`));

test('first sync writes every difference; container-only files are never deleted and not drift, unless the sync wrote them', () => {
  const input = { local: m(e('same', 'h1'), e('changed', 'new'), e('new', 'n')), remote: m(e('same', 'h1'), e('changed', 'old'), e('extra', 'x'), e('image.txt', 'i')) };
  const plan = full(input);
  assert.deepEqual(plan.ops, [
    { kind: 'write', entry: e('changed', 'new') },
    { kind: 'write', entry: e('new', 'n') },
  ]);
  assert.deepEqual(plan.drift, [], "the image's files are neither deleted nor drift");
  const owned = full({ ...input, written: new Map([['extra', w(e('extra', 'written'))]]) });
  assert.deepEqual(owned.drift, [{ path: 'extra', kind: 'added', actual: e('extra', 'x') }], 'the sync wrote it, the container changed it, local has none: drift');
  const synced = full({ ...input, written: new Map([['extra', w(e('extra', 'x'))]]) });
  assert.deepEqual(show(synced.ops), ['-extra', '+changed', '+new'], 'still what the sync wrote: local has none, so it goes');
});

test('the container holds what the sync left: it follows local, whatever local is now (the lost-ACK reverts)', () => {
  // modify → undo: the agent wrote v2 (its ACK lost), local is back at v1 = the last acknowledged
  const undo = full({ local: m(e('a', 'v1')), remote: m(e('a', 'v2')), written: new Map([['a', w(e('a', 'v2'))]]), acked: m(e('a', 'v1')) });
  assert.deepEqual(show(undo.ops), ['+a']);
  assert.deepEqual(undo.drift, []);
  // delete → restore: the agent deleted it (its ACK lost), local has it again
  const restore = full({ local: m(e('a', 'v1')), remote: m(), written: new Map([['a', w(null)]]), acked: m(e('a', 'v1')) });
  assert.deepEqual(show(restore.ops), ['+a']);
  assert.deepEqual(restore.drift, []);
  // rename → rename back: the agent moved a to b (its ACK lost), local has a again
  const back = full({ local: m(e('a', 'v1')), remote: m(e('b', 'v1')), written: new Map([['a', w(null)], ['b', w(e('b', 'v1'))]]), acked: m(e('a', 'v1')) });
  assert.deepEqual(show(back.ops), ['b>a']);
  assert.deepEqual(back.drift, []);
  // killed mid-batch: either state the batch may have left counts as the sync's
  const mid = full({ local: m(e('a', 'v1')), remote: m(e('a', 'v2')), written: new Map([['a', w(e('a', 'v1'), e('a', 'v2'))]]), acked: m(e('a', 'v1')) });
  assert.deepEqual(show(mid.ops), ['+a']);
});

test('changed in the container since the sync wrote it: drift while local is unchanged; a newer local change wins', () => {
  const written = new Map([['a', w(e('a', 'A'))], ['b', w(e('b', 'B'))], ['c', w(e('c', 'C'))], ['d', w(e('d', 'D'))]]);
  const local = m(e('a', 'A'), e('b', 'B2'), e('c', 'C'));
  const remote = m(e('a', 'A-container'), e('b', 'B-container'), e('d', 'D'));
  const plan = full({ local, remote, written });
  assert.deepEqual(show(plan.ops), ['-d', '+b'], 'local edit wins, local delete applies');
  assert.deepEqual(plan.drift.map((d) => [d.path, d.kind]), [['a', 'modified'], ['c', 'deleted']]);
  const reset = full({ local, remote: new Map([...remote, ['z', e('z', 'Z')], ['image', e('image', 'I')]]), written: new Map([...written, ['z', w(e('z', 'Z0'))]]), reset: true });
  assert.deepEqual(reset.drift, []);
  assert.deepEqual(show(reset.ops).sort(), ['+a', '+b', '+c', '-d', '-z'], 'the image file stays');
});

test('no record: what both sides held alike on this root and the container changed is drift; a file local had is deleted', () => {
  const plan = full({ local: m(e('a', 'A'), e('b', 'B2')), remote: m(e('a', 'A-container'), e('b', 'B'), e('gone', 'G'), e('image', 'I')), acked: m(e('a', 'A'), e('b', 'B'), e('gone', 'G')) });
  assert.deepEqual(show(plan.ops), ['-gone', '+b']);
  assert.deepEqual(plan.drift.map((d) => `${d.kind}:${d.path}`), ['modified:a']);
  // A fresh pod's image copy of a path local deleted before: deleted, even by a reset; the image's own file stays.
  const reset = full({ local: m(e('src/app.ts', 'A2')), remote: m(e('src/app.ts', 'image-app'), e('src/old.ts', 'image-old'), e('package.json', 'P')), deletedLocally: new Set(['src/old.ts']), reset: true });
  assert.deepEqual(show(reset.ops).sort(), ['+src/app.ts', '-src/old.ts']);
});

test('directories follow local; a container-only one goes only when the sync made it or local had it', () => {
  const plan = full({
    local: m(e('keep/f', 'F')),
    localDirs: new Set(['keep', 'empty', 'empty/deeper']),
    remote: m(e('keep/f', 'F')),
    remoteDirs: new Set(['keep', 'made', 'made/sub', 'had', 'image']),
    made: new Set(['made', 'made/sub']),
    dirsLocalHad: new Set(['had']),
  });
  assert.deepEqual(show(plan.ops), ['rmdir made/sub', 'rmdir had', 'rmdir made', 'mkdir empty', 'mkdir empty/deeper']);
});

test('a mode change alone is a difference; an unknown mode is not', () => {
  const plan = full({ local: m(e('run.sh', 'h', 10, 0o755), e('win', 'w')), remote: m(e('run.sh', 'h', 10, 0o644), e('win', 'w', 10, 0o600)) });
  assert.deepEqual(plan.ops, [{ kind: 'write', entry: e('run.sh', 'h', 10, 0o755) }]);
});

test('oversized files are skipped with a clear reason', () => {
  const plan = full({ local: m(e('big.bin', 'b', 5 * 1024 * 1024)), remote: m(), maxFileBytes: 1024 * 1024 });
  assert.deepEqual(plan.ops, []);
  assert.equal(plan.skipped.length, 1);
  assert.match(plan.skipped[0]!.reason, /big\.bin is 5\.0 MiB, over the 1\.0 MiB per-file limit.*\.sliceignore/);
});

test('a delete plus a write of the same contents becomes a move', () => {
  const plan = full({ local: m(e('new/name.ts', 'H')), remote: m(e('old/name.ts', 'H')), acked: m(e('old/name.ts', 'H')) });
  assert.deepEqual(plan.ops, [{ kind: 'rename', from: 'old/name.ts', entry: e('new/name.ts', 'H') }]);
});

test('incremental plans: edits, no-op saves, deletes of files and directories, renames, empty directories', () => {
  const known = m(e('a', 'A'), e('dir/x', 'X'), e('dir/sub/y', 'Y'), e('r1', 'R'), e('lib/m.ts', 'M'), e('same', 'S'));
  const plan = planChanges({
    regions: [{ path: 'a' }, { path: 'same' }, { path: 'dir' }, { path: 'r1' }, { path: 'r2', renamedFrom: 'r1' }, { path: 'vanished' }, { path: 'big' }, { path: 'lib' }, { path: 'lib2', renamedFrom: 'lib' }, { path: 'new' }],
    local: m(e('a', 'A2'), e('same', 'S'), e('r2', 'R'), e('big', 'B', 2000), e('lib2/m.ts', 'M')),
    localDirs: new Set(['lib2', 'lib2/empty', 'new']),
    known,
    knownDirs: new Set(['dir', 'dir/sub', 'lib', 'lib/empty']),
    maxFileBytes: MAX,
  });
  assert.deepEqual(show(plan.ops), ['-dir/x', '-dir/sub/y', 'r1>r2', 'lib/m.ts>lib2/m.ts', 'rmdir dir/sub', 'rmdir lib/empty', 'rmdir dir', 'rmdir lib', 'mkdir lib2', 'mkdir new', 'mkdir lib2/empty', '+a']);
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
