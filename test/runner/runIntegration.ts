import { join, resolve } from 'node:path';
import { appendFileSync, mkdtempSync, rmSync } from 'node:fs';
import { format } from 'node:util';
import { tmpdir } from 'node:os';
import { chromium } from 'playwright-core';
import { CHROMIUM_ARGS, startCodeServer } from './codeServer';

/**
 * Runs the mocha suite of test/integration inside a real VS Code extension host (code-server's),
 * the way @vscode/test-electron would on a desktop: the workbench's `payload` names the extension
 * under development and the tests; the exit code comes back through `codeAutomationExit`.
 *
 *   node out/test/runner/runIntegration.js [workspaceFolder]
 */
const WORKBENCH_NOISE = /workbench\.js|open-vsx|AccountPolicyGate|Service Worker|authentication provider|AgentHost|Creating a socket|builtin extensions cache|DEP0169|trace-deprecation/;

async function main(): Promise<number> {
  const root = resolve(__dirname, '..', '..', '..');
  const workspace = resolve(process.argv[2] ?? join(root, 'test', 'workspace'));
  // One folder per run: two runs at once must not share (or wipe) each other's user data.
  const runDir = join(process.env.SLICE_RUN_DIR ?? join(root, '.run'), `integration-${process.pid}`);
  const timeoutMs = Number(process.env.SLICE_INTEGRATION_TIMEOUT_MS ?? 600_000);
  let passed = false;
  const server = await startCodeServer({ runDir, smokeTestDriver: true, settings: { 'slice.kubeconfig': join(runDir, 'no-kubeconfig-yet') } });
  const automationLog = join(runDir, 'automation.log');
  console.log(`code-server on ${server.url} (logs: ${server.logFile}, ${automationLog})`);
  const browser = await chromium.launchPersistentContext(mkdtempSync(join(tmpdir(), 'slice-chromium-')), {
    executablePath: process.env.SLICE_CHROMIUM ?? '/usr/bin/chromium',
    headless: true,
    args: CHROMIUM_ARGS,
  });
  try {
    const page = browser.pages()[0] ?? (await browser.newPage());
    const exit = new Promise<number>((resolveExit) => {
      void page.exposeFunction('codeAutomationLog', (type: string, args: unknown[]) => {
        const line = format(...(Array.isArray(args) ? args : [args]));
        appendFileSync(automationLog, `[${type}] ${line}\n`);
        // The workbench's own noise (no gallery here, no GitHub auth) stays in the file.
        if (!WORKBENCH_NOISE.test(line)) (type === 'error' ? process.stderr : process.stdout).write(`${line}\n`);
      });
      void page.exposeFunction('codeAutomationExit', (code: number) => resolveExit(code));
    });
    const remote = (p: string) => `vscode-remote://127.0.0.1:${server.port}${p}`;
    const payload = JSON.stringify([
      ['extensionDevelopmentPath', remote(root)],
      ['extensionTestsPath', remote(join(root, 'out', 'test', 'integration', 'index.js'))],
      ['skipWelcome', 'true'],
    ]);
    await page.goto(`${server.url}/?folder=${encodeURIComponent(workspace)}&payload=${encodeURIComponent(payload)}`);
    let timer: ReturnType<typeof setTimeout> | undefined;
    const timeout = new Promise<number>((r) => (timer = setTimeout(() => r(2), timeoutMs)));
    const code = await Promise.race([exit, timeout]);
    if (timer) clearTimeout(timer);
    if (code === 2) console.error(`integration tests did not finish within ${timeoutMs / 1000} s (is the payload ignored? see ${server.logFile})`);
    if (code !== 0) console.error(`logs kept in ${runDir}`);
    passed = code === 0;
    return code;
  } finally {
    await browser.close().catch(() => undefined);
    await server.stop();
    if (passed) rmSync(runDir, { recursive: true, force: true });
  }
}

main().then(
  (code) => process.exit(code),
  (e: unknown) => {
    console.error(e);
    process.exit(1);
  },
);
