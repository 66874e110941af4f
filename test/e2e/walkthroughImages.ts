import { cpSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Page } from 'playwright-core';
import { adminAndAlice, clusterKubeconfigs, removeSlice } from './cluster';
import { Steps, repoRoot as root, runScenario, withWorkbench } from './harness';
import { runCommand, runSliceCommand, treeRow as row } from './workbenchHelpers';

/**
 * Makes the walkthrough images of the Environments view (media/walkthrough/create-slice.png and
 * start-sync.png) in the real workbench, as alice on the sample shop: Create Slice `demo` (a fork of
 * orders), then Start Sync. The cluster is shared: test runs and benchmarks of others leave baselines
 * and slices that would crowd the tree, so right before each picture the rows of every environment
 * other than `shop` and `demo` are taken out of the view (and the rest moved up), as a crop would.
 *
 *   source scripts/env.sh && node esbuild.config.mjs --tests
 *   npx --no-install vsce package --no-dependencies --no-rewrite-relative-links --out /tmp/slice-walkthrough.vsix
 *   SLICE_VSIX=/tmp/slice-walkthrough.vsix node out/test/e2e/walkthroughImages.js [outDir]
 *
 * outDir defaults to media/walkthrough. Slice `alice-demo` is removed at the end (and before, if an
 * interrupted run left it).
 */
const SLICE = 'demo';
const KEEP = ['shop', SLICE];
const WIDTH = 300;

async function main(): Promise<number> {
  const steps = new Steps();
  const kube = clusterKubeconfigs();
  if (!kube) {
    steps.skip('the walkthrough images', 'no local cluster (npm run cluster:up)');
    return steps.summary('walkthrough-images');
  }
  const outDir = process.argv[2] ?? join(root, 'media', 'walkthrough');
  mkdirSync(outDir, { recursive: true });
  const { admin, alice } = adminAndAlice(kube);
  const objectName = `alice-${SLICE}`;
  await removeSlice(admin, objectName);
  const workspace = mkdtempSync(join(tmpdir(), 'slice-walkthrough-'));
  cpSync(join(root, 'sample', 'shop'), workspace, { recursive: true, filter: (src) => !src.includes('node_modules') });
  const kubeconfigFile = join(workspace, '..', `alice-walkthrough-${Date.now().toString(36)}.kubeconfig`);
  writeFileSync(kubeconfigFile, alice.exportConfig());

  try {
    await withWorkbench({ name: 'walkthrough-images', settings: { 'slice.kubeconfig': kubeconfigFile } }, async (wb) => {
      const { page, onFail } = wb;
      wb.installExtension();

      const created = await steps.step(`Create Slice ${SLICE}: the tree shows it Ready with its quota, fork and pod (create-slice.png)`, async () => {
        await wb.open(workspace);
        await wb.openSliceView(120_000);
        await row(page, /alice@slice-local.*selected/).waitFor({ timeout: 120_000 });
        await row(page, /^shop\s*baseline/).waitFor({ timeout: 60_000 });
        await runCommand(page, 'Slice: Create Slice');
        const input = page.locator('.quick-input-widget input');
        await input.waitFor({ timeout: 15_000 });
        for (let i = 0; i < 100 && (await input.inputValue()).startsWith('>'); i++) await page.waitForTimeout(100);
        await input.fill(SLICE);
        await page.keyboard.press('Enter');
        await page.locator('.notifications-toasts', { hasText: `Slice ${SLICE} is ready` }).waitFor({ timeout: 240_000 });
        await page.keyboard.press('Escape');
        await row(page, new RegExp(`^${SLICE}\\s*Ready`)).click();
        await row(page, /orders.*fork · 1\/1 ready/).click();
        await row(page, /orders-[a-z0-9]+-[a-z0-9]+.*Running/).waitFor({ timeout: 60_000 });
        await picture(page, join(outDir, 'create-slice.png'), 215);
      }, onFail);

      if (created) {
        await steps.step('Start Sync: the fork row says it is syncing (start-sync.png)', async () => {
          await runSliceCommand(page, 'Slice: Start Sync', SLICE);
          await row(page, /orders.*fork · 1\/1 ready.*syncing/).waitFor({ timeout: 120_000 });
          await picture(page, join(outDir, 'start-sync.png'), 215);
        }, onFail);
      }
    });
  } finally {
    await removeSlice(admin, objectName);
  }
  return steps.summary('walkthrough-images');
}

