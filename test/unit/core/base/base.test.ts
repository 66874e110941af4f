import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DisposableStore, toDisposable } from '../../../../src/core/base/disposable';
import { Emitter } from '../../../../src/core/base/event';
import { CancelledError, UserError, isCancelledError, messageOf } from '../../../../src/core/base/errors';

test('DisposableStore disposes in reverse order, once', () => {
  const order: string[] = [];
  const store = new DisposableStore('t');
  store.add(toDisposable(() => order.push('a')));
  store.add(toDisposable(() => order.push('b')));
  store.dispose();
  store.dispose();
  assert.deepEqual(order, ['b', 'a']);
  assert.equal(store.isDisposed, true);
});

test('DisposableStore disposes a late addition at once and keeps disposing after a throw', () => {
  const order: string[] = [];
  const store = new DisposableStore('t');
  store.add(toDisposable(() => order.push('first')));
  store.add(toDisposable(() => { throw new Error('boom'); }));
  assert.throws(() => store.dispose(), /boom/);
  assert.deepEqual(order, ['first']);
  store.add(toDisposable(() => order.push('late')));
  assert.deepEqual(order, ['first', 'late']);
});

test('Emitter isolates a throwing listener and stops after dispose', () => {
  const errors: unknown[] = [];
  const seen: number[] = [];
  const e = new Emitter<number>((err) => errors.push(err));
  e.event(() => { throw new Error('listener'); });
  const sub = e.event((n) => seen.push(n));
  e.fire(1);
  sub.dispose();
  e.fire(2);
  e.dispose();
  e.event((n) => seen.push(n * 10));
  e.fire(3);
  assert.deepEqual(seen, [1]);
  assert.equal(errors.length, 2);
});

test('cancellation is recognised in its usual shapes', () => {
  assert.equal(isCancelledError(new CancelledError()), true);
  const canceled = new Error('Canceled');
  canceled.name = 'Canceled';
  assert.equal(isCancelledError(canceled), true);
  const abort = new Error('aborted');
  abort.name = 'AbortError';
  assert.equal(isCancelledError(abort), true);
  assert.equal(isCancelledError(new UserError('x')), false);
  assert.equal(isCancelledError('Canceled'), false);
});

test('messageOf never returns a stack', () => {
  const e = new Error('top line');
  assert.equal(messageOf(e), 'top line');
  assert.equal(messageOf('plain'), 'plain');
  assert.equal(messageOf({ a: 1 }), '{"a":1}');
});
