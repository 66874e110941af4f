import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { type FrameLocator, type Page, chromium } from 'playwright-core';
import { CHROMIUM_ARGS, type CodeServer, startCodeServer } from '../runner/codeServer';
import { runCommand } from './workbenchHelpers';
import { Steps } from './harness';

/**
 * Issue 6 in the real workbench: the packaged extension in code-server, the sample app's sources
 * open, recorded telemetry imported through the command palette and the file dialog; then the
 * CodeLens, the end-of-line decorations, the Problems panel, the trace waterfall (a click on a span
 * opens its line) and the Traces & Errors view. Screenshots go to .run/e2e-telemetry/screenshots.
 */
const root = resolve(__dirname, '..', '..', '..');
const runDir = join(process.env.SLICE_RUN_DIR ?? join(root, '.run'), 'e2e-telemetry');
const shots = join(runDir, 'screenshots');
const vsix = join(root, 'dist', 'slice.vsix');
const sampleSource = join(root, 'test', 'workspace', 'telemetry-sample');
/** The scenario edits nothing on purpose, but it runs on a copy: a stray keystroke must never reach the repository. */
const sample = join(runDir, 'telemetry-sample');
const fixtures = join(root, 'test', 'unit', 'telemetry', 'fixtures');

async function main(): Promise<number> {
  const steps = new Steps();
  if (!existsSync(vsix)) throw new Error(`${vsix} is missing: run npm run package first`);
  const extensionsDir = join(runDir, 'extensions');
  mkdirSync(shots, { recursive: true });
  let server: CodeServer | undefined;
  const browser = await chromium.launchPersistentContext(mkdtempSync(join(tmpdir(), 'slice-e2e-chromium-')), {
    executablePath: process.env.SLICE_CHROMIUM ?? '/usr/bin/chromium',
    headless: true,
    args: CHROMIUM_ARGS,
    viewport: { width: 1400, height: 850 },
  });
  const page = browser.pages()[0] ?? (await browser.newPage());
  const shot = (name: string) => page.screenshot({ path: join(shots, `${name}.png`) }).then(() => undefined);
  const onFail = (name: string) => shot(`FAILED-${name.replace(/[^a-z0-9]+/gi, '-')}`);
  try {
    server = await startCodeServer({ runDir, extensionsDir, settings: { 'slice.kubeconfig': join(runDir, 'no-kubeconfig'), 'editor.minimap.enabled': false } });
    rmSync(sample, { recursive: true, force: true });
    cpSync(sampleSource, sample, { recursive: true });
    await steps.step('the .vsix installs into code-server', () => {
      const out = execFileSync(process.env.SLICE_CODE_SERVER!, ['--install-extension', vsix, '--extensions-dir', extensionsDir, '--user-data-dir', join(runDir, 'user-data')], { encoding: 'utf8' });
      if (!/successfully installed/i.test(out)) throw new Error(out);
      return Promise.resolve();
    });

    const ok = await steps.step('the workbench opens the sample app and its orderService.js', async () => {
      await page.goto(`${server!.url}/?folder=${encodeURIComponent(sample)}`);
      await page.locator('.monaco-workbench').waitFor({ timeout: 60_000 });
      await page.locator('.explorer-folders-view .monaco-list-row', { hasText: 'dist' }).waitFor({ timeout: 60_000 });
      await quickOpen(page, 'orderService.js');
      await page.locator('.tabs-container .tab', { hasText: 'orderService.js' }).waitFor({ timeout: 15_000 });
    }, onFail);
    if (!ok) return steps.summary('e2e telemetry');

    const imported = await steps.step('Import Telemetry File… takes a container log and an OTLP/JSON trace from the file dialog', async () => {
      await importFile(page, join(fixtures, 'logs', 'container.log'));
      await page.locator('.notifications-toasts .notification-toast', { hasText: 'log records from container.log' }).waitFor({ timeout: 15_000 });
      await importFile(page, join(fixtures, 'otlp-traces-node-sdk.json'));
      await page.locator('.notifications-toasts .notification-toast', { hasText: 'imported 3 spans' }).waitFor({ timeout: 15_000 });
      await page.keyboard.press('Escape');
    }, onFail);

    if (!imported) return steps.summary('e2e telemetry');
    if (await page.locator('.tabs-container .tab.dirty').count()) throw new Error('a keystroke reached the editor: the file is modified');

    await steps.step('the CodeLens above loadOrder shows p95, calls and errors', async () => {
      await scrollEditorTo(page, 47);
      const lens = page.locator('.monaco-editor .codelens-decoration', { hasText: '⏱ p95' }).first();
      await lens.waitFor({ timeout: 30_000 });
      const text = await lens.innerText();
      if (!/⏱ p95 4\d ms · 1 call · 1 error · 5 min/.test(text)) throw new Error(`lens text: ${text}`);
      await page.waitForTimeout(300);
      await shot('t1-codelens-and-decorations');
    }, onFail);

    await steps.step('the end-of-line decoration shows the last error at the throwing line', async () => {
      const texts = await afterTexts(page);
      if (!texts.some((t) => t.includes('✖ Error: order 17 not found'))) throw new Error(`decorations: ${JSON.stringify(texts)}`);
    }, onFail);

    await steps.step('hovering the throwing line shows the last error, its stack and Open Trace', async () => {
      const line = page.locator('.monaco-editor .view-line', { hasText: 'throw new Error' }).first();
      await line.hover({ position: { x: 60, y: 8 } });
      const hover = page.locator('.monaco-hover', { hasText: 'Last error' }).first();
      await hover.waitFor({ timeout: 15_000 });
      await hover.locator('a', { hasText: 'Open Trace' }).waitFor({ timeout: 5000 });
      await shot('t2-hover');
      await page.keyboard.press('Escape');
    }, onFail);

    await steps.step('the runtime error is in the Problems panel', async () => {
      await runCommand(page, 'View: Focus Problems (Errors, Warnings, Infos)');
      await page.locator('.markers-panel .monaco-list-row', { hasText: 'order 17 not found' }).first().waitFor({ timeout: 15_000 });
      await page.waitForTimeout(300);
      await shot('t3-problems');
      await page.keyboard.press('Control+J');
    }, onFail);

    await steps.step('clicking the CodeLens opens the trace waterfall; clicking a span opens its line', async () => {
      await page.locator('.monaco-editor .codelens-decoration a', { hasText: '⏱ p95' }).first().click();
      const web = webview(page);
      await web.locator('.row', { hasText: 'pg.query:SELECT orders' }).waitFor({ timeout: 30_000 });
      await web.locator('.summary', { hasText: '1 error' }).waitFor({ timeout: 5000 });
      await page.waitForTimeout(300);
      await shot('t4-trace-waterfall');
      await web.locator('.row', { hasText: 'GET /orders/:id' }).click();
      await page.locator('.tabs-container .tab.active', { hasText: 'orders.js' }).waitFor({ timeout: 15_000 });
      await page.locator('.monaco-editor .codelens-decoration', { hasText: '⏱ p95' }).first().waitFor({ timeout: 30_000 });
      await page.waitForTimeout(300);
      await shot('t5-span-opened-its-line');
    }, onFail);

    await steps.step('the Traces & Errors view lists the trace and the error', async () => {
      await page.locator('.activitybar [aria-label^="Slice"]').first().click();
      await page.locator('.pane-header[aria-label^="Traces & Errors"]').waitFor({ timeout: 15_000 });
      await page.locator('.monaco-list-row', { hasText: 'GET /orders/:id' }).first().waitFor({ timeout: 15_000 });
      await page.locator('.monaco-list-row', { hasText: 'order 17 not found' }).first().waitFor({ timeout: 15_000 });
      await page.waitForTimeout(300);
      await shot('t6-traces-view');
    }, onFail);
  } finally {
    await browser.close().catch(() => undefined);
    await server?.stop();
  }
  console.log(`screenshots: ${shots}`);
  return steps.summary('e2e telemetry');
}

