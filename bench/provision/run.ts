// Provision benchmark: time from creating a Slice (one fork, images present) to Ready, median of N
// runs, beside the time the cluster takes to start one plain pod with the same image in the same
// run (create → Ready), and their ratio. Needs the local cluster and the platform installed
// (npm run platform:install). Run: node esbuild.config.mjs --tests && node out/bench/provision/run.js
import { randomBytes } from 'node:crypto';
import * as k8s from '@kubernetes/client-node';
import { admin, alice, cleanup, createBaseline, createSlice, deleteSlice, nodeImage, serverCommand, sliceBody, waitForPhase, waitGone } from '../../test/cluster/slices/sliceFixture';
import { eventually, restrictedContainer, restrictedPod } from '../../test/cluster/smoke/helpers';

const runs = Number(process.env.SLICE_BENCH_RUNS ?? 5);
const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
};

async function plainPod(ns: string, i: number): Promise<number> {
  const core = admin.makeApiClient(k8s.CoreV1Api);
  const name = `plain-${i}`;
  const t0 = performance.now();
  await core.createNamespacedPod({
    namespace: ns,
    body: { metadata: { name }, spec: { securityContext: restrictedPod, containers: [{ name: 'web', image: nodeImage, imagePullPolicy: 'IfNotPresent', command: serverCommand, securityContext: restrictedContainer, readinessProbe: { tcpSocket: { port: 8080 }, periodSeconds: 1 } }] } },
  });
  await eventually(`pod ${name} Ready`, async () => (await core.readNamespacedPod({ name, namespace: ns })).status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True'), 120_000, 100);
  const ms = performance.now() - t0;
  await core.deleteNamespacedPod({ name, namespace: ns, gracePeriodSeconds: 0 });
  return ms;
}

async function main(): Promise<void> {
  const id = randomBytes(3).toString('hex');
  const baseline = `slice-bench-baseline-${id}`;
  await createBaseline(baseline);
  const slices: number[] = [];
  const pods: number[] = [];
  try {
    for (let i = 0; i < runs; i++) {
      const name = `alice-bench${i}${id}`;
      const t0 = performance.now();
      await createSlice(alice, sliceBody('alice', `bench${i}${id}`, baseline, [{ workload: 'web' }]));
      await waitForPhase(name, ['Ready'], 180_000);
      slices.push(performance.now() - t0);
      pods.push(await plainPod(baseline, i));
      await deleteSlice(name);
      await waitGone(name, `slice-${name}`, 120_000);
      console.log(`run ${i + 1}/${runs}: slice ${(slices[i]! / 1000).toFixed(2)} s, plain pod ${(pods[i]! / 1000).toFixed(2)} s`);
    }
  } finally {
    await cleanup([], baseline);
  }
  const s = median(slices);
  const p = median(pods);
  console.log(`provision (Slice created → Ready, 1 fork): median ${(s / 1000).toFixed(2)} s over ${runs} runs`);
  console.log(`plain pod (created → Ready, same image):  median ${(p / 1000).toFixed(2)} s`);
  console.log(`ratio: ${(s / p).toFixed(2)}x`);
}

main().catch((e: unknown) => {
  console.error(e instanceof Error ? e.message : String(e));
  process.exit(1);
});
