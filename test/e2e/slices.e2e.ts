import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { CoreV1Api, CustomObjectsApi, KubeConfig } from '@kubernetes/client-node';
import { createNodeBaseline } from '../support/baseline';
import { type Page, chromium } from 'playwright-core';
import { CHROMIUM_ARGS, type CodeServer, startCodeServer } from '../runner/codeServer';
import { clusterKubeconfigs } from './cluster';
import { Steps } from './harness';
import { runCommand, treeRow as row } from './workbenchHelpers';

/**
 * A developer's slice from the editor, in the real workbench against the real cluster, as alice:
 * Create Slice from slice.yaml, the tree with the slice Ready (quota use, fork, pod), Verify
 * Isolation's report, Delete Slice with its confirmation. Screenshots in .run/e2e-slices/screenshots.
 */
const root = resolve(__dirname, '..', '..', '..');
const runDir = join(process.env.SLICE_RUN_DIR ?? join(root, '.run'), 'e2e-slices');
const shots = join(runDir, 'screenshots');
const vsix = join(root, 'dist', 'slice.vsix');

async function main(): Promise<number> {
  const steps = new Steps();
  const kube = clusterKubeconfigs();
  if (!kube) {
    steps.skip('slices in the workbench', 'no local cluster (npm run cluster:up)');
    return steps.summary('e2e-slices');
  }
  const admin = new KubeConfig();
  admin.loadFromFile(kube.admin);
  const alice = new KubeConfig();
  alice.loadFromFile(kube.all[1]!);
  const probe = await alice.makeApiClient(CoreV1Api).listNamespace().then(() => true, () => false);
  if (!probe) {
    steps.skip('slices in the workbench', 'the Slice platform bundle is not installed (npm run platform:install)');
    return steps.summary('e2e-slices');
  }
  const id = Date.now().toString(36);
  const baseline = `e2e-base-${id}`;
  const workspace = mkdtempSync(join(tmpdir(), 'slice-e2e-ws-'));
  writeFileSync(join(workspace, 'server.js'), "require('http').createServer((q, s) => s.end('ok')).listen(8080);\n");
  writeFileSync(join(workspace, 'slice.yaml'), `baseline: ${baseline}\nname: checkout-fix\nttl: 4h\nresources:\n  cpu: "2"\n  memory: 1Gi\n  pods: 6\nforks:\n  - workload: checkout\n    container: app\n    sync:\n      local: .\n      container: /app\n`);
  await removeSlice(admin, 'alice-checkout-fix');
  await createNodeBaseline(admin, baseline);
  mkdirSync(shots, { recursive: true });
  const kubeconfigFile = join(workspace, '..', `alice-${id}.kubeconfig`);
  writeFileSync(kubeconfigFile, alice.exportConfig());

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
    const extensionsDir = join(runDir, 'extensions');
    server = await startCodeServer({ runDir, extensionsDir, settings: { 'slice.kubeconfig': kubeconfigFile } });
    execFileSync(process.env.SLICE_CODE_SERVER!, ['--install-extension', vsix, '--extensions-dir', extensionsDir, '--user-data-dir', join(runDir, 'user-data')], { encoding: 'utf8' });

    await steps.step('the Environments view shows alice\'s context and the baseline', async () => {
      await page.goto(`${server!.url}/?folder=${encodeURIComponent(workspace)}`);
      await page.locator('.monaco-workbench').waitFor({ timeout: 60_000 });
      await page.locator('.activitybar [aria-label^="Slice"]').first().click();
      await row(page, baseline).waitFor({ timeout: 60_000 });
    }, onFail);

    await steps.step('Create Slice asks for a name, shows progress, and the slice turns Ready in the tree', async () => {
      await runCommand(page, 'Slice: Create Slice');
      const input = page.locator('.quick-input-widget input');
      await input.waitFor({ timeout: 15_000 });
      for (let i = 0; i < 100 && (await input.inputValue()).startsWith('>'); i++) await page.waitForTimeout(100);
      if ((await input.inputValue()) !== 'checkout-fix') throw new Error(`the name box suggests "${await input.inputValue()}", not slice.yaml's name`);
      await page.keyboard.press('Enter');
      await page.locator('.notifications-toasts', { hasText: 'Creating slice checkout-fix' }).waitFor({ timeout: 30_000 });
      await shot('10-create-slice-progress');
      await page.locator('.notifications-toasts', { hasText: 'Slice checkout-fix is ready' }).waitFor({ timeout: 180_000 });
      await row(page, /checkout-fix.*Ready/).waitFor({ timeout: 30_000 });
    }, onFail);

    await steps.step('the slice row expands to its quota use, its fork and the fork\'s pod', async () => {
      await row(page, /checkout-fix.*Ready/).click();
      await row(page, 'Quota').waitFor({ timeout: 30_000 });
      await row(page, /checkout.*fork · 1\/1 ready/).click();
      await row(page, /checkout-[a-z0-9]+-[a-z0-9]+.*Running/).waitFor({ timeout: 30_000 });
      await page.waitForTimeout(500);
      await shot('11-slice-ready-tree');
    }, onFail);

    await steps.step('Verify Isolation runs every check and opens the report', async () => {
      await runCommand(page, 'Slice: Verify Isolation');
      await pickSlice(page, 'checkout-fix');
      await page.locator('.notifications-toasts', { hasText: /Isolation of slice checkout-fix: \d+ passed, 0 failed/ }).waitFor({ timeout: 180_000 });
      await page.locator('.tab', { hasText: /isolation-slice-alice-checkout-fix/ }).first().waitFor({ timeout: 30_000 });
      await page.waitForTimeout(4000);
      await shot('12-verify-isolation-report');
    }, onFail);

    await steps.step('Delete Slice asks first, then the slice disappears', async () => {
      // The QuickPick can open inert while the isolation report's preview takes focus: try again, as a user would.
      for (let attempt = 1; ; attempt++) {
        await runCommand(page, 'Slice: Delete Slice');
        if (await pickSlice(page, 'checkout-fix', 10_000).then(() => true, () => false)) break;
        if (attempt === 3) throw new Error('the Delete Slice QuickPick took no input after 3 tries');
        await page.keyboard.press('Escape');
      }
      const dialog = page.locator('.monaco-dialog-box', { hasText: 'Delete slice checkout-fix?' });
      await dialog.waitFor({ timeout: 15_000 });
      await shot('13-delete-confirmation');
      await dialog.locator('.monaco-button', { hasText: 'Delete' }).first().click();
      await page.locator('.notifications-toasts', { hasText: 'Slice checkout-fix is deleted' }).waitFor({ timeout: 180_000 });
      await row(page, 'checkout-fix').waitFor({ state: 'detached', timeout: 30_000 });
    }, onFail);
  } finally {
    await browser.close().catch(() => undefined);
    await server?.stop();
    await admin.makeApiClient(CoreV1Api).deleteNamespace({ name: baseline }).catch(() => undefined);
  }
  console.log(`screenshots: ${shots}`);
  return steps.summary('e2e-slices');
}

