import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { row, runCommand } from './workbenchHelpers';
import { Steps, repoRoot as root, runScenario, scenarioRunDir, withWorkbench } from './harness';
import { clusterKubeconfigs, kubeconfigWithNobody, labelledNamespace } from './cluster';

/**
 * The packaged extension, installed into code-server the way a user installs a .vsix, driven in
 * headless Chromium. Screenshots of every step go to .run/e2e/screenshots (CI keeps them).
 */
async function main(): Promise<number> {
  const steps = new Steps();
  const kube = clusterKubeconfigs();
  // The extension reads one kubeconfig file that the scenario rewrites: the extension's file watcher
  // must pick up every change without a manual refresh. (It lives in the run dir, which code-server's start wipes: write it after.)
  const kubeconfigFile = join(scenarioRunDir('e2e'), 'kubeconfig.yaml');
  const namespace = `e2e-shop-${Date.now().toString(36)}`;
  let cleanup: (() => Promise<void>) | undefined;
  let disposeNobody: (() => Promise<void>) | undefined;
  try {
    await withWorkbench({ name: 'e2e', settings: { 'slice.kubeconfig': kubeconfigFile } }, async (wb) => {
      const { page, shot, onFail } = wb;
      let nobodyContext = '';
      if (kube) {
        const withNobody = await kubeconfigWithNobody(kube, `e2e-nobody-${Date.now().toString(36)}`);
        writeFileSync(kubeconfigFile, withNobody.yaml);
        nobodyContext = withNobody.nobodyContext;
        disposeNobody = withNobody.dispose;
      }
      await steps.step('the .vsix installs into code-server', () => Promise.resolve(wb.installExtension()));
      if (kube) cleanup = await labelledNamespace(kube.admin, kube.all[1]!, namespace);

      await steps.step('the workbench opens the sample workspace', async () => {
        await wb.open(join(root, 'test', 'workspace'));
        await page.locator('.explorer-folders-view .monaco-list-row', { hasText: 'README.md' }).waitFor({ timeout: 60_000 });
      }, onFail);

      await steps.step('the Slice view container opens from the activity bar', async () => {
        await wb.openSliceView();
        await page.locator('.pane-header[aria-label^="Environments"]').waitFor({ state: 'attached', timeout: 30_000 });
        await page.locator('.part.sidebar .composite.title', { hasText: /Slice/i }).waitFor({ timeout: 30_000 });
      }, onFail);

      if (kube) {
        await steps.step('the tree lists the kubeconfig contexts and the selected cluster\'s baseline', async () => {
          for (const name of kube.contextNames) await row(page, name).waitFor({ timeout: 30_000 });
          await row(page, namespace).waitFor({ timeout: 30_000 });
          await row(page, 'checkout-fix').waitFor({ timeout: 30_000 });
          await shot('01-environments-tree');
        }, onFail);

        await steps.step('Select Cluster offers every context in a QuickPick; an identity without rights is refused clearly', async () => {
          await runCommand(page, 'Slice: Select Cluster');
          const picks = page.locator('.quick-input-widget .quick-input-list .monaco-list-row');
          await picks.first().waitFor({ timeout: 15_000 });
          await shot('02-select-cluster');
          await page.locator('.quick-input-widget input').fill(nobodyContext);
          await page.keyboard.press('Enter');
          await page.locator('.welcome-view-content', { hasText: 'may not list namespaces' }).waitFor({ timeout: 30_000 });
          const toast = page.locator('.notifications-toasts .notification-toast', { hasText: 'may not list namespaces' });
          await toast.waitFor({ timeout: 15_000 });
          const text = await toast.innerText();
          if (/\bat\s+\S+\s+\(/.test(text)) throw new Error(`the notification shows a stack trace: ${text}`);
          await page.waitForTimeout(500);
          await shot('03-forbidden-cluster');
        }, onFail);

        await steps.step('switching back to the admin context shows the environments again', async () => {
          await runCommand(page, 'Slice: Select Cluster');
          await page.locator('.quick-input-widget input').fill(kube.contextNames.find((n) => /admin/.test(n))!);
          await page.keyboard.press('Enter');
          await row(page, namespace).waitFor({ timeout: 30_000 });
        }, onFail);
      } else {
        steps.skip('the tree lists the kubeconfig contexts and the selected cluster\'s baseline', 'no local cluster (npm run cluster:up)');
      }

      await steps.step('an unreachable cluster shows its welcome view with Retry, and a clear message', async () => {
        writeFileSync(kubeconfigFile, ['apiVersion: v1', 'kind: Config', 'current-context: offline', 'clusters:', '- name: offline', '  cluster:', '    server: https://127.0.0.1:9', 'users:', '- name: me', '  user:', '    token: x', 'contexts:', '- name: offline', '  context:', '    cluster: offline', '    user: me', ''].join('\n'));
        await page.locator('.welcome-view-content', { hasText: 'Cannot reach the cluster' }).waitFor({ timeout: 30_000 });
        await page.locator('.welcome-view-content .monaco-button', { hasText: 'Retry' }).first().click();
        // Retry is an explicit action: its failure comes back as a notification that says what happened.
        const toast = page.locator('.notifications-toasts .notification-toast', { hasText: 'the connection was refused' });
        await toast.waitFor({ timeout: 15_000 });
        await page.waitForTimeout(400);
        await shot('04-unreachable');
      }, onFail);

      await steps.step('no kubeconfig shows its welcome view with Open Settings', async () => {
        rmSync(kubeconfigFile, { force: true });
        await page.locator('.welcome-view-content', { hasText: 'No kubeconfig was found' }).waitFor({ timeout: 30_000 });
        await shot('05-no-kubeconfig');
      }, onFail);

      await steps.step('Show Logs opens the Slice log', async () => {
        await runCommand(page, 'Slice: Show Logs');
        await page.locator('.part.panel', { hasText: 'no kubeconfig found' }).waitFor({ timeout: 15_000 });
        await shot('06-logs');
      }, onFail);
    });
  } finally {
    await cleanup?.().catch((e: unknown) => console.error(`cleanup: ${String(e)}`));
    await disposeNobody?.().catch((e: unknown) => console.error(`cleanup: ${String(e)}`));
  }
  return steps.summary('e2e');
}

runScenario('e2e', main);
