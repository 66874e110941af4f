import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ChangeSet } from '../../../../src/core/sync/coalescer';
import { Backoff } from '../../../../src/core/base/backoff';
import { FlowWindow } from '../../../../src/core/sync/flowWindow';

test('a burst of changes collapses to one op per path, the newest winning', () => {
  const c = new ChangeSet();
  c.upsert('a');
  c.upsert('a');
  c.delete('a');
  c.upsert('b');
  c.delete('c');
  c.upsert('c');
  assert.deepEqual(c.take(), [
    { path: 'a', kind: 'delete' },
    { path: 'b', kind: 'upsert' },
    { path: 'c', kind: 'upsert' },
  ]);
  assert.equal(c.size, 0);
});

test('renames remember their origin through chains and edits', () => {
  const c = new ChangeSet();
  c.rename('a', 'b');
  c.upsert('b');
  c.rename('b', 'c');
  assert.deepEqual(c.take(), [
    { path: 'a', kind: 'delete' },
    { path: 'b', kind: 'delete' },
    { path: 'c', kind: 'upsert', renamedFrom: 'a' },
  ]);
  c.rename('x', 'y');
  c.rename('y', 'x');
  assert.deepEqual(c.take(), [
    { path: 'x', kind: 'upsert' },
    { path: 'y', kind: 'delete' },
  ]);
});

test('restore puts back unacknowledged changes without overriding newer ones', () => {
  const c = new ChangeSet();
  c.upsert('a');
  c.upsert('b');
  const taken = c.take();
  c.delete('b');
  c.restore(taken);
  assert.deepEqual(c.get('a'), { path: 'a', kind: 'upsert' });
  assert.deepEqual(c.get('b'), { path: 'b', kind: 'delete' });
});

test('backoff grows exponentially with jitter, caps, and resets', () => {
  const b = new Backoff({ initialMs: 100, maxMs: 1000, random: () => 1 });
  assert.deepEqual([b.next(), b.next(), b.next(), b.next(), b.next(), b.next()], [100, 200, 400, 800, 1000, 1000]);
  b.reset();
  assert.equal(b.next(), 100);
  const low = new Backoff({ initialMs: 100, maxMs: 1000, random: () => 0 });
  assert.deepEqual([low.next(), low.next()], [50, 100]);
});

test('the flow window bounds unacknowledged batches and bytes but admits one oversized batch', () => {
  const w = new FlowWindow(1000, 2);
  assert.equal(w.canSend(5000), true, 'nothing in flight: even a big batch goes');
  w.sent(1, 5000);
  assert.equal(w.canSend(1), false);
  w.acked(1);
  w.sent(2, 400);
  assert.equal(w.canSend(600), true);
  w.sent(3, 600);
  assert.equal(w.canSend(1), false, 'two batches is the limit');
  w.acked(2);
  assert.equal(w.canSend(400), true);
  assert.equal(w.canSend(401), false);
  w.acked(99);
  assert.equal(w.inFlightBytes, 600);
  w.clear();
  assert.equal(w.inFlightBatches, 0);
});
