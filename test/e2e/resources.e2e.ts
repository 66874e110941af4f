import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CoreV1Api } from '@kubernetes/client-node';
import { type Page } from 'playwright-core';
import { createNodeBaseline } from '../support/baseline';
import { adminAndAlice, clusterKubeconfigs, removeSlice } from './cluster';
import { Steps, repoRoot as root, runScenario, withWorkbench } from './harness';
import { runCommand, treeRow as row } from './workbenchHelpers';

/**
 * Resources against limits in the real workbench, as alice on the local cluster (whose metrics-server
 * serves metrics.k8s.io): Create Slice, expand it and its fork; the pod row shows the app container's
 * CPU and memory against its limits, the Quota row the quota use, the pod's tooltip every container.
 * Pictures: media/screenshots/pod-resources.png (the slice's rows) and pod-resources-tooltip.png, and
 * the whole page in .run/e2e-resources/screenshots.
 *
 *   source scripts/env.sh && node esbuild.config.mjs --tests
 *   npx --no-install vsce package --no-dependencies --no-rewrite-relative-links --out dist/slice.vsix
 *   node out/test/e2e/resources.e2e.js
 */
const FIGURES = /cpu \d+m\/\d+m · mem [\d.]+\/\d+ Mi/;

async function main(): Promise<number> {
  const steps = new Steps();
  const kube = clusterKubeconfigs();
  if (!kube) {
    steps.skip('resources in the workbench', 'no local cluster (npm run cluster:up)');
    return steps.summary('e2e-resources');
  }
  const { admin, alice } = adminAndAlice(kube);
  const id = Date.now().toString(36);
  const baseline = `e2e-res-${id}`;
  const workspace = mkdtempSync(join(tmpdir(), 'slice-e2e-res-'));
  writeFileSync(join(workspace, 'server.js'), "require('http').createServer((q, s) => s.end('ok')).listen(8080);\n");
  writeFileSync(join(workspace, 'slice.yaml'), `baseline: ${baseline}\nname: resources\nttl: 1h\nresources:\n  cpu: "2"\n  memory: 1Gi\n  pods: 6\nforks:\n  - workload: checkout\n    container: app\n    sync:\n      local: .\n      container: /app\n`);
  await removeSlice(admin, 'alice-resources');
  await createNodeBaseline(admin, baseline);
  const kubeconfigFile = join(workspace, '..', `alice-${id}.kubeconfig`);
  writeFileSync(kubeconfigFile, alice.exportConfig());
  const media = join(root, 'media', 'screenshots');
  mkdirSync(media, { recursive: true });

  try {
    await withWorkbench({ name: 'e2e-resources', settings: { 'slice.kubeconfig': kubeconfigFile } }, async (wb) => {
      const { page, shot, onFail } = wb;
      wb.installExtension();

      const ready = await steps.step('Create Slice: the slice turns Ready in the tree', async () => {
        await wb.open(workspace);
        await wb.openSliceView();
        await row(page, baseline).waitFor({ timeout: 60_000 });
        await runCommand(page, 'Slice: Create Slice');
        const input = page.locator('.quick-input-widget input');
        await input.waitFor({ timeout: 15_000 });
        for (let i = 0; i < 100 && (await input.inputValue()).startsWith('>'); i++) await page.waitForTimeout(100);
        await page.keyboard.press('Enter');
        await page.locator('.notifications-toasts', { hasText: 'Slice resources is ready' }).waitFor({ timeout: 180_000 });
        await page.keyboard.press('Escape');
        await row(page, /^resources\s*Ready/).waitFor({ timeout: 30_000 });
      }, onFail);

      if (ready) {
        await steps.step('the fork\'s pod row shows CPU and memory against its limits; the Quota row the quota use', async () => {
          await widenSideBar(page, 640);
          await row(page, /^resources\s*Ready/).click();
          await row(page, 'Quota').waitFor({ timeout: 30_000 });
          await row(page, /checkout.*fork · 1\/1 ready/).click();
          // metrics-server reports a pod about one resolution (15 s) after it starts; the view re-reads every 15 s
          await row(page, FIGURES).waitFor({ timeout: 90_000 });
          await page.mouse.move(1200, 800);
          await page.waitForTimeout(1000);
          await shot('20-pod-resources');
          await rowsPicture(page, join(media, 'pod-resources.png'), /^resources\s*Ready/, FIGURES);
        }, onFail);

        await steps.step('the pod row\'s tooltip lists every container against its limits', async () => {
          await row(page, FIGURES).hover();
          const hover = page.locator('.monaco-hover, .workbench-hover', { hasText: 'CPU and memory against limits' }).first();
          await hover.waitFor({ timeout: 15_000 });
          await shot('21-pod-resources-tooltip');
          const box = await hover.boundingBox();
          const pane = await page.locator('.part.sidebar').boundingBox();
          if (box && pane) {
            const x = pane.x;
            const y = Math.max(0, box.y - 40);
            await page.screenshot({ path: join(media, 'pod-resources-tooltip.png'), clip: { x, y, width: Math.min(1280, box.x + box.width - x + 10), height: box.height + 60 } });
          }
        }, onFail);
      }
    });
  } finally {
    await removeSlice(admin, 'alice-resources');
    await admin.makeApiClient(CoreV1Api).deleteNamespace({ name: baseline }).catch(() => undefined);
  }
  return steps.summary('e2e-resources');
}

/** Drags the side bar's edge so that it is `width` wide (the pod row's description is long). */
async function widenSideBar(page: Page, width: number): Promise<void> {
  const bar = await page.locator('.part.sidebar').boundingBox();
  if (!bar || bar.width >= width) return;
  const y = bar.y + bar.height / 2;
  await page.mouse.move(bar.x + bar.width + 1, y);
  await page.mouse.down();
  await page.mouse.move(bar.x + width, y, { steps: 8 });
  await page.mouse.up();
  await page.waitForTimeout(300);
}

/** A picture of the side bar from the row matching `from` to the row matching `to`, as wide as the side bar. */
async function rowsPicture(page: Page, file: string, from: RegExp, to: RegExp): Promise<void> {
  const first = await row(page, from).boundingBox();
  const last = await row(page, to).boundingBox();
  const bar = await page.locator('.part.sidebar').boundingBox();
  if (!first || !last || !bar) throw new Error('the slice\'s rows are not on screen');
  await page.screenshot({ path: file, clip: { x: bar.x, y: first.y - 4, width: bar.width, height: last.y + last.height - first.y + 8 } });
}

runScenario('e2e-resources', main);
