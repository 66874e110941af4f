import { test } from 'node:test';
import assert from 'node:assert/strict';
import { type LabelRequirement, type PodInfo, type WorkloadSummary, podsOf } from '../../../../src/core/cluster/workloadSummary';
import { toPod, toWorkload } from '../../../../src/platform/kube/workloadObjects';
import { baselineDeployment, baselinePods } from './workloadFixtures';

function pod(name: string, labels: Record<string, string>): PodInfo {
  return { name, phase: 'Running', ready: true, restarts: 0, labels, containers: ['app'], reason: undefined, startedAt: undefined };
}

function workload(selector: Record<string, string>, selectorExpressions: LabelRequirement[] = []): WorkloadSummary {
  return { name: 'w', namespace: 'ns', replicas: 1, ready: 1, forkOf: undefined, port: undefined, image: undefined, selector, selectorExpressions, problem: undefined };
}

const pods = [pod('orders-a', { app: 'orders', tier: 'api' }), pod('orders-canary', { app: 'orders', tier: 'api', canary: 'yes' }), pod('orders-v2', { app: 'orders-v2' }), pod('storefront', { app: 'storefront' })];
const names = (ps: PodInfo[]) => ps.map((p) => p.name);

test('podsOf: the baseline orders Deployment picks its own pod among the namespace\'s pods', () => {
  const mine = podsOf(toWorkload(baselineDeployment(), 'shop'), baselinePods().map(toPod));
  assert.equal(mine.length, 1);
  assert.match(mine[0]!.name, /^orders-/);
});

test('podsOf: matchLabels must all match; extra pod labels do not matter', () => {
  assert.deepEqual(names(podsOf(workload({ app: 'orders' }), pods)), ['orders-a', 'orders-canary']);
  assert.deepEqual(names(podsOf(workload({ app: 'orders', canary: 'yes' }), pods)), ['orders-canary']);
  assert.deepEqual(names(podsOf(workload({ app: 'order' }), pods)), [], 'no prefix match');
});

test('podsOf: an empty selector picks no pod (not every pod of the namespace)', () => {
  assert.deepEqual(podsOf(workload({}), pods), []);
});

test('podsOf: no pods, no match', () => {
  assert.deepEqual(podsOf(workload({ app: 'orders' }), []), []);
});

test('podsOf: matchExpressions In, NotIn, Exists, DoesNotExist, with or without matchLabels', () => {
  assert.deepEqual(names(podsOf(workload({}, [{ key: 'app', operator: 'In', values: ['orders', 'orders-v2'] }]), pods)), ['orders-a', 'orders-canary', 'orders-v2']);
  assert.deepEqual(names(podsOf(workload({ app: 'orders' }, [{ key: 'canary', operator: 'DoesNotExist', values: [] }]), pods)), ['orders-a']);
  assert.deepEqual(names(podsOf(workload({}, [{ key: 'canary', operator: 'Exists', values: [] }]), pods)), ['orders-canary']);
  // NotIn also picks pods without the label at all, as the API server does.
  assert.deepEqual(names(podsOf(workload({}, [{ key: 'tier', operator: 'NotIn', values: ['api'] }]), pods)), ['orders-v2', 'storefront']);
});

test('podsOf: an operator it does not know picks nothing rather than guessing', () => {
  assert.deepEqual(podsOf(workload({ app: 'orders' }, [{ key: 'app', operator: 'Gt', values: ['1'] }]), pods), []);
});

test('podsOf: a label key inherited from Object.prototype is no label', () => {
  assert.deepEqual(names(podsOf(workload({}, [{ key: 'constructor', operator: 'Exists', values: [] }]), pods)), []);
  assert.deepEqual(names(podsOf(workload({ app: 'storefront' }, [{ key: 'toString', operator: 'DoesNotExist', values: [] }]), pods)), ['storefront']);
});
