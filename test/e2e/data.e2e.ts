import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { chromium } from 'playwright-core';
import { CHROMIUM_ARGS, type CodeServer, startCodeServer } from '../runner/codeServer';
import { buildProbeImage, createDataBaseline } from '../cluster/data/dataFixture';
import { alice, cleanup, createSlice, getSlice, sliceBody, waitForPhase } from '../cluster/slices/sliceFixture';
import { clusterKubeconfigs } from './cluster';
import { Steps } from './harness';
import { treeRow as row } from './workbenchHelpers';

/**
 * A slice's data branch in the real workbench, as alice: the Environments tree shows the slice's
 * database and its size, and Reset Data from Baseline (context menu of the data row) asks first, then
 * re-branches. Screenshots in .run/e2e-data/screenshots.
 */
const root = resolve(__dirname, '..', '..', '..');
const runDir = join(process.env.SLICE_RUN_DIR ?? join(root, '.run'), 'e2e-data');
const shots = join(runDir, 'screenshots');
const vsix = process.env.SLICE_VSIX ?? join(root, 'dist', 'slice.vsix');

async function main(): Promise<number> {
  const steps = new Steps();
  const kube = clusterKubeconfigs();
  if (!kube) {
    steps.skip('data branches in the workbench', 'no local cluster (npm run cluster:up)');
    return steps.summary('e2e-data');
  }
  const id = Date.now().toString(36);
  const baseline = `db-e2e-base-${id}`;
  const sliceName = `alice-db-e2e-${id}`;
  await createDataBaseline(baseline, await buildProbeImage());
  await createSlice(alice, sliceBody('alice', `db-e2e-${id}`, baseline, [{ workload: 'orders', data: { postgres: { database: 'shop', copy: ['orders', 'products'], rowCap: 100 } } }]));
  const workspace = mkdtempSync(join(tmpdir(), 'slice-e2e-data-ws-'));
  writeFileSync(join(workspace, 'slice.yaml'), `baseline: ${baseline}\nforks:\n  - workload: orders\n    data:\n      postgres: { database: shop, copy: [orders, products], rowCap: 100 }\n`);
  const kubeconfigFile = join(workspace, '..', `alice-data-${id}.kubeconfig`);
  writeFileSync(kubeconfigFile, alice.exportConfig());
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
    await waitForPhase(sliceName, ['Ready'], 240_000);
    const extensionsDir = join(runDir, 'extensions');
    server = await startCodeServer({ runDir, extensionsDir, settings: { 'slice.kubeconfig': kubeconfigFile } });
    execFileSync(process.env.SLICE_CODE_SERVER!, ['--install-extension', vsix, '--extensions-dir', extensionsDir, '--user-data-dir', join(runDir, 'user-data')], { encoding: 'utf8' });

    await steps.step("the slice row expands to its data branch: database, size, baseline", async () => {
      await page.goto(`${server!.url}/?folder=${encodeURIComponent(workspace)}`);
      await page.locator('.monaco-workbench').waitFor({ timeout: 60_000 });
      await page.locator('.activitybar [aria-label^="Slice"]').first().click();
      await row(page, new RegExp(`db-e2e-${id}.*Ready`)).click({ timeout: 60_000 });
      await row(page, /shop data.*[KM]B · branched .* · slice_alice_db_e2e/).waitFor({ timeout: 30_000 });
      await page.mouse.move(900, 700); // away from the slice row, whose hover covers the tree
      await page.waitForTimeout(1500);
      await shot('20-data-branch-in-tree');
      await row(page, /shop data/).hover();
      await page.locator('.monaco-hover', { hasText: 'Branched from the baseline database' }).first().waitFor({ timeout: 15_000 });
      await shot('20b-data-branch-tooltip');
      await page.mouse.move(900, 700);
      await page.waitForTimeout(1000);
    }, onFail);

    await steps.step('Reset Data from Baseline (context menu) asks first, then re-branches', async () => {
      const before = (await getSlice(sliceName))?.status?.data?.[0]?.branchedAt;
      const dialog = page.locator('.monaco-dialog-box', { hasText: `Reset the data of slice db-e2e-${id}?` });
      // A click that lands while the menu is still opening (or the row re-renders under it) is lost: try again, as a user would.
      for (let attempt = 1; ; attempt++) {
        await row(page, /shop data/).click({ button: 'right' });
        const item = page.locator('.context-view .action-label', { hasText: 'Reset Data from Baseline' }).first();
        await item.waitFor({ state: 'visible', timeout: 15_000 });
        await page.waitForTimeout(200);
        await item.click({ timeout: 15_000 });
        if (await dialog.waitFor({ timeout: 5_000 }).then(() => true, () => false)) break;
        if (attempt === 3) throw new Error('Reset Data from Baseline in the context menu opened no confirmation after 3 tries');
        await page.keyboard.press('Escape');
      }
      await shot('21-reset-data-confirmation');
      await dialog.locator('.monaco-button', { hasText: 'Reset Data' }).first().click();
      await page.locator('.notifications-toasts', { hasText: `The data of slice db-e2e-${id} is reset from the baseline` }).waitFor({ timeout: 120_000 });
      const after = (await getSlice(sliceName))?.status?.data?.[0]?.branchedAt;
      if (!after || after === before) throw new Error(`branchedAt did not change (${before} → ${after})`);
      await page.waitForTimeout(500);
      await shot('22-reset-data-done');
    }, onFail);
  } finally {
    await browser.close().catch(() => undefined);
    await server?.stop();
    await cleanup([sliceName], baseline);
  }
  console.log(`screenshots: ${shots}`);
  return steps.summary('e2e-data');
}

main().then(
  (failed) => process.exit(failed > 0 ? 1 : 0),
  (e: unknown) => {
    console.error(e);
    console.log('e2e-data: 0 passed, 1 failed');
    process.exit(1);
  },
);
