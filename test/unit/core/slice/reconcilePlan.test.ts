import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DEFAULT_PLATFORM_CONFIG } from '../../../../src/core/slice/platformConfig';
import {
  PROVISIONING_POLL_MS, RESYNC_MS, finalizeNamespace, planAdmission, planBaseline, planFinalize, planPrune, planRequeue, statusChanged,
} from '../../../../src/core/slice/reconcilePlan';
import { type SliceObject, sliceObjectName } from '../../../../src/core/slice/sliceResource';

const NOW = Date.parse('2026-12-07T10:00:00Z');
const HOUR = 3600_000;
const config = { ...DEFAULT_PLATFORM_CONFIG, defaultTtlMs: 4 * HOUR, maxTtlMs: 24 * HOUR, maxSlicesPerOwner: 2 };

function slice(name: string, owner: string, extra: { created?: string; expiresAt?: string; ttl?: string; deleting?: boolean; status?: SliceObject['status'] } = {}): SliceObject {
  return {
    apiVersion: 'slice.dev/v1alpha1',
    kind: 'Slice',
    metadata: {
      name, uid: `uid-${name}`, generation: 3,
      ...(extra.created ? { creationTimestamp: extra.created } : {}),
      ...(extra.deleting ? { deletionTimestamp: '2026-12-07T09:59:00Z' } : {}),
    },
    spec: { owner, baseline: 'shop', forks: [{ workload: 'orders' }], ...(extra.expiresAt ? { expiresAt: extra.expiresAt } : {}), ...(extra.ttl ? { ttl: extra.ttl } : {}) },
    ...(extra.status ? { status: extra.status } : {}),
  };
}

test('a new slice is provisioned with the default TTL written to its spec, and its namespace in the status', () => {
  const s = slice('alice-feature', 'alice');
  const plan = planAdmission(s, [s], NOW, config);
  assert.equal(plan.kind, 'provision');
  assert.equal(plan.writeExpiry, true);
  assert.equal(plan.expiresAt, '2026-12-07T14:00:00Z');
  if (plan.kind !== 'provision') return;
  assert.equal(plan.ctx.namespace, 'slice-alice-feature');
  assert.deepEqual(plan.status, { expiresAt: '2026-12-07T14:00:00Z', observedGeneration: 3, namespace: 'slice-alice-feature' });
  assert.equal(plan.untilExpiryMs, 4 * HOUR + 1000);
});

test('a TTL over the platform cap is capped, and the plan says so in words', () => {
  const plan = planAdmission(slice('alice-long', 'alice', { ttl: '72h' }), [], NOW, config);
  assert.equal(plan.expiresAt, '2026-12-08T10:00:00Z');
  assert.match(plan.note ?? '', /longer than the platform maximum 1d: capped/);
});

test('an expired slice is deleted, and nothing else is planned for it', () => {
  const plan = planAdmission(slice('alice-old', 'alice', { expiresAt: '2026-12-07T09:00:00Z' }), [], NOW, config);
  assert.deepEqual(plan, { kind: 'expire', writeExpiry: false, expiresAt: '2026-12-07T09:00:00Z' });
});

test('a name that is not <owner>-<name> is refused: a tenant cannot claim another owner\'s namespace by naming it', () => {
  const plan = planAdmission(slice('bob-feature', 'alice'), [], NOW, config);
  assert.equal(plan.kind, 'refuse');
  if (plan.kind !== 'refuse') return;
  assert.equal(plan.reason, 'InvalidName');
  assert.equal(plan.status.namespace, undefined);
});

test('over the per-owner limit the newest slice is refused and retried soon; other owners and deleting slices do not count', () => {
  const a1 = slice('alice-a', 'alice', { created: '2026-12-07T08:00:00Z' });
  const a2 = slice('alice-b', 'alice', { created: '2026-12-07T08:01:00Z' });
  const a3 = slice('alice-c', 'alice', { created: '2026-12-07T08:02:00Z' });
  const b1 = slice('bob-a', 'bob', { created: '2026-12-07T07:00:00Z' });
  const all = [a1, a2, a3, b1];
  assert.equal(planAdmission(a1, all, NOW, config).kind, 'provision');
  assert.equal(planAdmission(b1, all, NOW, config).kind, 'provision');
  const third = planAdmission(a3, all, NOW, config);
  assert.equal(third.kind, 'refuse');
  if (third.kind !== 'refuse') return;
  assert.equal(third.reason, 'SliceLimitExceeded');
  assert.equal(third.requeueAfterMs, 10_000);
  assert.equal(third.status.namespace, 'slice-alice-c');
  const afterDelete = [{ ...a1, metadata: { ...a1.metadata, deletionTimestamp: '2026-12-07T09:00:00Z' } }, a2, a3, b1];
  assert.equal(planAdmission(a3, afterDelete, NOW, config).kind, 'provision');
});