/**
 * A picture of the top of the Environments view, WIDTH wide and `height` high, with only the
 * environments in KEEP. The tree draws its rows again on every refresh: taken again (up to five
 * times) until the rows left out are still out when the picture is done.
 */
async function picture(page: Page, file: string, height: number): Promise<void> {
  await page.mouse.move(1200, 800);
  await page.waitForTimeout(1_000);
  const pane = page.locator('.part.sidebar .pane', { has: page.locator('.pane-header', { hasText: 'Environments' }) }).first();
  for (let attempt = 1; ; attempt++) {
    await page.evaluate<boolean>(arrange(KEEP, 'hide'));
    const box = await pane.boundingBox();
    if (!box) throw new Error('the Environments view is not on screen');
    await page.screenshot({ path: file, clip: { x: box.x, y: box.y, width: Math.min(WIDTH, box.width), height: Math.min(height, box.height) } });
    const clean = await page.evaluate<boolean>(arrange(KEEP, 'check'));
    await page.evaluate<boolean>(arrange(KEEP, 'restore'));
    if (clean) return;
    if (attempt >= 5) throw new Error(`the Environments view kept drawing its rows again; no clean picture`);
    await page.waitForTimeout(1_000);
  }
}

/**
 * Runs in the page: finds the rows of the Environments view; those of an environment (level 2) not in
 * `keep`, with their children, are hidden and the rest moved up into their places (`hide`); or only
 * checked; or put back as the tree drew them (`restore`, for the rows the tree has not drawn again since).
 * `check` and `restore` answer true when the tree has drawn no row again since `hide`.
 */
function arrange(keep: readonly string[], mode: 'hide' | 'check' | 'restore'): string {
  return `(() => {
  const keep = ${JSON.stringify(keep)};
  const pane = [...document.querySelectorAll('.part.sidebar .pane')].find((p) => p.querySelector('.pane-header')?.textContent?.includes('Environments'));
  const rows = [...(pane ? pane.querySelectorAll('.monaco-list-row') : [])].sort((a, b) => parseFloat(a.style.top) - parseFloat(b.style.top));
  const shown = [];
  const others = [];
  let other = false;
  for (const r of rows) {
    const level = Number(r.getAttribute('aria-level'));
    if (level <= 2) other = level === 2 && !keep.includes((r.querySelector('.label-name')?.textContent ?? '').trim());
    (other ? others : shown).push(r);
  }
  const mode = '${mode}';
  const label = (r) => (r.querySelector('.label-name')?.textContent ?? '').trim();
  if (mode === 'hide') {
    let top = shown.length > 0 ? parseFloat(shown[0].style.top) : 0;
    for (const r of rows) {
      r.dataset.sliceDrawnTop = r.style.top;
      r.dataset.sliceDrawnDisplay = r.style.display;
      r.dataset.sliceLabel = label(r);
    }
    for (const r of others) {
      r.style.display = 'none';
      r.dataset.sliceSetTop = r.style.top;
    }
    for (const r of shown) {
      r.style.top = top + 'px';
      r.dataset.sliceSetTop = r.style.top;
      top += r.offsetHeight;
    }
    return true;
  }
  // the rows as 'hide' left them: same labels, same places; no row drawn since
  const untouched = rows.every((r) => r.dataset.sliceSetTop === r.style.top && r.dataset.sliceLabel === label(r));
  if (mode === 'restore') {
    for (const r of rows) {
      if (r.dataset.sliceSetTop === r.style.top && r.dataset.sliceDrawnTop !== undefined) r.style.top = r.dataset.sliceDrawnTop;
      if (r.dataset.sliceDrawnDisplay !== undefined) r.style.display = r.dataset.sliceDrawnDisplay;
      for (const k of ['sliceSetTop', 'sliceDrawnTop', 'sliceDrawnDisplay', 'sliceLabel']) delete r.dataset[k];
    }
  }
  return untouched;
})()`;
}

runScenario('walkthrough-images', main);
