import { test } from 'node:test';
import assert from 'node:assert/strict';
import { toPod, toWorkload } from '../../../../src/platform/kube/workloadObjects';
import { baselineDeployment, baselinePods, forkDeployment } from '../../core/cluster/workloadFixtures';

test('toWorkload: the baseline orders Deployment as the tree shows it', () => {
  const w = toWorkload(baselineDeployment(), 'shop');
  assert.deepEqual(w, {
    name: 'orders',
    namespace: 'shop',
    replicas: 1,
    ready: 1,
    forkOf: undefined,
    port: 8080,
    image: 'localhost/slice/shop:df3065983291',
    selector: { app: 'orders' },
    selectorExpressions: [],
    problem: undefined,
  });
});

test('toWorkload: a fork names its baseline workload, shows the app container (not the agent) and why it is not available', () => {
  const w = toWorkload(forkDeployment(), 'slice-alice-checkout-fix');
  assert.equal(w.forkOf, 'checkout');
  assert.equal(w.port, 8080);
  assert.equal(w.image, 'localhost/slice/node:20');
  assert.equal(w.ready, 0);
  assert.equal(w.problem, 'Deployment does not have minimum availability.');
});

test('toWorkload: the agent listed first still never stands for the workload', () => {
  const d = forkDeployment();
  d.spec!.template.spec!.containers.reverse();
  assert.equal(d.spec!.template.spec!.containers[0]!.name, 'slice-agent');
  const w = toWorkload(d, 'ns');
  assert.equal(w.port, 8080);
  assert.equal(w.image, 'localhost/slice/node:20');
});

test('toWorkload: a Deployment with only the agent container shows the agent rather than nothing', () => {
  const d = forkDeployment();
  d.spec!.template.spec!.containers = d.spec!.template.spec!.containers.filter((c) => c.name === 'slice-agent');
  assert.equal(toWorkload(d, 'ns').port, 7777);
});

test('toWorkload: a stuck rollout (Progressing=False) reports its reason when it has no message', () => {
  const d = baselineDeployment();
  d.status!.conditions = [{ type: 'Progressing', status: 'False', reason: 'ProgressDeadlineExceeded' }];
  assert.equal(toWorkload(d, 'shop').problem, 'ProgressDeadlineExceeded');
  d.status!.conditions = [{ type: 'ReplicaFailure', status: 'True', message: 'quota exceeded' }];
  assert.equal(toWorkload(d, 'shop').problem, undefined, 'only Available/Progressing=False make a problem');
});

test('toWorkload: sparse objects get safe defaults (1 replica as the API defaults, none ready, no port, no selector)', () => {
  const w = toWorkload({ metadata: { name: 'bare' } }, 'ns');
  assert.deepEqual(w, { name: 'bare', namespace: 'ns', replicas: 1, ready: 0, forkOf: undefined, port: undefined, image: undefined, selector: {}, selectorExpressions: [], problem: undefined });
  const noPorts = toWorkload({ metadata: { name: 'x' }, spec: { replicas: 0, selector: {}, template: { spec: { containers: [{ name: 'app', image: 'img' }] } } } }, 'ns');
  assert.equal(noPorts.replicas, 0, 'replicas: 0 (scaled down) is kept, not defaulted');
  assert.equal(noPorts.port, undefined);
  assert.equal(noPorts.image, 'img');
});

test('toWorkload: matchExpressions are kept (values default to none for Exists)', () => {
  const d = baselineDeployment();
  d.spec!.selector = { matchExpressions: [{ key: 'app', operator: 'In', values: ['orders', 'orders-v2'] }, { key: 'canary', operator: 'DoesNotExist' }] };
  const w = toWorkload(d, 'shop');
  assert.deepEqual(w.selector, {});
  assert.deepEqual(w.selectorExpressions, [{ key: 'app', operator: 'In', values: ['orders', 'orders-v2'] }, { key: 'canary', operator: 'DoesNotExist', values: [] }]);
});