test('usernames that read alike get different names, so neither is refused nor merged into the other', () => {
  const first = slice('alice-x', 'alice', { created: '2026-12-07T08:00:00Z' });
  const other = slice(sliceObjectName('Alice', 'x'), 'Alice', { created: '2026-12-07T08:05:00Z' });
  const plan = planAdmission(other, [first, other], NOW, config);
  assert.equal(plan.kind, 'provision');
  assert.notEqual(plan.kind === 'provision' && plan.ctx.namespace, 'slice-alice-x');
});

test('a refusal near expiry is retried at expiry, not later', () => {
  const s = slice('alice-c', 'alice', { created: '2026-12-07T08:02:00Z', expiresAt: '2026-12-07T10:00:05Z' });
  const others = [slice('alice-a', 'alice', { created: '2026-12-07T08:00:00Z' }), slice('alice-b', 'alice', { created: '2026-12-07T08:01:00Z' })];
  const plan = planAdmission(s, [...others, s], NOW, config);
  assert.equal(plan.kind, 'refuse');
  assert.equal(plan.kind === 'refuse' && plan.requeueAfterMs, 6000);
});

test('the baseline must exist and be labelled a baseline', () => {
  assert.match(planBaseline('shop', { exists: false }, 'slice.dev/role', HOUR)?.problem ?? '', /does not exist/);
  assert.match(planBaseline('kube-system', { exists: true, isBaseline: false }, 'slice.dev/role', HOUR)?.problem ?? '', /lacks the label slice.dev\/role=baseline/);
  assert.equal(planBaseline('shop', { exists: true, isBaseline: true }, 'slice.dev/role', HOUR), undefined);
});

test('requeue: soon while provisioning, a resync when Ready, never after expiry, sooner for a data retry, never under a second', () => {
  assert.equal(planRequeue('Provisioning', HOUR), PROVISIONING_POLL_MS);
  assert.equal(planRequeue('Ready', HOUR), RESYNC_MS);
  assert.equal(planRequeue('Ready', 5000), 5000);
  assert.equal(planRequeue('Ready', HOUR, 3000), 3000);
  assert.equal(planRequeue('Ready', 10), 1000);
});

test('prune: only controller forks whose workload left the spec', () => {
  const existing = [{ name: 'orders', fork: 'orders' }, { name: 'web', fork: 'web' }, { name: 'stray' }, { fork: 'nameless' }];
  assert.deepEqual(planPrune(existing, [{ workload: 'orders' }]), ['web']);
  assert.deepEqual(planPrune(existing, [{ workload: 'orders' }, { workload: 'web' }]), []);
});

test('finalize: our namespace goes first (waited for), then the data, then the finalizer; a namespace that is not ours is left alone', () => {
  assert.deepEqual(planFinalize('slice-alice-a', { exists: true, ours: true, deleting: false }, true), { kind: 'deleteNamespace', namespace: 'slice-alice-a' });
  assert.deepEqual(planFinalize('slice-alice-a', { exists: true, ours: true, deleting: true }, true), { kind: 'waitForNamespace', namespace: 'slice-alice-a' });
  assert.deepEqual(planFinalize('slice-alice-a', { exists: false }, true), { kind: 'dropData' });
  assert.deepEqual(planFinalize('kube-system', { exists: true, ours: false, deleting: false }, false), { kind: 'removeFinalizer' });
  assert.deepEqual(planFinalize(undefined, { exists: false }, false), { kind: 'removeFinalizer' });
});

test('finalize: the namespace comes from the status, or from the name when the slice never got one', () => {
  assert.equal(finalizeNamespace(slice('alice-a', 'alice', { status: { namespace: 'slice-alice-a' } }), config), 'slice-alice-a');
  assert.equal(finalizeNamespace(slice('alice-a', 'alice'), config), 'slice-alice-a');
  assert.equal(finalizeNamespace(slice('bob-a', 'alice'), config), undefined);
});

test('status: a reconcile that changes nothing writes nothing (key order and undefined fields do not count)', () => {
  assert.equal(statusChanged({ phase: 'Ready', namespace: 'n' }, { namespace: 'n', phase: 'Ready', message: undefined } as never), false);
  assert.equal(statusChanged({ phase: 'Ready' }, { phase: 'Provisioning' }), true);
  assert.equal(statusChanged(undefined, { phase: 'Ready' }), true);
});
