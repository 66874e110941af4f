import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CoalescedPass } from '../../../src/controller/coalescedPass';
import { until } from '../../support/until';

test('asks before the pass starts join it; asks during a pass make exactly one more; a failed pass does not stop the next', async () => {
  let runs = 0;
  let release: () => void = () => undefined;
  const passes = new CoalescedPass(async () => {
    runs++;
    if (runs === 1) await new Promise<void>((r) => (release = r));
    if (runs === 2) throw new Error('the API server refused');
  }, 0);
  passes.schedule();
  passes.schedule();
  passes.schedule();
  await until('the first pass', () => runs === 1);
  // three asks while it runs: one pass after it
  passes.schedule();
  await new Promise((r) => setTimeout(r, 5));
  passes.schedule();
  await new Promise((r) => setTimeout(r, 5));
  passes.schedule();
  release();
  await until('the second pass', () => runs === 2);
  await new Promise((r) => setTimeout(r, 20));
  assert.equal(runs, 2);
  passes.schedule();
  await until('a pass after the failed one', () => runs === 3);
  passes.dispose();
  passes.schedule();
  await new Promise((r) => setTimeout(r, 20));
  assert.equal(runs, 3, 'no pass after dispose');
});
