import { test, mock } from 'node:test';
import assert from 'node:assert/strict';
import { Throttle } from '../../../../src/vscode/telemetry/throttle';

/** A throttle on mocked timers and a clock that follows them: no wall-clock time in the test. */
function harness(ms: number, busy?: () => boolean) {
  let clock = 0;
  const runs: number[] = [];
  const t = new Throttle(ms, () => runs.push(clock), busy ? { busy, ms: 1000 } : undefined, () => clock);
  const tick = (n: number) => {
    clock += n;
    mock.timers.tick(n);
  };
  return { t, runs, tick };
}

test('new data after a quiet spell renders on the next turn, not a throttle period later', (ctx) => {
  mock.timers.enable({ apis: ['setTimeout'] });
  ctx.after(() => mock.timers.reset());
  const { t, runs, tick } = harness(250);
  t.schedule();
  t.schedule(); // the same turn's requests join it
  tick(0);
  assert.deepEqual(runs, [0], 'ran at once');
  t.dispose();
});

test('requests within the period of the last run wait for the rest of it and run once', (ctx) => {
  mock.timers.enable({ apis: ['setTimeout'] });
  ctx.after(() => mock.timers.reset());
  const { t, runs, tick } = harness(250);
  t.schedule();
  tick(0);
  tick(100);
  t.schedule();
  tick(100);
  t.schedule();
  assert.deepEqual(runs, [0]);
  tick(50);
  assert.deepEqual(runs, [0, 250], 'once, 250 ms after the first run');
  tick(1000);
  t.schedule();
  tick(0);
  assert.deepEqual(runs, [0, 250, 1250], 'after a quiet spell, at once again');
  t.dispose();
});

test('during a burst runs are spaced by the burst period', (ctx) => {
  mock.timers.enable({ apis: ['setTimeout'] });
  ctx.after(() => mock.timers.reset());
  let busy = true;
  const { t, runs, tick } = harness(250, () => busy);
  t.schedule();
  tick(0);
  assert.deepEqual(runs, [0], 'the first data of a burst is shown at once');
  t.schedule();
  tick(250);
  assert.deepEqual(runs, [0], 'not after the period while busy');
  tick(750);
  assert.deepEqual(runs, [0, 1000]);
  busy = false;
  t.schedule();
  tick(250);
  assert.deepEqual(runs, [0, 1000, 1250]);
  t.dispose();
});

test('an urgent request runs on the next turn within the period of the last run, once per period; then it waits as others do', (ctx) => {
  mock.timers.enable({ apis: ['setTimeout'] });
  ctx.after(() => mock.timers.reset());
  const { t, runs, tick } = harness(400);
  t.schedule();
  tick(0);
  tick(100);
  t.schedule(); // an ordinary request: due at 400
  tick(50);
  t.urgent(); // the figure: now, not at 400
  tick(0);
  assert.deepEqual(runs, [0, 150], 'the urgent request ran at once and took the pending one with it');
  tick(100);
  t.urgent(); // a second urgent one within the period waits for it
  tick(0);
  assert.deepEqual(runs, [0, 150]);
  tick(300);
  assert.deepEqual(runs, [0, 150, 550], '400 ms after the last run');
  t.dispose();
});
