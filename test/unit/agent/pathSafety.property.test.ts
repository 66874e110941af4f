import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { existsSync, lstatSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, readlinkSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import fc from 'fast-check';
import { SafeTree } from '../../../src/agent/safeTree';
import { SyncError } from '../../../src/core/sync/errors';

// Path safety as a property: whatever path and whatever symlink layout, the writer never
// creates, modifies or deletes anything outside its sync root.
//
//   base/                  sentinel: everything here except w/root is hashed before and after
//     secret.txt
//     w/outside/{file.txt, sub/deep.txt}
//     w/root/              the sync root, rebuilt for every case: d/, f, plus random symlinks

const RUNS = Number(process.env.SLICE_PROPERTY_RUNS ?? 10_000);
const F_CONTENT = 'inside-f\n';

function snapshot(dir: string, skip: string): string {
  const h = createHash('sha256');
  const walk = (d: string) => {
    for (const name of readdirSync(d).sort()) {
      const p = join(d, name);
      if (p === skip) continue;
      const st = lstatSync(p);
      // The root's parent changes mtime (and size, on tmpfs) when the test rebuilds the root; its listing still counts.
      h.update(p === dirname(skip) ? `${p}|${st.mode}\n` : `${p}|${st.mode}|${st.size}|${st.mtimeMs}\n`);
      if (st.isSymbolicLink()) h.update(readlinkSync(p));
      else if (st.isDirectory()) walk(p);
      else h.update(readFileSync(p));
    }
  };
  walk(dir);
  return h.digest('hex');
}

const sha = (s: string) => createHash('sha256').update(s).digest('hex');

test(`path safety: ${RUNS} hostile paths and symlink layouts never touch anything outside the root`, { timeout: 300_000 }, async () => {
  // tmpfs when there is one: rebuilding the root 10,000 times costs ~3 ms a case on a journaled disk.
  const base = mkdtempSync(join(existsSync('/dev/shm') ? '/dev/shm' : tmpdir(), 'slice-prop-'));
  const outside = join(base, 'w', 'outside');
  const root = join(base, 'w', 'root');
  mkdirSync(join(outside, 'sub'), { recursive: true });
  writeFileSync(join(base, 'secret.txt'), 'secret');
  writeFileSync(join(outside, 'file.txt'), F_CONTENT);
  writeFileSync(join(outside, 'sub', 'deep.txt'), 'deep');
  const before = snapshot(base, root);

  const linkNames = ['l0', 'l1', 'l2', 'd/l3'];
  const targets = [
    outside, join(outside, 'file.txt'), join(outside, 'sub'), base, join(outside, 'nope'), '/',
    '..', '../..', '../outside', '../outside/sub', '../../secret.txt', 'd', '.', 'l1', 'l0', 'nope', 'f', join(root, 'd'), '../root/d', 'd/../..',
  ];
  const segment = fc.oneof(
    { weight: 6, arbitrary: fc.constantFrom('l0', 'l1', 'l2', 'd', 'l3', 'f', 'x', 'new', 'outside', 'sub', 'file.txt', 'secret.txt') },
    { weight: 1, arbitrary: fc.constantFrom('..', '.', '', 'a\0b', 'C:', '..\\..', '\\', '~', '%2e%2e', ' ', '...') },
    { weight: 1, arbitrary: fc.string({ maxLength: 4 }) },
  );
  const pathArb = fc.tuple(fc.constantFrom('', '', '', '', '', '', '/', base + '/'), fc.array(segment, { minLength: 1, maxLength: 4 })).map(([p, s]) => p + s.join('/'));
  const hashArb = fc.constantFrom(sha(F_CONTENT), 'x');
  const opArb = fc.oneof(
    fc.record({ op: fc.constant('write' as const), path: pathArb, mode: fc.constantFrom(undefined, 0o644, 0o755, 0o4777) }),
    fc.record({ op: fc.constant('delete' as const), path: pathArb }),
    fc.record({ op: fc.constant('rename' as const), from: pathArb, path: pathArb, hash: hashArb }),
  );
  const caseArb = fc.record({
    links: fc.array(fc.record({ at: fc.constantFrom(...linkNames), target: fc.constantFrom(...targets) }), { maxLength: 4 }),
    ops: fc.array(opArb, { minLength: 1, maxLength: 4 }),
  });

  // Durability is not the property under test: skip fsync so 10,000 cases run in seconds.
  const tree = new SafeTree(root, { fsync: false });
  const codes = new Map<string, number>();
  let succeeded = 0;
  const started = performance.now();
  await fc.assert(
    fc.asyncProperty(caseArb, async ({ links, ops }) => {
      rmSync(root, { recursive: true, force: true });
      mkdirSync(join(root, 'd'), { recursive: true });
      writeFileSync(join(root, 'f'), F_CONTENT);
      for (const l of links) {
        try {
          symlinkSync(l.target, join(root, l.at));
        } catch {
          // the same name twice: the first link stays
        }
      }
      await tree.init();
      for (const op of ops) {
        try {
          if (op.op === 'write') await tree.write(op.path, new TextEncoder().encode('pwned'), op.mode);
          else if (op.op === 'delete') await tree.remove(op.path);
          else await tree.rename(op.from, op.path, op.hash);
          succeeded++;
        } catch (e) {
          if (!(e instanceof SyncError)) throw e;
          codes.set(e.code, (codes.get(e.code) ?? 0) + 1);
        }
      }
      assert.equal(snapshot(base, root), before, `outside changed after ${JSON.stringify({ links, ops })}`);
    }),
    { numRuns: RUNS },
  );
  const seconds = (performance.now() - started) / 1000;
  rmSync(base, { recursive: true, force: true });
  console.log(`path safety: ${RUNS} cases in ${seconds.toFixed(1)} s; ${succeeded} ops succeeded inside the root; refused: ${JSON.stringify(Object.fromEntries(codes))}`);
  assert.ok((codes.get('PATH_OUTSIDE_ROOT') ?? 0) > 0 && (codes.get('PATH_INVALID') ?? 0) > 0 && succeeded > 0, 'the generator reaches every outcome');
});
