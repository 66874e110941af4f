// OOMKilled as a Problem on slice.yaml, on the real cluster: alice forks a workload whose container
// allocates past its 64 Mi limit; the fork resource watch (src/app/slices/forkResourceWatch.ts)
// reading with alice's own credentials, through the editor's WorkloadClient and PodMetricsClient,
// finds the kill and says it in words, and the Problem lands on the fork's entry of a slice.yaml; a
// fork that spins at its CPU limit is said to be at it (throttling inferred from usage).
// Bob, with a watch that claims alice's slice as his, reads nothing of it: the reads are his.
import { after, before, describe, test } from 'node:test';
import * as assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import type * as k8s from '@kubernetes/client-node';
import { eventually } from '../smoke/helpers';
import { alice, bob, cleanup, createBaseline, createSlice, sliceBody } from './sliceFixture';
import { Emitter } from '../../../src/core/base/event';
import { nullLogger } from '../../../src/core/base/logger';
import { type KubeContext, type SliceEnvironment } from '../../../src/core/cluster/environments';
import { type EnvironmentsState } from '../../../src/core/cluster/environmentsModel';
import { placeResourceProblems } from '../../../src/core/cluster/forkResourceProblems';
import { ForkResourceWatch } from '../../../src/app/slices/forkResourceWatch';
import { KubeClients } from '../../../src/platform/kube/kubeClients';
import { PodMetricsClient } from '../../../src/platform/kube/podMetricsClient';
import { WorkloadClient } from '../../../src/platform/kube/workloads';

const id = randomBytes(3).toString('hex');
const baseline = `slice-test-baseline-oom${id}`;
const aliceSlice = `alice-oom${id}`;
const aliceNs = `slice-${aliceSlice}`;
const HOG = "const a=[];setInterval(()=>a.push(Buffer.alloc(8<<20,1)),20);require('http').createServer((q,s)=>s.end('ok')).listen(8080)";
/** Serves, and spins on the CPU in between: at its 50m limit all the time. */
const SPIN = "require('http').createServer((q,s)=>s.end('ok')).listen(8080);setInterval(()=>{const t=Date.now();while(Date.now()-t<90);},100)";

function contextOf(kc: k8s.KubeConfig): KubeContext {
  const c = kc.getContextObject(kc.getCurrentContext())!;
  return { name: c.name, cluster: c.cluster, user: c.user, server: kc.getCurrentCluster()?.server };
}

/** A watch over one slice claimed as the user's own, reading with `kc`'s credentials. */
function watchAs(kc: k8s.KubeConfig): ForkResourceWatch {
  const context = contextOf(kc);
  const slice: SliceEnvironment = {
    kind: 'slice', namespace: aliceNs, owner: 'alice', sliceName: `oom${id}`, baseline, expiresAt: undefined, terminating: false, mine: true,
    resource: { name: aliceSlice, phase: 'Ready', conditions: [], forks: [], forkNames: ['hog', 'spin'], data: [] },
  };
  const state: EnvironmentsState = { kubeconfig: { state: 'loading' }, selected: context.name, cluster: { status: 'ok', context, environments: [slice], user: context.user, platformInstalled: true } };
  const clients = new KubeClients(() => kc, () => 15_000);
  const workloads = new WorkloadClient(clients);
  const metrics = new PodMetricsClient(clients);
  return new ForkResourceWatch({ state, onDidChange: new Emitter<EnvironmentsState>().event }, { workloads: (c, ns) => workloads.workloads(c, ns), podMetrics: (c, ns) => metrics.read(c, ns) }, nullLogger, 3_600_000);
}

void describe('OOMKilled fork as a slice.yaml Problem', { timeout: 300_000 }, () => {
  before(async () => {
    await createBaseline(baseline, [
      { name: 'hog', container: { command: ['node', '-e', HOG], resources: { requests: { cpu: '10m', memory: '32Mi' }, limits: { cpu: '100m', memory: '64Mi' } } } },
      { name: 'spin', container: { command: ['node', '-e', SPIN], resources: { requests: { cpu: '10m', memory: '32Mi' }, limits: { cpu: '50m', memory: '128Mi' } } } },
    ]);
    // each fork pod's limits count against the quota: the Slice agent's CPU limit is a whole core
    await createSlice(alice, sliceBody('alice', `oom${id}`, baseline, [{ workload: 'hog' }, { workload: 'spin' }], { ttl: '1h', resources: { cpu: '3', memory: '1Gi', pods: 6 } }));
  });
  after(async () => cleanup([aliceSlice], baseline));

  void test('alice\'s watch finds her fork OOMKilled, in words with its limit, and the Problem goes on the fork\'s line', async () => {
    const watch = watchAs(alice);
    try {
      const problem = await eventually('the hog fork OOMKilled', async () => {
        await watch.poll();
        return watch.problems[0]?.problems.find((p) => p.kind === 'oomKilled' && p.workload === 'hog');
      }, 180_000, 2000);
      assert.match(problem.message, /^hog was killed for using more than its 64 Mi memory limit \(OOMKilled, last at \d\d:\d\d:\d\d UTC; pod hog-[a-z0-9-]+ restarted (once|\d+ times)\)\./);
      console.log(`# ${problem.message}`);
      const yaml = `baseline: ${baseline}\nname: oom${id}\nforks:\n  - workload: spin\n  - workload: hog\n`;
      const placed = placeResourceProblems(yaml, watch.problems).filter((p) => p.message.startsWith('hog was killed'));
      assert.deepEqual(placed.map((p) => [p.range.startLine, p.severity]), [[5, 'warning']]);
    } finally {
      watch.dispose();
    }
  });

  void test('a fork spinning at its 50m CPU limit: "at its CPU limit", throttling inferred from usage and said so', async () => {
    const watch = watchAs(alice);
    try {
      // metrics-server reports a pod about one resolution (15 s) after it starts
      const problem = await eventually('spin at its CPU limit', async () => {
        await watch.poll();
        return watch.problems[0]?.problems.find((p) => p.kind === 'cpuAtLimit' && p.workload === 'spin');
      }, 180_000, 3000);
      assert.match(problem.message, /^spin is at its CPU limit \((4[5-9]|5\d)m of 50m, pod spin-[a-z0-9-]+\): the kernel throttles it there/);
      assert.match(problem.message, /inferred from usage at the limit: metrics\.k8s\.io reports usage, not the throttled time/);
      console.log(`# ${problem.message}`);
    } finally {
      watch.dispose();
    }
  });

  void test('bob\'s watch claiming alice\'s slice reads nothing of it (his reads are refused)', async () => {
    await assert.rejects(new WorkloadClient(new KubeClients(() => bob, () => 15_000)).workloads(contextOf(bob), aliceNs), /User "bob" may not list deployments in slice-alice-oom/, 'the read itself is refused');
    const watch = watchAs(bob);
    try {
      await watch.poll();
      assert.deepEqual(watch.problems, [], 'no problem learned from a namespace bob may not read');
    } finally {
      watch.dispose();
    }
  });
});
