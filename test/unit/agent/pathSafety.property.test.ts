import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { existsSync, lstatSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, readlinkSync, renameSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import fc from 'fast-check';
import { SafeTree } from '../../../src/agent/safeTree';
import { AgentError } from '../../../src/core/agent/errors';

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

/** What a process in the container does to the layout between two ops; true when it changed something. */
function mutate(root: string, attic: string, outside: string, how: string): boolean {
  const d = join(root, 'd');
  const st = lstatSync(d, { throwIfNoEntry: false });
  if (how === 'none' || !st?.isDirectory()) return false;
  if (how === 'swapLink') {
    rmSync(d, { recursive: true, force: true });
    symlinkSync(outside, d);
  } else if (how === 'swapFile') {
    rmSync(d, { recursive: true, force: true });
    writeFileSync(d, 'now a file');
  } else {
    // moved out of the root on the same file system, a link to it left in its place
    mkdirSync(attic, { recursive: true });
    const moved = join(attic, `d${readdirSync(attic).length}`);
    renameSync(d, moved);
    symlinkSync(moved, d);
  }
  return true;
}

test(`path safety: ${RUNS} hostile paths and symlink layouts never touch anything outside the root`, { timeout: 300_000 }, async () => {
  // tmpfs when there is one: rebuilding the root 10,000 times costs ~3 ms a case on a journaled disk.
  const base = mkdtempSync(join(existsSync('/dev/shm') ? '/dev/shm' : tmpdir(), 'slice-prop-'));
  const outside = join(base, 'w', 'outside');
  const root = join(base, 'w', 'root');
  mkdirSync(join(outside, 'sub'), { recursive: true });
  writeFileSync(join(base, 'secret.txt'), 'secret');
  writeFileSync(join(outside, 'file.txt'), F_CONTENT);
  writeFileSync(join(outside, 'sub', 'deep.txt'), 'deep');
  const attic = join(base, 'w', 'attic');
  const before = snapshot(base, root);

  const linkNames = ['l0', 'l1', 'l2', 'd/l3'];
  const targets = [
    outside, join(outside, 'file.txt'), join(outside, 'sub'), base, join(outside, 'nope'), '/',
    '..', '../..', '../outside', '../outside/sub', '../../secret.txt', 'd', '.', 'l1', 'l0', 'nope', 'f', join(root, 'd'), '../root/d', 'd/../..',
  ];
  const segment = fc.oneof(
    { weight: 6, arbitrary: fc.constantFrom('l0', 'l1', 'l2', 'd', 'd', 'e', 'l3', 'f', 'x', 'new', 'outside', 'sub', 'file.txt', 'secret.txt') },
    { weight: 1, arbitrary: fc.constantFrom('..', '.', '', 'a\0b', 'C:', '..\\..', '\\', '~', '%2e%2e', ' ', '...') },
    { weight: 1, arbitrary: fc.string({ maxLength: 4 }) },
  );
  const randomPath = fc.tuple(fc.constantFrom('', '', '', '', '', '', '/', base + '/'), fc.array(segment, { minLength: 1, maxLength: 4 })).map(([p, s]) => p + s.join('/'));
  // Paths into directories a batch has verified, so layout changes between ops meet the cache.
  const pathArb = fc.oneof({ weight: 3, arbitrary: randomPath }, { weight: 1, arbitrary: fc.constantFrom('d/x', 'd/e/x', 'd/e/y', 'd/e/f/x') });
  const hashArb = fc.constantFrom(sha(F_CONTENT), 'x');
  const opArb = fc.oneof(
    fc.record({ op: fc.constant('write' as const), path: pathArb, mode: fc.constantFrom(undefined, 0o644, 0o755, 0o4777) }),
    fc.record({ op: fc.constant('delete' as const), path: pathArb }),
    fc.record({ op: fc.constant('rename' as const), from: pathArb, path: pathArb, hash: hashArb }),
    fc.record({ op: fc.constant('mkdir' as const), path: pathArb }),
    fc.record({ op: fc.constant('rmdir' as const), path: pathArb }),
  );
  // Between two ops of one batch (the verified-directory cache is live), the container may change
  // the layout: a directory swapped for a symlink leaving the root, or moved out of the root
  // (same file system) with a symlink to it left in its place.
  const mutationArb = fc.constantFrom('none', 'none', 'swapLink', 'moveOut', 'swapFile');
  const caseArb = fc.record({
    links: fc.array(fc.record({ at: fc.constantFrom(...linkNames), target: fc.constantFrom(...targets) }), { maxLength: 4 }),
    ops: fc.array(fc.record({ op: opArb, then: mutationArb }), { minLength: 1, maxLength: 5 }),
    batched: fc.boolean(),
    // As in the pod, where the root is the emptyDir's mount point: nothing can be moved out of it.
    mountRoot: fc.boolean(),
  });

  // Durability is not the property under test: skip fsync so 10,000 cases run in seconds.
  const plainTree = new SafeTree(root, { fsync: false, rootIsMount: false });
  const mountTree = new SafeTree(root, { fsync: false, rootIsMount: true });
  const codes = new Map<string, number>();
  let succeeded = 0;
  const started = performance.now();
  let mutated = 0;
  await fc.assert(
    fc.asyncProperty(caseArb, async ({ links, ops, batched, mountRoot }) => {
      const tree = mountRoot ? mountTree : plainTree;
      rmSync(root, { recursive: true, force: true });
      rmSync(attic, { recursive: true, force: true });
      mkdirSync(join(root, 'd', 'e'), { recursive: true });
      writeFileSync(join(root, 'f'), F_CONTENT);
      for (const l of links) {
        try {
          symlinkSync(l.target, join(root, l.at));
        } catch {
          // the same name twice: the first link stays
        }
      }
      await tree.init();
      let atticState = '';
      if (batched) tree.beginBatch();
      try {
        for (const { op, then } of ops) {
          try {
            if (op.op === 'write') await tree.write(op.path, new TextEncoder().encode('pwned'), op.mode);
            else if (op.op === 'delete') await tree.remove(op.path);
            else if (op.op === 'mkdir') tree.mkdirSync(op.path);
            else if (op.op === 'rmdir') tree.rmdirSync(op.path);
            else await tree.rename(op.from, op.path, op.hash);
            succeeded++;
          } catch (e) {
            if (!(e instanceof AgentError)) throw e;
            codes.set(e.code, (codes.get(e.code) ?? 0) + 1);
          }
          if (mutate(root, attic, outside, mountRoot && then === 'moveOut' ? 'swapLink' : then)) {
            mutated++;
            atticState = existsSync(attic) ? snapshot(attic, join(attic, '\0')) : '';
          }
        }
      } finally {
        if (batched) tree.endBatch();
      }
      const what = JSON.stringify({ links, ops, batched, mountRoot });
      assert.equal(existsSync(attic) ? snapshot(attic, join(attic, '\0')) : '', atticState, `a directory moved out of the root was written after ${what}`);
      rmSync(attic, { recursive: true, force: true });
      assert.equal(snapshot(base, root), before, `outside changed after ${what}`);
    }),
    { numRuns: RUNS },
  );
  const seconds = (performance.now() - started) / 1000;
  rmSync(base, { recursive: true, force: true });
  console.log(`path safety: ${RUNS} cases in ${seconds.toFixed(1)} s; ${succeeded} ops succeeded inside the root; ${mutated} layout changes between ops; refused: ${JSON.stringify(Object.fromEntries(codes))}`);
  assert.ok((codes.get('PATH_OUTSIDE_ROOT') ?? 0) > 0 && (codes.get('PATH_INVALID') ?? 0) > 0 && succeeded > 0, 'the generator reaches every outcome');
});
