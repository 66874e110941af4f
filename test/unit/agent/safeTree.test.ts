import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { existsSync, lstatSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SafeTree } from '../../../src/agent/safeTree';
import { AgentError } from '../../../src/core/agent/errors';

const bytes = (s: string) => new TextEncoder().encode(s);
const sha = (s: string) => createHash('sha256').update(s).digest('hex');

function setup() {
  const base = mkdtempSync(join(tmpdir(), 'slice-tree-'));
  const root = join(base, 'root');
  const outside = join(base, 'outside');
  mkdirSync(root);
  mkdirSync(outside);
  writeFileSync(join(outside, 'target.txt'), 'keep');
  return { base, root, outside, tree: new SafeTree(root), done: () => rmSync(base, { recursive: true, force: true }) };
}

async function rejects(p: Promise<unknown>, code: string): Promise<void> {
  await assert.rejects(p, (e: unknown) => e instanceof AgentError && e.code === code);
}

test('writes are atomic, create parents, keep or set modes and leave no temp files', async () => {
  const { root, tree, done } = setup();
  try {
    assert.equal(await tree.write('a/b/c.sh', bytes('#!/bin/sh\n'), 0o755), sha('#!/bin/sh\n'));
    assert.equal(statSync(join(root, 'a/b/c.sh')).mode & 0o777, 0o755);
    await tree.write('a/b/c.sh', bytes('echo\n'), undefined);
    assert.equal(statSync(join(root, 'a/b/c.sh')).mode & 0o777, 0o755, 'an unknown mode keeps the old one');
    assert.equal(readFileSync(join(root, 'a/b/c.sh'), 'utf8'), 'echo\n');
    assert.deepEqual(readdirSync(join(root, 'a/b')), ['c.sh']);
    await rejects(tree.write('x', bytes('abc'), undefined, sha('other')), 'HASH_MISMATCH');
    assert.equal(existsSync(join(root, 'x')), false);
  } finally {
    done();
  }
});

test('the kubectl cp escapes are refused: .., absolute, NUL, symlinked parents leaving the root', async () => {
  const { root, outside, tree, done } = setup();
  try {
    symlinkSync(outside, join(root, 'escape'));
    symlinkSync('..', join(root, 'up'));
    symlinkSync('escape', join(root, 'chain'));
    for (const p of ['../x', '/etc/x', 'a\0b', 'a/../../x']) await rejects(tree.write(p, bytes('x'), undefined), 'PATH_INVALID');
    for (const p of ['escape/x', 'up/outside/target.txt', 'chain/target.txt']) await rejects(tree.write(p, bytes('x'), undefined), 'PATH_OUTSIDE_ROOT');
    await rejects(tree.remove('escape/target.txt'), 'PATH_OUTSIDE_ROOT');
    await rejects(tree.rename('escape/target.txt', 'mine.txt', sha('keep')), 'PATH_OUTSIDE_ROOT');
    assert.equal(readFileSync(join(outside, 'target.txt'), 'utf8'), 'keep');
    assert.deepEqual(readdirSync(outside), ['target.txt']);
  } finally {
    done();
  }
});

test('the last component is never followed: writes replace a link, deletes remove the link only', async () => {
  const { root, outside, tree, done } = setup();
  try {
    symlinkSync(join(outside, 'target.txt'), join(root, 'link.txt'));
    await tree.write('link.txt', bytes('new'), undefined);
    assert.equal(lstatSync(join(root, 'link.txt')).isFile(), true);
    assert.equal(readFileSync(join(outside, 'target.txt'), 'utf8'), 'keep');
    symlinkSync(outside, join(root, 'dirlink'));
    await tree.remove('dirlink');
    assert.equal(existsSync(join(root, 'dirlink')), false);
    assert.deepEqual(readdirSync(outside), ['target.txt']);
  } finally {
    done();
  }
});

test('renames move inside the root only when the source still holds the expected contents', async () => {
  const { root, tree, done } = setup();
  try {
    await tree.write('old/name.ts', bytes('code'), 0o600);
    await rejects(tree.rename('old/name.ts', 'new/name.ts', sha('different')), 'HASH_MISMATCH');
    await rejects(tree.rename('missing', 'new/x', sha('code')), 'NOT_FOUND');
    assert.equal(await tree.rename('old/name.ts', 'new/name.ts', sha('code')), sha('code'));
    assert.equal(readFileSync(join(root, 'new/name.ts'), 'utf8'), 'code');
    assert.equal(statSync(join(root, 'new/name.ts')).mode & 0o777, 0o600);
    assert.equal(existsSync(join(root, 'old/name.ts')), false);
  } finally {
    done();
  }
});

test('a file becomes a directory and back', async () => {
  const { root, tree, done } = setup();
  try {
    await tree.write('a', bytes('file'), undefined);
    await tree.write('a/b', bytes('nested'), undefined);
    assert.equal(readFileSync(join(root, 'a/b'), 'utf8'), 'nested');
    await tree.write('a', bytes('file again'), undefined);
    assert.equal(readFileSync(join(root, 'a'), 'utf8'), 'file again');
  } finally {
    done();
  }
});
