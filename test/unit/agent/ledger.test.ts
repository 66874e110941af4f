import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { existsSync, lstatSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Ledger } from '../../../src/agent/ledger';
import { SafeTree } from '../../../src/agent/safeTree';
import { AgentError } from '../../../src/core/agent/errors';

const bytes = (s: string) => new TextEncoder().encode(s);
const sha = (s: string) => createHash('sha256').update(s).digest('hex');

function setup() {
  const base = mkdtempSync(join(tmpdir(), 'slice-ledger-'));
  const root = join(base, 'root');
  const state = join(base, 'state');
  const outside = join(base, 'outside');
  mkdirSync(root);
  mkdirSync(outside);
  writeFileSync(join(outside, 'keep.txt'), 'keep');
  return { base, root, state, outside, done: () => rmSync(base, { recursive: true, force: true }) };
}

function throwsCode(f: () => void, code: string): void {
  assert.throws(f, (e: unknown) => e instanceof AgentError && e.code === code);
}

test('directories: mkdir makes parents and replaces a file or link in the way; rmdir removes only empty ones', () => {
  const { root, outside, done } = setup();
  try {
    const tree = new SafeTree(root, { fsync: false });
    tree.mkdirSync('a/b/c');
    assert.ok(lstatSync(join(root, 'a/b/c')).isDirectory());
    assert.deepEqual([...tree.ledger.madeDirs()].sort(), ['a', 'a/b', 'a/b/c'], 'the parents it made are the sync\'s too');
    tree.writeSync('f', bytes('file'), undefined);
    tree.mkdirSync('f');
    assert.ok(lstatSync(join(root, 'f')).isDirectory(), 'a file in the way is replaced');
    assert.deepEqual(tree.ledger.written('f'), [null]);
    symlinkSync(outside, join(root, 'link'));
    tree.mkdirSync('link');
    assert.ok(lstatSync(join(root, 'link')).isDirectory(), 'a link in the way is replaced, never followed');
    assert.deepEqual(readdirSync(outside), ['keep.txt']);
    tree.writeSync('a/b/c/x', bytes('x'), undefined);
    throwsCode(() => tree.rmdirSync('a/b/c'), 'NOT_EMPTY');
    tree.removeSync('a/b/c/x');
    tree.rmdirSync('a/b/c');
    tree.rmdirSync('a/b/c');
    assert.equal(existsSync(join(root, 'a/b/c')), false);
    assert.deepEqual([...tree.ledger.madeDirs()].sort(), ['a', 'a/b', 'f', 'link']);
    tree.rmdirSync('never-there');
  } finally {
    done();
  }
});

test('hostile directory paths are refused: .., absolute, NUL, empty, symlinked parents leaving the root', () => {
  const { root, outside, done } = setup();
  try {
    const tree = new SafeTree(root, { fsync: false });
    symlinkSync(outside, join(root, 'escape'));
    symlinkSync('..', join(root, 'up'));
    mkdirSync(join(outside, 'victim'));
    for (const p of ['', '.', '..', '../x', '/etc', '/tmp/x', 'a\0b', 'a/../../x', 'a//b', 'C:/x', 'a\\..\\b']) {
      throwsCode(() => tree.mkdirSync(p), 'PATH_INVALID');
      throwsCode(() => tree.rmdirSync(p), 'PATH_INVALID');
    }
    for (const p of ['escape/new', 'escape/victim/deeper', 'up/outside/new']) throwsCode(() => tree.mkdirSync(p), 'PATH_OUTSIDE_ROOT');
    for (const p of ['escape/victim', 'up/outside/victim']) throwsCode(() => tree.rmdirSync(p), 'PATH_OUTSIDE_ROOT');
    tree.rmdirSync('escape');
    assert.ok(lstatSync(join(root, 'escape')).isSymbolicLink(), 'rmdir of a link to a directory leaves it: it is not a directory');
    assert.deepEqual(readdirSync(outside).sort(), ['keep.txt', 'victim']);
  } finally {
    done();
  }
});

test('the ledger writes each batch ahead and survives an agent restart; a new state directory is a new root', () => {
  const { root, state, done } = setup();
  try {
    const first = new SafeTree(root, { fsync: false, stateDir: state });
    first.beginBatch([]);
    first.writeSync('a.ts', bytes('v1'), 0o644);
    first.writeSync('gone.ts', bytes('g'), 0o644);
    first.endBatch();
    // A batch the agent is killed in: written ahead, one op applied, no settle flush.
    first.beginBatch([
      { op: 'write', path: 'a.ts', size: 2, hash: sha('v2') },
      { op: 'delete', path: 'gone.ts' },
      { op: 'rename', from: 'gone.ts', path: 'moved.ts', hash: sha('g') },
      { op: 'mkdir', path: 'empty' },
    ]);
    first.writeSync('a.ts', bytes('v2'), undefined);
    const again = new Ledger(state);
    assert.equal(again.rootId, first.ledger.rootId, 'the same sync root');
    const a = again.written('a.ts') ?? [];
    assert.ok(a.some((c) => c?.hash === sha('v1')) && a.some((c) => c?.hash === sha('v2')), 'both states the batch may have left');
    assert.ok((again.written('gone.ts') ?? []).includes(null), 'a delete written ahead');
    assert.ok((again.written('moved.ts') ?? []).some((c) => c?.hash === sha('g')));
    assert.deepEqual([...again.madeDirs()], ['empty']);
    first.endBatch();
    assert.deepEqual(new Ledger(state).written('a.ts'), [{ size: 2, mode: 0o644, hash: sha('v2') }], 'settled after the batch');
    rmSync(state, { recursive: true, force: true });
    assert.notEqual(new Ledger(state).rootId, first.ledger.rootId, 'a fresh state directory: a fresh root');
  } finally {
    done();
  }
});

test('the journal is compacted into the snapshot; a torn last line is ignored', () => {
  const { state, done } = setup();
  try {
    const ledger = new Ledger(state);
    for (let i = 0; i < 6000; i++) {
      ledger.wrote(`f${i % 50}`, { size: i, mode: 0o644, hash: `h${i}` });
      ledger.flush();
    }
    assert.ok(readFileSync(join(state, 'ledger.jsonl'), 'utf8').split('\n').length < 4200, 'compacted');
    writeFileSync(join(state, 'ledger.jsonl'), `${readFileSync(join(state, 'ledger.jsonl'), 'utf8')}["f","torn",[nu`);
    const back = new Ledger(state);
    assert.deepEqual(back.written('f49'), [{ size: 5999, mode: 0o644, hash: 'h5999' }]);
    assert.equal(back.written('torn'), undefined);
    assert.equal(back.rootId, ledger.rootId);
  } finally {
    done();
  }
});
