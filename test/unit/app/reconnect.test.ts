import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Lifetime } from '../../../src/app/lifetimes';
import { ReconnectPolicy, sliceGoneRule } from '../../../src/app/reconnect';
import { PortForwardError } from '../../../src/core/agent/errors';
import { PodLogError } from '../../../src/platform/kube/podLogStream';

test('the reconnect policy backs off exponentially with jitter, capped, and starts over after reset()', () => {
  const p = new ReconnectPolicy({ initialMs: 100, maxMs: 1000, random: () => 1 });
  const waits = [1, 2, 3, 4, 5, 6].map(() => p.next(new Error('closed')));
  assert.deepEqual(waits, [100, 200, 400, 800, 1000, 1000]);
  p.reset();
  assert.equal(p.next(new Error('closed')), 100);
  const low = new ReconnectPolicy({ initialMs: 100, maxMs: 1000, random: () => 0 });
  assert.equal(low.next(undefined), 50, 'full jitter: between half the ceiling and the ceiling');
});

test('no retry once the lifetime has ended; the stop says why', () => {
  const lifetime = new Lifetime('fork web');
  const p = new ReconnectPolicy({ lifetime, initialMs: 10 });
  assert.equal(typeof p.next(new Error('closed')), 'number');
  lifetime.end({ kind: 'identityChanged', message: 'alice -> bob' });
  assert.equal(p.next(new Error('closed')), undefined);
  assert.equal(p.stopped?.kind, 'identityChanged');
});

test('a 403 or 404 from the slice namespace ends the lifetime as "slice gone" instead of retrying; other failures retry', () => {
  for (const failure of [
    new PortForwardError('forbidden', 'you may not list the fork pods in slice-orders (HTTP 403)', 403),
    new PortForwardError('tokenMissing', 'the Secret is missing', 404),
    new PodLogError('forbidden', 'you may not list the pods (HTTP 403)', 403),
  ]) {
    const lifetime = new Lifetime('fork web');
    let ended: string | undefined;
    lifetime.onDidEnd((r) => (ended = r.kind));
    const p = new ReconnectPolicy({ lifetime, gone: sliceGoneRule, initialMs: 10 });
    assert.equal(p.next(failure), undefined, failure.message);
    assert.equal(ended, 'sliceGone');
    assert.equal(p.next(new Error('closed')), undefined, 'and stays stopped');
  }
  const lifetime = new Lifetime('fork web');
  const p = new ReconnectPolicy({ lifetime, gone: sliceGoneRule, initialMs: 10 });
  // a pod on its way, a network drop, a 404 of one pod's log (pod replaced): retried
  assert.equal(typeof p.next(new PortForwardError('noReadyPod', 'no ready pod')), 'number');
  assert.equal(typeof p.next(new PortForwardError('unreachable', 'ECONNRESET')), 'number');
  assert.equal(typeof p.next(new PodLogError('noPod', 'cannot follow: not found (HTTP 404)')), 'number', 'a pod-level 404 carries no status');
  assert.equal(lifetime.isEnded, false);
});

test('another() makes a policy with the same rules and its own attempt count', () => {
  const lifetime = new Lifetime('fork web');
  const a = new ReconnectPolicy({ lifetime, gone: sliceGoneRule, initialMs: 100, maxMs: 1000, random: () => 1 });
  a.next(undefined);
  a.next(undefined);
  const b = a.another({ initialMs: 50 });
  assert.equal(b.next(undefined), 50);
  assert.equal(b.next(new PodLogError('forbidden', 'HTTP 403', 403)), undefined);
  assert.equal(a.next(undefined), undefined, 'the shared lifetime ended: the first loop stops too');
});
