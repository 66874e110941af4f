import { test } from 'node:test';
import assert from 'node:assert/strict';
import { describeTimeLeft, expiryOf, type NamespaceInfo, toEnvironments } from '../../../../src/core/cluster/environments';

const ns = (name: string, labels: Record<string, string>, annotations: Record<string, string> = {}, phase?: string): NamespaceInfo => ({ name, labels, annotations, ...(phase ? { phase } : {}) });

test('baselines first, then slices by owner; unlabelled namespaces dropped', () => {
  const envs = toEnvironments([
    ns('slice-bob-a', { 'slice.dev/role': 'slice', 'slice.dev/owner': 'bob', 'slice.dev/slice': 'a' }),
    ns('kube-system', {}),
    ns('shop', { 'slice.dev/role': 'baseline' }),
    ns('slice-alice-x', { 'slice.dev/role': 'slice', 'slice.dev/owner': 'alice', 'slice.dev/baseline': 'shop' }, {}, 'Terminating'),
    ns('odd', { 'slice.dev/role': 'something-else' }),
  ]);
  assert.deepEqual(envs.map((e) => e.namespace), ['shop', 'slice-alice-x', 'slice-bob-a']);
  const alice = envs[1]!;
  assert.equal(alice.kind, 'slice');
  assert.equal(alice.terminating, true);
  assert.equal(alice.kind === 'slice' && alice.baseline, 'shop');
});

test('expiry from the RFC 3339 annotation, else the Unix-seconds label, else none', () => {
  assert.equal(expiryOf(ns('a', {}, { 'slice.dev/expires-at': '2026-11-26T12:00:00Z' }))?.toISOString(), '2026-11-26T12:00:00.000Z');
  assert.equal(expiryOf(ns('a', { 'slice.dev/expires': '1800000000' }))?.getTime(), 1800000000000);
  assert.equal(expiryOf(ns('a', { 'slice.dev/expires': 'soon' }, { 'slice.dev/expires-at': 'garbage' })), undefined);
});

test('the time left reads like a person would say it', () => {
  const now = new Date('2026-11-26T12:00:00Z');
  assert.equal(describeTimeLeft(new Date('2026-11-26T14:05:00Z'), now), '2h 05m left');
  assert.equal(describeTimeLeft(new Date('2026-11-26T11:57:00Z'), now), 'expired 3m ago');
});
