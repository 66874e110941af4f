// OOMKilled and CPU at its limit as Problems on slice.yaml: which fork pods give which words, and
// at which line of the file each goes (the fork's `workload:` entry); old kills, the agent's
// container and slices the file did not make give none.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { RECENT_OOM_MS, forkResourceProblems, placeResourceProblems } from '../../../../src/core/cluster/forkResourceProblems';
import { type PodInfo } from '../../../../src/core/cluster/workloadSummary';
import { type PodUsage } from '../../../../src/core/cluster/podResources';

const NOW = Date.parse('2026-12-07T15:40:00Z');
const MiB = 1024 * 1024;

function pod(over: Partial<PodInfo> = {}): PodInfo {
  return {
    name: 'orders-7d9f-abcde', phase: 'Running', ready: true, restarts: 0, labels: {}, containers: ['orders', 'slice-agent'], reason: undefined, startedAt: undefined,
    limits: [{ container: 'orders', cpuMillis: 200, memoryBytes: 128 * MiB }, { container: 'slice-agent', cpuMillis: 1000, memoryBytes: 256 * MiB }],
    ...over,
  };
}
const oom = (container: string, minutesAgo: number) => ({ container, reason: 'OOMKilled', exitCode: 137, finishedAt: new Date(NOW - minutesAgo * 60_000) });
const usage = (cpu: number): ReadonlyMap<string, PodUsage> => new Map([['orders-7d9f-abcde', { pod: 'orders-7d9f-abcde', containers: [{ container: 'orders', cpuMillis: cpu, memoryBytes: 40 * MiB }], timestamp: undefined, windowSeconds: 15 }]]);

test('a fork container OOMKilled in the last 10 minutes is a problem in words: its limit, when, the restarts, what to do', () => {
  const [p, ...more] = forkResourceProblems([{ workload: 'orders', pods: [pod({ restarts: 2, lastTerminations: [oom('orders', 3)] })] }], NOW);
  assert.equal(more.length, 0);
  assert.equal(p?.kind, 'oomKilled');
  assert.equal(
    p.message,
    "orders was killed for using more than its 128 Mi memory limit (OOMKilled, last at 15:37:00 UTC; pod orders-7d9f-abcde restarted 2 times). The fork keeps the baseline Deployment's limit (or the platform's default when the baseline sets none); slice.yaml's resources.memory is the slice's total, not this limit. Look for a leak or for data kept in memory, or raise the limit in the baseline's Deployment.",
  );
});

test('it clears once the container has run 10 minutes clean, when the pod is replaced, and the agent\'s own kills are not the fork\'s', () => {
  const minutes = RECENT_OOM_MS / 60_000;
  assert.deepEqual(forkResourceProblems([{ workload: 'orders', pods: [pod({ restarts: 1, lastTerminations: [oom('orders', minutes + 1)] })] }], NOW), []);
  assert.deepEqual(forkResourceProblems([{ workload: 'orders', pods: [pod()] }], NOW), [], 'a new pod has no lastState');
  assert.deepEqual(forkResourceProblems([{ workload: 'orders', pods: [pod({ restarts: 1, lastTerminations: [oom('slice-agent', 1)] })] }], NOW), []);
  assert.deepEqual(forkResourceProblems([{ workload: 'orders', pods: [pod({ restarts: 1, lastTerminations: [{ ...oom('orders', 1), reason: 'Error' }] })] }], NOW), [], 'another reason');
});

test('CPU at its limit (90 % or more of it): throttling inferred from usage, and said so; under it, or without metrics, nothing', () => {
  const [p] = forkResourceProblems([{ workload: 'orders', pods: [pod()], usage: usage(195) }], NOW);
  assert.equal(p?.kind, 'cpuAtLimit');
  assert.match(p.message, /^orders is at its CPU limit \(195m of 200m, pod orders-7d9f-abcde\): the kernel throttles it there/);
  assert.match(p.message, /inferred from usage at the limit: metrics\.k8s\.io reports usage, not the throttled time/);
  assert.deepEqual(forkResourceProblems([{ workload: 'orders', pods: [pod()], usage: usage(120) }], NOW), []);
  assert.deepEqual(forkResourceProblems([{ workload: 'orders', pods: [pod()] }], NOW), []);
});

const YAML = `# my slice
baseline: shop
name: orders
forks:
  - workload: orders
    sync:
      local: services/orders
      container: /app/services/orders
  - workload: payments
`;

test('the Problem goes on the line of its fork\'s workload entry, for the slices this slice.yaml made', () => {
  const problems = forkResourceProblems([{ workload: 'orders', pods: [pod({ restarts: 1, lastTerminations: [oom('orders', 1)] })] }, { workload: 'payments', pods: [pod({ name: 'payments-1', restarts: 1, lastTerminations: [oom('orders', 1)] })] }], NOW);
  const placed = placeResourceProblems(YAML, [{ sliceName: 'orders', baseline: 'shop', problems }]);
  assert.deepEqual(placed.map((p) => [p.range.startLine, p.range.startColumn, p.range.endColumn, p.severity]), [[5, 15, 21, 'warning'], [9, 15, 23, 'warning']]);
  assert.match(placed[0]!.message, /^orders was killed/);
  assert.match(placed[1]!.message, /^payments \(container orders\) was killed/);
  assert.deepEqual(placeResourceProblems(YAML, [{ sliceName: 'other', baseline: 'shop', problems }]), [], 'another slice of the same baseline');
  assert.deepEqual(placeResourceProblems(YAML, [{ sliceName: 'orders', baseline: 'shop-2', problems }]), [], 'another baseline');
  assert.equal(placeResourceProblems(YAML.replace('name: orders\n', ''), [{ sliceName: 'anything', baseline: 'shop', problems }]).length, 2, 'a file without a name: every slice of its baseline');
  assert.deepEqual(placeResourceProblems(YAML.replace('- workload: payments', ''), [{ sliceName: 'orders', baseline: 'shop', problems }]).map((p) => p.range.startLine), [5], 'a workload the file does not list: not placed');
  assert.deepEqual(placeResourceProblems('baseline: [', [{ sliceName: 'orders', baseline: 'shop', problems }]), [], 'an unreadable file');
});