/** The content of the trace webview (VS Code nests the page in two iframes). */
function webview(page: Page): FrameLocator {
  return page.frameLocator('iframe.webview.ready').frameLocator('iframe#active-frame');
}

/** The `after` texts of the visible editor lines (VS Code renders them as CSS ::after content). Runs in the page. */
const AFTER_TEXTS = `(() => {
  const out = [];
  for (const el of document.querySelectorAll('.monaco-editor .view-line span')) {
    const c = getComputedStyle(el, '::after').content;
    if (c && c !== 'none' && c !== 'normal' && c !== '""') out.push(c);
  }
  return out;
})()`;

function afterTexts(page: Page): Promise<string[]> {
  return page.evaluate<string[]>(AFTER_TEXTS);
}

async function scrollEditorTo(page: Page, line: number): Promise<void> {
  await runCommand(page, 'Go to Line/Column...');
  const input = page.locator('.quick-input-widget input');
  await page.waitForTimeout(200);
  await input.pressSequentially(String(line));
  await input.press('Enter');
  await page.waitForTimeout(400);
}

async function importFile(page: Page, file: string): Promise<void> {
  await runCommand(page, 'Slice: Import Telemetry File…');
  // code-server's file dialog is a quick input that navigates as its value changes: enter the
  // folder, then pick the file from its list and accept.
  const input = page.locator('.quick-input-widget input');
  await input.waitFor({ timeout: 10_000 });
  await page.waitForTimeout(500);
  const slash = file.lastIndexOf('/');
  const name = file.slice(slash + 1);
  await input.fill(file.slice(0, slash + 1));
  const row = page.locator('.quick-input-widget .monaco-list-row', { hasText: name }).first();
  await row.waitFor({ timeout: 10_000 });
  await row.click();
  // A click on a file accepts it; the dialog then closes. (Never send keys after that: they would reach the editor.)
  await page.locator('.quick-input-widget', { hasText: 'Import Telemetry File' }).waitFor({ state: 'hidden', timeout: 10_000 });
}

async function quickOpen(page: Page, name: string): Promise<void> {
  await page.keyboard.press('Control+P');
  const input = page.locator('.quick-input-widget input');
  await input.waitFor({ timeout: 10_000 });
  await input.fill(name);
  await page.locator('.quick-input-widget .monaco-list-row', { hasText: name }).first().waitFor({ timeout: 45_000 });
  await page.keyboard.press('Enter');
}

main().then(
  (failed) => process.exit(failed > 0 ? 1 : 0),
  (e: unknown) => {
    console.error(e);
    console.log('e2e telemetry: 0 passed, 1 failed');
    process.exit(1);
  },
);