/** Answers the "which slice?" QuickPick: filters to the slice, then accepts the first match. */
async function pickSlice(page: Page, label: string, timeout = 15_000): Promise<void> {
  // The slice QuickPick says "Which slice do you want to …?" in its placeholder.
  const input = page.locator('.quick-input-widget input[placeholder^="Which slice"]');
  await input.waitFor({ timeout });
  await input.fill(label, { timeout });
  await page.locator('.quick-input-widget .monaco-list-row.focused', { hasText: label }).first().waitFor({ timeout });
  await page.keyboard.press('Enter');
}

/** Removes a Slice left by an earlier, interrupted run, and waits until it is gone. */
async function removeSlice(admin: KubeConfig, name: string): Promise<void> {
  const api = admin.makeApiClient(CustomObjectsApi);
  const ref = { group: 'slice.dev', version: 'v1alpha1', plural: 'slices', name };
  if (!(await api.getClusterCustomObject(ref).then(() => true, () => false))) return;
  await api.deleteClusterCustomObject(ref).catch(() => undefined);
  for (let i = 0; i < 120 && (await api.getClusterCustomObject(ref).then(() => true, () => false)); i++) await new Promise((r) => setTimeout(r, 1000));
}

main().then(
  (failed) => process.exit(failed > 0 ? 1 : 0),
  (e: unknown) => {
    console.error(e);
    console.log('e2e-slices: 0 passed, 1 failed');
    process.exit(1);
  },
);

