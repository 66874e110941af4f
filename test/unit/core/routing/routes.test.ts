import { test } from 'node:test';
import assert from 'node:assert/strict';
import { computeRoutes, isRoutable } from '../../../../src/core/routing/routes';
import { hex, inputs, NOW, slice } from './routingFixtures';

test('each slice that forks a service gets a route to its own fork; services nobody forks get none', () => {
  const alice = slice('alice-a', 'alice', [{ workload: 'orders' }]);
  const bob = slice('bob-b', 'bob', [{ workload: 'orders' }, { workload: 'inventory' }]);
  const carol = slice('carol-c', 'carol', []);
  const table = computeRoutes(inputs([bob, alice, carol]));
  assert.deepEqual(table.map((s) => s.baseline.name), ['inventory', 'orders']);
  const orders = table[1]!.routes;
  assert.deepEqual(orders.map((r) => [r.slice, r.namespace, r.service, r.key]), [
    ['alice-a', 'slice-alice-a', 'orders', `alice-a.${hex('2')}`],
    ['bob-b', 'slice-bob-b', 'orders', `bob-b.${hex('1')}`],
  ]);
});

test('deleted, expired, unready-namespace and never-keyed slices get no route', () => {
  const deleting = slice('alice-a', 'alice', [{ workload: 'orders' }], {}, { deletionTimestamp: '2026-12-07T05:59:00Z' });
  const expired = { ...slice('alice-b', 'alice', [{ workload: 'orders' }]), spec: { owner: 'alice', baseline: 'shop', forks: [{ workload: 'orders' }], expiresAt: '2026-12-07T05:00:00Z' } };
  const pending = slice('alice-c', 'alice', [{ workload: 'orders' }], { phase: 'Provisioning', conditions: [] });
  const terminating = slice('alice-d', 'alice', [{ workload: 'orders' }], { phase: 'Terminating' });
  const lying = slice('alice-e', 'alice', [{ workload: 'orders' }], { namespace: 'shop' });
  for (const s of [deleting, expired, pending, terminating, lying]) assert.equal(isRoutable(s, NOW), false, s.metadata.name);
  assert.deepEqual(computeRoutes(inputs([deleting, expired, pending, terminating, lying])), []);
  const unkeyed = slice('alice-f', 'alice', [{ workload: 'orders' }]);
  assert.deepEqual(computeRoutes({ ...inputs([unkeyed]), keys: new Map() }), []);
  // a key of another slice is never used for this one
  assert.deepEqual(computeRoutes({ ...inputs([unkeyed]), keys: new Map([['alice-f', `bob-b.${hex('1')}`]]) }), []);
});

test('a fork that is down keeps its route with fallback error (a clear 503) and loses it with fallback baseline', () => {
  const down = { phase: 'Provisioning' as const, conditions: [
    { type: 'NamespaceReady' as const, status: 'True' as const, reason: '', message: '', lastTransitionTime: '' },
    { type: 'PoliciesReady' as const, status: 'True' as const, reason: '', message: '', lastTransitionTime: '' },
  ], forks: [{ workload: 'orders', ready: false, replicas: 1, availableReplicas: 0, service: 'orders', message: 'container "app" keeps crashing' }] };
  const err = slice('alice-a', 'alice', [{ workload: 'orders' }], down);
  const fb = slice('bob-b', 'bob', [{ workload: 'orders', routing: { fallback: 'baseline' } }], down);
  const off = slice('carol-c', 'carol', [{ workload: 'orders', routing: { enabled: false } }]);
  const table = computeRoutes(inputs([err, fb, off]));
  assert.equal(table.length, 1);
  assert.deepEqual(table[0]!.routes.map((r) => [r.slice, r.forkReady, r.fallback, r.downMessage]), [['alice-a', false, 'error', 'container "app" keeps crashing']]);
});

test('a fork without its Service, or of a workload the baseline has no Service for, gets no route', () => {
  const noSvc = slice('alice-a', 'alice', [{ workload: 'orders' }], { forks: [{ workload: 'orders', ready: true, replicas: 1, availableReplicas: 1 }] });
  const other = slice('bob-b', 'bob', [{ workload: 'worker' }]);
  assert.deepEqual(computeRoutes(inputs([noSvc, other])), []);
});