test('toPod: the running baseline pods with phase, readiness, restarts, start time', () => {
  const pods = baselinePods().map(toPod);
  assert.deepEqual(pods.map((p) => p.name.replace(/-[a-z0-9]+-[a-z0-9]+$/, '')), ['inventory', 'orders', 'storefront']);
  const orders = pods.find((p) => p.labels.app === 'orders')!;
  assert.equal(orders.phase, 'Running');
  assert.equal(orders.ready, true);
  assert.equal(orders.restarts, 2);
  assert.deepEqual(orders.containers, ['app']);
  assert.equal(orders.reason, undefined);
  assert.ok(orders.startedAt instanceof Date && !Number.isNaN(orders.startedAt.getTime()));
});

test('toPod: a pod being deleted is Terminating whatever its phase', () => {
  const p = baselinePods()[0]!;
  p.metadata!.deletionTimestamp = new Date('2026-11-26T17:45:30Z');
  assert.equal(toPod(p).phase, 'Terminating');
});

test('toPod: a crash-looping container gives its reason and message; one not-ready container makes the pod not ready', () => {
  const p = baselinePods()[1]!;
  const app = p.status!.containerStatuses![0]!;
  p.status!.containerStatuses = [{ ...app, ready: false, restartCount: 7, state: { waiting: { reason: 'CrashLoopBackOff', message: 'back-off 5m0s restarting failed container=app' } } }, { ...app, name: 'slice-agent', ready: true, restartCount: 1 }];
  const pod = toPod(p);
  assert.equal(pod.ready, false);
  assert.equal(pod.restarts, 8);
  assert.equal(pod.reason, 'CrashLoopBackOff: back-off 5m0s restarting failed container=app');
});

test('toPod: a failed init container explains a pod stuck in Init; a clean exit (code 0) is no problem', () => {
  const p = baselinePods()[1]!;
  p.status!.initContainerStatuses = [{ name: 'migrate', image: 'x', imageID: '', ready: false, restartCount: 0, state: { terminated: { exitCode: 1, reason: 'Error' } } }];
  assert.equal(toPod(p).reason, 'Error');
  p.status!.initContainerStatuses = [{ name: 'migrate', image: 'x', imageID: '', ready: false, restartCount: 0, state: { terminated: { exitCode: 0, reason: 'Completed' } } }];
  assert.equal(toPod(p).reason, undefined);
});

test('toPod: the Slice agent is listed last, so Show Pod Logs reads the app', () => {
  const p = baselinePods()[0]!;
  const app = p.spec!.containers[0]!;
  p.spec!.containers = [{ ...app, name: 'slice-agent' }, app];
  assert.deepEqual(toPod(p).containers, ['app', 'slice-agent']);
});

test('toPod: a pod with no status yet is Unknown, not ready, with no restarts', () => {
  const pod = toPod({ metadata: { name: 'new' } });
  assert.deepEqual(pod, { name: 'new', phase: 'Unknown', ready: false, restarts: 0, labels: {}, containers: [], reason: undefined, startedAt: undefined, limits: [], lastTerminations: [] });
});

test('toPod: each container\'s CPU and memory limits, and an OOMKilled last run', () => {
  const p = baselinePods()[1]!;
  const app = p.status!.containerStatuses![0]!;
  p.status!.containerStatuses = [{ ...app, restartCount: 1, lastState: { terminated: { exitCode: 137, reason: 'OOMKilled', finishedAt: new Date('2026-12-07T13:04:05Z') } } }];
  const pod = toPod(p);
  assert.deepEqual(pod.limits, [{ container: 'app', cpuMillis: 500, memoryBytes: 256 * 1024 * 1024 }]);
  assert.equal(pod.lastTerminations!.length, 1);
  assert.equal(pod.lastTerminations![0]!.reason, 'OOMKilled');
  assert.equal(pod.lastTerminations![0]!.exitCode, 137);
  assert.equal(pod.lastTerminations![0]!.finishedAt!.toISOString(), '2026-12-07T13:04:05.000Z');
  assert.deepEqual(toPod(baselinePods()[0]!).lastTerminations, []);
});
