// The fork resource watch: my slices' fork pods read through the port (a stand-in for the cluster
// reads, the caller's dependency), their OOM kills and CPU at the limit as problems per slice; a
// pod that runs clean again clears them, a slice that goes takes them with it, another user's slice
// is never read.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Emitter } from '../../../../src/core/base/event';
import { nullLogger } from '../../../../src/core/base/logger';
import { type KubeContext, type SliceEnvironment } from '../../../../src/core/cluster/environments';
import { type EnvironmentsState } from '../../../../src/core/cluster/environmentsModel';
import { type PodInfo, type WorkloadSummary } from '../../../../src/core/cluster/workloadSummary';
import { ForkResourceWatch, type ForkResourcePort } from '../../../../src/app/slices/forkResourceWatch';

const NOW = Date.parse('2026-12-07T15:40:00Z');
const CONTEXT: KubeContext = { name: 'alice@local', cluster: 'local', user: 'alice' };

function slice(namespace: string, mine = true): SliceEnvironment {
  return {
    kind: 'slice', namespace, owner: mine ? 'alice' : 'bob', sliceName: namespace.replace(/^slice-\w+-/, ''), baseline: 'shop', expiresAt: undefined, terminating: false, mine,
    resource: { name: namespace, phase: 'Ready', conditions: [], forks: [], forkNames: ['orders'], data: [] },
  };
}
const state = (slices: SliceEnvironment[]): EnvironmentsState => ({ kubeconfig: { state: 'loading' }, selected: CONTEXT.name, cluster: { status: 'ok', context: CONTEXT, environments: slices, user: 'alice', platformInstalled: true } });

class Model {
  readonly emitter = new Emitter<EnvironmentsState>();
  readonly onDidChange = this.emitter.event;
  constructor(public state: EnvironmentsState) {}
  set(s: EnvironmentsState): void {
    this.state = s;
    this.emitter.fire(s);
  }
}

const orders: WorkloadSummary = { name: 'orders', namespace: 'x', replicas: 1, ready: 1, forkOf: 'orders', port: 8080, image: undefined, selector: { app: 'orders' }, selectorExpressions: [], problem: undefined };
function pod(oomMinutesAgo: number | undefined): PodInfo {
  return {
    name: 'orders-abc', phase: 'Running', ready: true, restarts: oomMinutesAgo === undefined ? 0 : 1, labels: { app: 'orders' }, containers: ['orders', 'slice-agent'], reason: undefined, startedAt: undefined,
    limits: [{ container: 'orders', cpuMillis: 200, memoryBytes: 64 * 1024 * 1024 }],
    ...(oomMinutesAgo === undefined ? {} : { lastTerminations: [{ container: 'orders', reason: 'OOMKilled', exitCode: 137, finishedAt: new Date(NOW - oomMinutesAgo * 60_000) }] }),
  };
}

test('an OOM-killed fork of my slice is a problem; it clears when the pod runs clean, and goes with the slice; another user\'s slice is not read', async () => {
  const read: string[] = [];
  let pods: PodInfo[] = [pod(2)];
  const port: ForkResourcePort = {
    workloads: (_c, ns) => {
      read.push(ns);
      return Promise.resolve({ workloads: [orders], pods });
    },
  };
  const model = new Model(state([slice('slice-alice-orders'), slice('slice-bob-orders', false)]));
  const watch = new ForkResourceWatch(model, port, nullLogger, 3_600_000, () => NOW);
  const fired: number[] = [];
  watch.onDidChange((p) => fired.push(p.flatMap((s) => s.problems).length));
  try {
    await watch.poll();
    assert.deepEqual([...new Set(read)], ['slice-alice-orders']);
    assert.equal(watch.problems.length, 1);
    const [p] = watch.problems[0]!.problems;
    assert.equal(watch.problems[0]!.sliceName, 'orders');
    assert.equal(watch.problems[0]!.baseline, 'shop');
    assert.equal(p?.kind, 'oomKilled');
    assert.match(p.message, /^orders was killed for using more than its 64 Mi memory limit/);

    pods = [pod(11)];
    await watch.poll();
    assert.deepEqual(watch.problems[0]!.problems, [], 'ten minutes clean: cleared');
    pods = [pod(1)];
    await watch.poll();
    assert.equal(watch.problems[0]!.problems.length, 1);

    model.set(state([slice('slice-bob-orders', false)]));
    assert.deepEqual(watch.problems, [], 'the slice gone: its problems at once, before any read');
    assert.deepEqual(fired, [1, 0, 1, 0]);
  } finally {
    watch.dispose();
  }
});

test('a failed read keeps what was known of the slice; the metrics API missing is no failure', async () => {
  let fail = false;
  const port: ForkResourcePort = {
    workloads: () => (fail ? Promise.reject(new Error('timeout')) : Promise.resolve({ workloads: [orders], pods: [pod(1)] })),
    podMetrics: () => Promise.reject(new Error('no metrics-server')),
  };
  const watch = new ForkResourceWatch(new Model(state([slice('slice-alice-orders')])), port, nullLogger, 3_600_000, () => NOW);
  try {
    await watch.poll();
    assert.equal(watch.problems[0]?.problems.length, 1);
    fail = true;
    await watch.poll();
    assert.equal(watch.problems[0]?.problems.length, 1);
  } finally {
    watch.dispose();
  }
});
