import { test } from 'node:test';
import assert from 'node:assert/strict';
import { type EndReason, type Identity, Lifetime, Lifetimes } from '../../../src/app/lifetimes';
import { FakeWorld } from './fakeWorld';

test('ending a lifetime ends its children first, disposes what it owns in reverse, once', () => {
  const order: string[] = [];
  const root = new Lifetime('extension');
  const child = root.child('identity');
  root.add({ dispose: () => order.push('root a') });
  root.add({ dispose: () => order.push('root b') });
  child.add({ dispose: () => order.push('child') });
  const reasons: EndReason[] = [];
  child.onDidEnd((r) => reasons.push(r));
  root.end({ kind: 'shutdown', message: 'bye' });
  root.end({ kind: 'stopped', message: 'again' });
  assert.deepEqual(order, ['child', 'root b', 'root a']);
  assert.deepEqual(reasons, [{ kind: 'shutdown', message: 'bye' }]);
  assert.ok(child.signal.aborted);
  let late = false;
  root.add({ dispose: () => (late = true) });
  assert.ok(late, 'added after the end: disposed at once');
  assert.ok(root.child('late').isEnded);
});

test('a slice lifetime ends when the identity changes (context or user) or the slice goes or starts deleting', () => {
  const alice: Identity = { context: 'alice', user: 'alice' };
  const world = new FakeWorld(alice, [{ namespace: 'slice-orders', deleting: false }, { namespace: 'slice-cart', deleting: false }]);
  const lifetimes = new Lifetimes(new Lifetime('extension'), world);
  const orders = lifetimes.slice(alice, 'slice-orders')!;
  const cart = lifetimes.slice(alice, 'slice-cart')!;
  assert.equal(lifetimes.slice({ context: 'bob', user: 'bob' }, 'slice-orders'), undefined, 'not the current identity');
  const ended: string[] = [];
  orders.onDidEnd((r) => ended.push(`orders ${r.kind}`));
  cart.onDidEnd((r) => ended.push(`cart ${r.kind}`));
  world.set(alice, [{ namespace: 'slice-orders', deleting: true }, { namespace: 'slice-cart', deleting: false }]);
  assert.deepEqual(ended, ['orders sliceGone']);
  world.set(alice, undefined); // a refresh in flight: slices unknown, nothing ends
  world.set({ context: 'alice', user: undefined }, undefined); // connecting again to the same context
  assert.deepEqual(ended, ['orders sliceGone']);
  world.set({ context: 'bob', user: 'bob' }, []);
  assert.deepEqual(ended, ['orders sliceGone', 'cart identityChanged']);
  const again = lifetimes.slice({ context: 'bob', user: 'bob' }, 'slice-x');
  assert.ok(again && !again.isEnded);
  world.set({ context: 'bob', user: 'carol' }, [{ namespace: 'slice-x', deleting: false }]);
  assert.ok(again.isEnded, 'same context, another user: another identity');
  assert.equal(again.endReason?.kind, 'identityChanged');
});
