import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CoreV1Api } from '@kubernetes/client-node';
import { createNodeBaseline } from '../support/baseline';
import { adminAndAlice, clusterKubeconfigs, removeSlice } from './cluster';
import { Steps, runScenario, withWorkbench } from './harness';
import { runCommand, runSliceCommand, treeRow as row } from './workbenchHelpers';

/**
 * A developer's slice from the editor, in the real workbench against the real cluster, as alice:
 * Create Slice from slice.yaml, the tree with the slice Ready (quota use, fork, pod), Verify
 * Isolation's report, Delete Slice with its confirmation. Screenshots in .run/e2e-slices/screenshots.
 */
async function main(): Promise<number> {
  const steps = new Steps();
  const kube = clusterKubeconfigs();
  if (!kube) {
    steps.skip('slices in the workbench', 'no local cluster (npm run cluster:up)');
    return steps.summary('e2e-slices');
  }
  const { admin, alice } = adminAndAlice(kube);
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
  const kubeconfigFile = join(workspace, '..', `alice-${id}.kubeconfig`);
  writeFileSync(kubeconfigFile, alice.exportConfig());

  try {
    await withWorkbench({ name: 'e2e-slices', settings: { 'slice.kubeconfig': kubeconfigFile } }, async (wb) => {
      const { page, shot, onFail } = wb;
      wb.installExtension();

      await steps.step('the Environments view shows alice\'s context and the baseline', async () => {
        await wb.open(workspace);
        await wb.openSliceView();
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
        await runSliceCommand(page, 'Slice: Verify Isolation', 'checkout-fix');
        await page.locator('.notifications-toasts', { hasText: /Isolation of slice checkout-fix: \d+ passed, 0 failed/ }).waitFor({ timeout: 180_000 });
        await page.locator('.tab', { hasText: /isolation-slice-alice-checkout-fix/ }).first().waitFor({ timeout: 30_000 });
        await page.waitForTimeout(4000);
        await shot('12-verify-isolation-report');
      }, onFail);

      await steps.step('Delete Slice asks first, then the slice disappears', async () => {
        // The QuickPick can open inert while the isolation report's preview takes focus: runSliceCommand tries again.
        await runSliceCommand(page, 'Slice: Delete Slice', 'checkout-fix');
        const dialog = page.locator('.monaco-dialog-box', { hasText: 'Delete slice checkout-fix?' });
        await dialog.waitFor({ timeout: 15_000 });
        await shot('13-delete-confirmation');
        await dialog.locator('.monaco-button', { hasText: 'Delete' }).first().click();
        await page.locator('.notifications-toasts', { hasText: 'Slice checkout-fix is deleted' }).waitFor({ timeout: 180_000 });
        await row(page, 'checkout-fix').waitFor({ state: 'detached', timeout: 30_000 });
      }, onFail);
    });
  } finally {
    await admin.makeApiClient(CoreV1Api).deleteNamespace({ name: baseline }).catch(() => undefined);
  }
  return steps.summary('e2e-slices');
}

runScenario('e2e-slices', main);
