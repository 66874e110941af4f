import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { type Page, chromium } from 'playwright-core';
import { CHROMIUM_ARGS, type CodeServer, startCodeServer } from '../runner/codeServer';

/** A tiny step runner for browser scenarios: each step passes or fails, failures do not stop the report. */
export interface StepResult {
  readonly name: string;
  readonly ok: boolean;
  readonly skipped: boolean;
  readonly ms: number;
  readonly error?: string;
}

export class Steps {
  readonly results: StepResult[] = [];
  private readonly started = Date.now();

  async step(name: string, fn: () => Promise<void>, onFail?: (name: string) => Promise<void>): Promise<boolean> {
    const t0 = Date.now();
    try {
      await fn();
      this.results.push({ name, ok: true, skipped: false, ms: Date.now() - t0 });
      console.log(`  ✔ ${name} (${Date.now() - t0} ms)`);
      return true;
    } catch (e) {
      const error = e instanceof Error ? e.message : String(e);
      this.results.push({ name, ok: false, skipped: false, ms: Date.now() - t0, error });
      console.log(`  ✖ ${name}\n    ${error.split('\n').join('\n    ')}`);
      if (onFail) await onFail(name).catch(() => undefined);
      return false;
    }
  }

  skip(name: string, why: string): void {
    this.results.push({ name, ok: true, skipped: true, ms: 0 });
    console.log(`  - ${name} (skipped: ${why})`);
  }

  summary(prefix: string): number {
    const passed = this.results.filter((r) => r.ok && !r.skipped).length;
    const failed = this.results.filter((r) => !r.ok).length;
    const skipped = this.results.filter((r) => r.skipped).length;
    console.log(`${prefix}: ${passed} passed, ${failed} failed, ${skipped} skipped (${((Date.now() - this.started) / 1000).toFixed(1)} s)`);
    return failed;
  }
}

/** The repository root (the scenarios run from out/test/e2e). */
export const repoRoot = resolve(__dirname, '..', '..', '..');

/** The packaged extension the scenarios install: $SLICE_VSIX, else dist/slice.vsix (what scripts/test-e2e.sh packages). */
export const vsixPath = process.env.SLICE_VSIX ?? join(repoRoot, 'dist', 'slice.vsix');

/** A scenario's folder: .run/<name>, or $SLICE_RUN_DIR/<name>. */
export function scenarioRunDir(name: string): string {
  return join(process.env.SLICE_RUN_DIR ?? join(repoRoot, '.run'), name);
}

export interface WorkbenchOptions {
  /** The scenario's folder under .run (or $SLICE_RUN_DIR): code-server's data and log, and screenshots/. */
  readonly name: string;
  /** User (and Machine) settings of code-server, over the quiet defaults. */
  readonly settings?: Record<string, unknown>;
}

/** code-server plus headless Chromium on one page, for one scenario. */
export interface Workbench {
  readonly page: Page;
  readonly server: CodeServer;
  readonly runDir: string;
  readonly shots: string;
  /** Saves screenshots/<name>.png. */
  readonly shot: (name: string) => Promise<void>;
  /** For Steps.step: a FAILED-<step> screenshot of the page as the step left it. */
  readonly onFail: (step: string) => Promise<void>;
  /** Installs the .vsix into code-server's extensions dir, as a user installs one; throws with code-server's output when it fails. */
  installExtension(): void;
  /** Opens a folder in the workbench and waits until the workbench is drawn. */
  open(folder: string): Promise<void>;
  /** Opens the Slice view container from the activity bar. */
  openSliceView(timeoutMs?: number): Promise<void>;
  /** Closes the browser and stops code-server (never throws). */
  close(): Promise<void>;
}

/**
 * Starts headless Chromium and code-server (which wipes the run dir first: write files into it after
 * this returns). The extension is not installed yet: call installExtension(), as a step or not.
 */
export async function launchWorkbench(options: WorkbenchOptions): Promise<Workbench> {
  if (!existsSync(vsixPath)) throw new Error(`${vsixPath} is missing: run through scripts/test-e2e.sh (it packages it), or set SLICE_VSIX to a packaged .vsix`);
  const runDir = scenarioRunDir(options.name);
  const shots = join(runDir, 'screenshots');
  const extensionsDir = join(runDir, 'extensions');
  mkdirSync(shots, { recursive: true });
  const browser = await chromium.launchPersistentContext(mkdtempSync(join(tmpdir(), 'slice-e2e-chromium-')), {
    executablePath: process.env.SLICE_CHROMIUM ?? '/usr/bin/chromium',
    headless: true,
    args: CHROMIUM_ARGS,
    viewport: { width: 1400, height: 850 },
  });
  let server: CodeServer;
  let page: Page;
  try {
    page = browser.pages()[0] ?? (await browser.newPage());
    server = await startCodeServer({ runDir, extensionsDir, settings: { ...options.settings } });
  } catch (e) {
    await browser.close().catch(() => undefined);
    throw e;
  }
  const shot = (name: string) => page.screenshot({ path: join(shots, `${name}.png`) }).then(() => undefined);
  return {
    page,
    server,
    runDir,
    shots,
    shot,
    onFail: (step) => shot(`FAILED-${step.replace(/[^a-z0-9]+/gi, '-')}`),
    installExtension() {
      const out = execFileSync(process.env.SLICE_CODE_SERVER!, ['--install-extension', vsixPath, '--extensions-dir', extensionsDir, '--user-data-dir', join(runDir, 'user-data')], { encoding: 'utf8' });
      if (!/successfully installed/i.test(out)) throw new Error(out);
    },
    async open(folder) {
      await page.goto(`${server.url}/?folder=${encodeURIComponent(folder)}`);
      await page.locator('.monaco-workbench').waitFor({ timeout: 60_000 });
    },
    async openSliceView(timeoutMs) {
      await page.locator('.activitybar [aria-label^="Slice"]').first().click(timeoutMs === undefined ? {} : { timeout: timeoutMs });
    },
    async close() {
      await browser.close().catch(() => undefined);
      await server.stop();
      console.log(`screenshots: ${shots}`);
    },
  };
}

/** Runs a scenario in a workbench from launchWorkbench, and closes it whatever happens. */
export async function withWorkbench<T>(options: WorkbenchOptions, scenario: (wb: Workbench) => Promise<T>): Promise<T> {
  const wb = await launchWorkbench(options);
  try {
    return await scenario(wb);
  } finally {
    await wb.close();
  }
}

/** Runs a scenario's main (which returns its failed steps) and exits 0 or 1; a throw counts as one failure. */
export function runScenario(prefix: string, main: () => Promise<number>): void {
  main().then(
    (failed) => process.exit(failed > 0 ? 1 : 0),
    (e: unknown) => {
      console.error(e);
      console.log(`${prefix}: 0 passed, 1 failed`);
      process.exit(1);
    },
  );
}
