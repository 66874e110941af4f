import { statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { runProbe } from '../extensionHostProbe';

/**
 * bench/activation: activation time of the production bundle in the real extension host
 * (code-server's), beside a fresh require() of an empty module in the same process, and the
 * bundle sizes. Run through `npm run bench` (which builds the production bundle first).
 */
interface Result {
  activateMs: number;
  moduleLoadMedianMs: number;
  emptyModuleLoadMedianMs: number;
  activationMs: number;
  firstClusterLoadMs: number;
  bundleBytes: number;
}

function once(root: string, i: number): Promise<Result> {
  return runProbe<Result>({ root, probe: join('out', 'bench', 'activation', 'probe.js'), runName: `bench-activation-${i}`, timeoutMs: 180_000 });
}

async function main(): Promise<void> {
  const root = resolve(__dirname, '..', '..', '..');
  const runs = Number(process.env.SLICE_BENCH_RUNS ?? 3);
  const results: Result[] = [];
  for (let i = 0; i < runs; i++) results.push(await once(root, i));
  const median = (f: (r: Result) => number) => results.map(f).sort((a, b) => a - b)[Math.floor(results.length / 2)]!;
  const kib = (b: number) => `${(b / 1024).toFixed(1)} KiB`;
  const act = median((r) => r.activationMs);
  const floor = median((r) => r.emptyModuleLoadMedianMs);
  console.log(`bench/activation (${runs} fresh extension hosts, code-server ${process.env.SLICE_CODE_SERVER_VERSION ?? ''}, medians)`);
  console.log(`  activation (module load + activate())  ${act.toFixed(1)} ms`);
  console.log(`    module load of dist/extension.js     ${median((r) => r.moduleLoadMedianMs).toFixed(1)} ms  (${(median((r) => r.moduleLoadMedianMs) / floor).toFixed(0)}× an empty module's ${floor.toFixed(2)} ms)`);
  console.log(`    activate()                           ${median((r) => r.activateMs).toFixed(1)} ms`);
  console.log(`  first kubeconfig + cluster load        ${median((r) => r.firstClusterLoadMs).toFixed(1)} ms (after activate; no kubeconfig here)`);
  console.log(`  bundle dist/extension.js               ${kib(statSync(join(root, 'dist', 'extension.js')).size)}`);
  console.log(`  bundle dist/agent.js                   ${kib(statSync(join(root, 'dist', 'agent.js')).size)}`);
}

main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});
