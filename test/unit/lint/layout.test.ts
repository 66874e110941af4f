import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';

// test/unit mirrors src (issue 21): the tests of src/<dir>/x.ts live in test/unit/<dir>/, so a reader
// finds a module's tests where the module is. Outside the mirror: lint/ (rules about the repository)
// and scripts/ (the shell scripts); fixtures/ folders hold recorded data.
const root = join(__dirname, '..', '..', '..', '..');
const OUTSIDE_THE_MIRROR = new Set(['lint', 'scripts']);

function directories(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (name === 'fixtures' || !statSync(path).isDirectory()) continue;
    out.push(path, ...directories(path));
  }
  return out;
}

test('every folder of test/unit is a folder of src (or lint/, scripts/, fixtures/)', () => {
  const unit = join(root, 'test', 'unit');
  const strays = directories(unit)
    .map((d) => relative(unit, d))
    .filter((d) => !OUTSIDE_THE_MIRROR.has(d.split(/[\\/]/)[0]!))
    .filter((d) => !statSafe(join(root, 'src', d)));
  assert.deepEqual(strays, [], `these test folders have no src folder of the same name: ${strays.join(', ')}`);
});

function statSafe(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}
