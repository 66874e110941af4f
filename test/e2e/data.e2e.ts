import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildProbeImage, createDataBaseline } from '../cluster/data/dataFixture';
import { alice, cleanup, createSlice, getSlice, sliceBody, waitForPhase } from '../cluster/slices/sliceFixture';
import { clusterKubeconfigs } from './cluster';
import { Steps, runScenario, withWorkbench } from './harness';
import { contextMenuAction, treeRow as row } from './workbenchHelpers';

/**
 * A slice's data branch in the real workbench, as alice: the Environments tree shows the slice's
 * database and its size, and Reset Data from Baseline (context menu of the data row) asks first, then
 * re-branches. Screenshots in .run/e2e-data/screenshots.
 */
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

  try {
    await waitForPhase(sliceName, ['Ready'], 240_000);
    await withWorkbench({ name: 'e2e-data', settings: { 'slice.kubeconfig': kubeconfigFile } }, async (wb) => {
      const { page, shot, onFail } = wb;
      wb.installExtension();

      await steps.step("the slice row expands to its data branch: database, size, baseline", async () => {
        await wb.open(workspace);
        await wb.openSliceView();
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
        await contextMenuAction(page, row(page, /shop data/), 'Reset Data from Baseline', dialog);
        await shot('21-reset-data-confirmation');
        await dialog.locator('.monaco-button', { hasText: 'Reset Data' }).first().click();
        await page.locator('.part.statusbar', { hasText: `The data of slice db-e2e-${id} is reset from the baseline` }).waitFor({ timeout: 120_000 });
        const after = (await getSlice(sliceName))?.status?.data?.[0]?.branchedAt;
        if (!after || after === before) throw new Error(`branchedAt did not change (${before} → ${after})`);
        await page.waitForTimeout(500);
        await shot('22-reset-data-done');
      }, onFail);
    });
  } finally {
    await cleanup([sliceName], baseline);
  }
  return steps.summary('e2e-data');
}

runScenario('e2e-data', main);
