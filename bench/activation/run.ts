import { appendFileSync, mkdtempSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { format } from 'node:util';
import { chromium } from 'playwright-core';
import { CHROMIUM_ARGS, startCodeServer } from '../../test/runner/codeServer';

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

async function once(root: string, i: number): Promise<Result> {
  const runDir = join(process.env.SLICE_RUN_DIR ?? join(root, '.run'), `bench-activation-${i}`);
  const server = await startCodeServer({ runDir, smokeTestDriver: true, settings: { 'slice.kubeconfig': join(runDir, 'none') } });
  const browser = await chromium.launchPersistentContext(mkdtempSync(join(tmpdir(), 'slice-bench-')), { executablePath: process.env.SLICE_CHROMIUM ?? '/usr/bin/chromium', headless: true, args: CHROMIUM_ARGS });
  try {
    const page = browser.pages()[0] ?? (await browser.newPage());
    let result: Result | undefined;
    const done = new Promise<number>((r) => void page.exposeFunction('codeAutomationExit', (code: number) => r(code)));
    await page.exposeFunction('codeAutomationLog', (_type: string, args: unknown[]) => {
      const line = format(...(Array.isArray(args) ? args : [args]));
      appendFileSync(join(runDir, 'automation.log'), `${line}\n`);
      const m = /SLICE_BENCH (\{.*\})/.exec(line);
      if (m?.[1]) result = JSON.parse(m[1]) as Result;
    });
    const remote = (p: string) => `vscode-remote://127.0.0.1:${server.port}${p}`;
    const payload = JSON.stringify([
      ['extensionDevelopmentPath', remote(root)],
      ['extensionTestsPath', remote(join(root, 'out', 'bench', 'activation', 'probe.js'))],
      ['skipWelcome', 'true'],
    ]);
    await page.goto(`${server.url}/?folder=${encodeURIComponent(join(root, 'test', 'workspace'))}&payload=${encodeURIComponent(payload)}`);
    let timer: NodeJS.Timeout | undefined;
    const code = await Promise.race([done, new Promise<number>((r) => (timer = setTimeout(() => r(2), 180_000)))]);
    clearTimeout(timer); // a pending timer would keep the finished bench alive until it fired
    if (code !== 0 || !result) throw new Error(`the probe failed (exit ${code}); see ${runDir}/automation.log`);
    return result;
  } finally {
    await browser.close().catch(() => undefined);
    await server.stop();
  }
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
