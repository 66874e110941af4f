import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createHash } from 'node:crypto';
import { HashCache, UNHASHED, scanTree } from '../../../../src/core/sync/scanner';
import { LocalTreeFs } from '../../../../src/platform/agent-link/localTreeFs';

const sha = (s: string | Buffer) => createHash('sha256').update(s).digest('hex');
const spec = { patterns: ['ignored/'], gitignores: [] };

function tree(): string {
  const root = mkdtempSync(join(tmpdir(), 'slice-localtree-'));
  for (let i = 0; i < 300; i++) {
    mkdirSync(join(root, `d${i % 7}`, `e${i % 3}`), { recursive: true });
    writeFileSync(join(root, `d${i % 7}`, `e${i % 3}`, `f${i}.ts`), `export const v = ${i};\n`.repeat(i % 11), { mode: i % 5 === 0 ? 0o755 : 0o644 });
  }
  mkdirSync(join(root, 'ignored'));
  writeFileSync(join(root, 'ignored', 'x'), 'x');
  symlinkSync('/etc/passwd', join(root, 'link'));
  return root;
}

test('a stats-only scan in synchronous slices finds what the asynchronous scan finds, and yields to the event loop', async () => {
  const root = tree();
  try {
    const fs = new LocalTreeFs(root);
    const viaAsync = await scanTree({ readDir: (d) => fs.readDir(d), stat: (p) => fs.stat(p), hash: (p) => fs.hash(p), readText: (p) => fs.readText(p) }, { spec, discoverGitignores: true, hash: false });
    let turns = 0;
    const viaSlices = await scanTree(fs, {
      spec,
      discoverGitignores: true,
      hash: false,
      sliceMs: 0,
      yieldNow: () => {
        turns++;
        return new Promise((resolve) => setImmediate(resolve));
      },
    });
    assert.equal(viaSlices.manifest.size, 300);
    assert.deepEqual(new Map([...viaSlices.manifest].sort()), new Map([...viaAsync.manifest].sort()));
    assert.ok(turns > 0, 'the slices gave the event loop turns');
    assert.ok([...viaSlices.manifest.values()].every((e) => e.hash === UNHASHED));
    assert.equal(viaSlices.manifest.get('d0/e0/f0.ts')?.mode, 0o755);

    // a cached hash (same size and mtime) is used, not recomputed
    const cache = new HashCache();
    const p = 'd1/e1/f1.ts';
    const st = fs.statSync(p);
    assert.ok(st);
    cache.set(p, st, 'cafe');
    const cached = await scanTree(fs, { spec, discoverGitignores: true, hash: false, cache, yieldNow: () => Promise.resolve() });
    assert.equal(cached.manifest.get(p)?.hash, 'cafe');
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});

test('readSync: bytes, hash, mode and stat of a regular file; nothing for a symlink, a FIFO, a directory or a missing file', () => {
  const root = tree();
  try {
    const fs = new LocalTreeFs(root);
    const r = fs.readSync('d1/e0/f15.ts');
    const expected = 'export const v = 15;\n'.repeat(4);
    assert.ok(r);
    assert.equal(Buffer.from(r.data).toString(), expected);
    assert.equal(r.hash, sha(expected));
    assert.equal(r.size, expected.length);
    assert.equal(r.mode, 0o755);
    assert.ok(r.mtimeMs > 0);
    const empty = fs.readSync('d0/e0/f0.ts');
    assert.equal(empty?.size, 0);
    assert.equal(empty?.hash, sha(''));
    assert.equal(fs.readSync('link'), undefined, 'a symlink is never followed');
    assert.equal(fs.readSync('d0'), undefined);
    assert.equal(fs.readSync('nope/missing.ts'), undefined);
    execFileSync('mkfifo', [join(root, 'fifo')]);
    assert.equal(fs.readSync('fifo'), undefined, 'a FIFO is not opened for a blocking read');
    assert.equal(fs.statSync('link'), undefined);
    assert.equal(fs.statSync('fifo'), undefined);
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});

test('the hash cache never misses a second write in the same clock tick, nor a file moved over another of the same size and mtime', () => {
  let now = 1_000_000;
  const cache = new HashCache(() => now);
  // Hashed 3 ms after its mtime: the file may be written again within the same tick, same size.
  cache.set('a', { size: 4, mtimeMs: now - 3, ino: 7 }, 'first');
  assert.equal(cache.get('a', { size: 4, mtimeMs: now - 3, ino: 7 }), undefined, 'hashed too soon after a write: not trusted');
  now += 1000;
  cache.set('a', { size: 4, mtimeMs: now - 1000, ino: 7 }, 'settled');
  assert.equal(cache.get('a', { size: 4, mtimeMs: now - 1000, ino: 7 }), 'settled');
  assert.equal(cache.get('a', { size: 4, mtimeMs: now - 1000, ino: 8 }), undefined, 'another file (moved over it) with the same size and mtime');
  assert.equal(cache.get('a', { size: 5, mtimeMs: now - 1000, ino: 7 }), undefined);
});
