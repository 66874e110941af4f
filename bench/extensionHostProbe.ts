import { appendFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { format } from 'node:util';
import { type Page, chromium } from 'playwright-core';
import { CHROMIUM_ARGS, startCodeServer } from '../test/runner/codeServer';

export interface ProbeRun {
  /** The repository root (the extension under development). */
  readonly root: string;
  /** The probe module, relative to the root (`out/bench/…/probe.js`): it runs as the payload's extensionTestsPath. */
  readonly probe: string;
  /** The run folder's name under `.run` (or SLICE_RUN_DIR): code-server's data and the automation log. */
  readonly runName: string;
  /** How long the probe may take. */
  readonly timeoutMs: number;
  /** The workspace folder the workbench opens (default: test/workspace). */
  readonly folder?: string;
  /** User settings (default: slice.kubeconfig pointing at no file). */
  readonly settings?: Record<string, unknown>;
  /** Extra environment of code-server and its extension host (how a probe gets its parameters). */
  readonly env?: Record<string, string>;
  /** A script the workbench page runs before it loads (e.g. an observer of what the page shows). */
  readonly initScript?: string;
  /** Called with the page once the probe has finished, before the browser closes (to read what the init script recorded). */
  readonly collect?: (page: Page) => Promise<void>;
}

/**
 * Runs a bench probe inside code-server's real extension host, driven by headless Chromium through
 * the workbench's test payload, and returns the JSON the probe printed after `SLICE_BENCH `
 * (every line the workbench logs is kept in the run folder's automation.log).
 */
export async function runProbe<T>(run: ProbeRun): Promise<T> {
  const runDir = join(process.env.SLICE_RUN_DIR ?? join(run.root, '.run'), run.runName);
  const server = await startCodeServer({ runDir, smokeTestDriver: true, settings: run.settings ?? { 'slice.kubeconfig': join(runDir, 'none') }, ...(run.env ? { env: run.env } : {}) });
  const browser = await chromium.launchPersistentContext(mkdtempSync(join(tmpdir(), 'slice-bench-')), { executablePath: process.env.SLICE_CHROMIUM ?? '/usr/bin/chromium', headless: true, args: CHROMIUM_ARGS });
  try {
    const page = browser.pages()[0] ?? (await browser.newPage());
    let result: T | undefined;
    const done = new Promise<number>((r) => void page.exposeFunction('codeAutomationExit', (code: number) => r(code)));
    await page.exposeFunction('codeAutomationLog', (_type: string, args: unknown[]) => {
      const line = format(...(Array.isArray(args) ? args : [args]));
      appendFileSync(join(runDir, 'automation.log'), `${line}\n`);
      const m = /SLICE_BENCH (\{.*\})/.exec(line);
      if (m?.[1]) result = JSON.parse(m[1]) as T;
    });
    if (run.initScript) await page.addInitScript(run.initScript);
    const remote = (p: string) => `vscode-remote://127.0.0.1:${server.port}${p}`;
    const payload = JSON.stringify([
      ['extensionDevelopmentPath', remote(run.root)],
      ['extensionTestsPath', remote(join(run.root, run.probe))],
      ['skipWelcome', 'true'],
    ]);
    await page.goto(`${server.url}/?folder=${encodeURIComponent(run.folder ?? join(run.root, 'test', 'workspace'))}&payload=${encodeURIComponent(payload)}`);
    let timer: NodeJS.Timeout | undefined;
    const code = await Promise.race([done, new Promise<number>((r) => (timer = setTimeout(() => r(2), run.timeoutMs)))]);
    clearTimeout(timer); // a pending timer would keep the finished bench alive until it fired
    if (code !== 0 || result === undefined) throw new Error(`the probe failed (exit ${code}); see ${runDir}/automation.log`);
    if (run.collect) await run.collect(page);
    return result;
  } finally {
    await browser.close().catch(() => undefined);
    await server.stop();
  }
}
