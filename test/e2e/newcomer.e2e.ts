import { cpSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AppsV1Api, CoreV1Api, CustomObjectsApi } from '@kubernetes/client-node';
import { type Locator, type Page } from 'playwright-core';
import { type KubeContext } from '../../src/core/cluster/environments';
import { KubeClients } from '../../src/platform/kube/kubeClients';
import { podsOf } from '../../src/core/cluster/workloadSummary';
import { WorkloadClient } from '../../src/platform/kube/workloads';
import { adminAndAlice, clusterKubeconfigs, removeSlice } from './cluster';
import { Steps, type Workbench, repoRoot as root, runScenario, withWorkbench } from './harness';
import { afterTexts, goToLine, quickOpen, runCommand, runSliceCommand, treeRow as row } from './workbenchHelpers';

/**
 * The newcomer's first ten minutes, in the real workbench against the real cluster, as alice on the
 * sample shop (sample/shop, baseline namespace shop): Create Slice from the command palette (a fork
 * of orders), the tree shows it Ready, Start Sync, edit a handler and save, the fork serves the new
 * code (checked through the Kubernetes API), Send Request to Workload, the CodeLens and the inline
 * error (live telemetry), Delete Slice. Screenshots in .run/e2e-newcomer/screenshots.
 */
const HANDLERS = join('services', 'orders', 'src', 'handlers.js');

async function main(): Promise<number> {
  const steps = new Steps();
  const kube = clusterKubeconfigs();
  if (!kube) {
    steps.skip('the newcomer scenario', 'no local cluster (npm run cluster:up)');
    return steps.summary('e2e-newcomer');
  }
  const { admin, alice } = adminAndAlice(kube);
  const crd = await admin.makeApiClient(CustomObjectsApi).listClusterCustomObject({ group: 'slice.dev', version: 'v1alpha1', plural: 'slices' }).then(() => true, () => false);
  if (!crd) {
    steps.skip('the newcomer scenario', 'the Slice platform bundle is not installed (npm run platform:install)');
    return steps.summary('e2e-newcomer');
  }
  const orders = await admin.makeApiClient(AppsV1Api).readNamespacedDeployment({ namespace: 'shop', name: 'orders' }).then((d) => (d.status?.readyReplicas ?? 0) > 0, () => false);
  if (!orders) {
    steps.skip('the newcomer scenario', 'the sample baseline is not deployed (npm run sample:deploy, or npm start)');
    return steps.summary('e2e-newcomer');
  }

  const id = Date.now().toString(36).slice(-6);
  const sliceName = `nc-${id}`;
  const objectName = `alice-${sliceName}`;
  const namespace = `slice-${objectName}`;
  const marker = `newcomer-${id}`;
  // The workspace is a copy of the sample, so the edit never touches the repository.
  const workspace = mkdtempSync(join(tmpdir(), 'slice-e2e-newcomer-'));
  cpSync(join(root, 'sample', 'shop'), workspace, { recursive: true, filter: (src) => !src.includes('node_modules') });
  const kubeconfigFile = join(workspace, '..', `alice-newcomer-${id}.kubeconfig`);
  writeFileSync(kubeconfigFile, alice.exportConfig());
  const aliceContext: KubeContext = { name: alice.getCurrentContext(), cluster: alice.getCurrentCluster()?.name ?? '', user: alice.getCurrentUser()?.name ?? '' };
  const workloads = new WorkloadClient(new KubeClients(() => alice, () => 15_000));

  try {
    await withWorkbench({ name: 'e2e-newcomer', settings: { 'slice.kubeconfig': kubeconfigFile, 'editor.stickyScroll.enabled': false } }, async (wb) => {
      const { page, shot, onFail } = wb;
      wb.installExtension();

      const opened = await steps.step('the Slice view shows alice\'s cluster and the sample baseline shop', async () => {
        await wb.open(workspace);
        await wb.openSliceView(120_000);
        await row(page, /alice@slice-local.*selected/).waitFor({ timeout: 120_000 });
        await row(page, /^shop\s*baseline/).waitFor({ timeout: 60_000 });
        await shot('n1-sidebar');
      }, onFail);

      const created = opened && (await steps.step('Create Slice from the command palette forks orders, and the tree shows the slice Ready', async () => {
        await runCommand(page, 'Slice: Create Slice');
        const input = page.locator('.quick-input-widget input');
        await input.waitFor({ timeout: 15_000 });
        for (let i = 0; i < 100 && (await input.inputValue()).startsWith('>'); i++) await page.waitForTimeout(100);
        await input.fill(sliceName);
        await page.keyboard.press('Enter');
        await page.locator('.notifications-toasts', { hasText: `Creating slice ${sliceName}` }).waitFor({ timeout: 30_000 });
        await page.locator('.notifications-toasts', { hasText: `Slice ${sliceName} is ready` }).waitFor({ timeout: 240_000 });
        await row(page, new RegExp(`${sliceName}.*Ready`)).click();
        await row(page, /orders.*fork · 1\/1 ready/).click();
        await row(page, /orders-[a-z0-9]+-[a-z0-9]+.*Running/).waitFor({ timeout: 30_000 });
        await page.locator('.statusbar-item', { hasText: sliceName }).first().waitFor({ timeout: 30_000 });
        await page.waitForTimeout(500);
        await shot('n2-slice-ready');
      }, onFail));

      const syncing = created && (await steps.step('Start Sync mirrors services/orders into the fork; the fork row says so', async () => {
        await runSliceCommand(page, 'Slice: Start Sync', sliceName);
        await row(page, /orders.*fork · 1\/1 ready.*syncing/).waitFor({ timeout: 120_000 });
      }, onFail));

      const edited = syncing && (await steps.step('editing a handler and saving puts the new code into the fork, which serves it (checked through the API)', async () => {
        const lines = readFileSync(join(workspace, HANDLERS), 'utf8').split('\n');
        const line = lines.findIndex((l) => l.includes('no order ${params.id}')) + 1;
        if (line < 1) throw new Error(`${HANDLERS} has no "no order \${params.id}" line to edit`);
        await quickOpen(page, 'handlers.js', 15_000);
        await page.locator('.tab.active', { hasText: 'handlers.js' }).waitFor({ timeout: 15_000 });
        await page.locator('.monaco-editor .view-lines').first().click();
        await goToLine(page, line);
        await page.keyboard.press('End');
        for (let i = 0; i < 3; i++) await page.keyboard.press('ArrowLeft');
        await page.keyboard.type(` (${marker})`);
        await page.keyboard.press('Control+S');
        for (let i = 0; i < 100 && !readFileSync(join(workspace, HANDLERS), 'utf8').includes(marker); i++) await page.waitForTimeout(100);
        if (!readFileSync(join(workspace, HANDLERS), 'utf8').includes(marker)) throw new Error('the save did not reach the file');
        await shot('n3-handler-edited');
        let last = '';
        for (let i = 0; i < 60; i++) {
          const { workloads: all, pods } = await workloads.workloads(aliceContext, namespace);
          const fork = all.find((w) => w.forkOf === 'orders');
          const pod = fork ? podsOf(fork, pods).find((p) => p.ready) : undefined;
          if (fork?.port && pod) {
            const answer = await workloads.httpRequest(aliceContext, namespace, pod.name, fork.port, '/orders/999999').catch((e: unknown) => ({ status: 0, body: String(e) }));
            last = `${answer.status} ${answer.body}`;
            if (answer.body.includes(marker)) return;
          }
          await new Promise((r) => setTimeout(r, 1000));
        }
        throw new Error(`the fork does not serve the edited handler after 60 s; last answer: ${last.slice(0, 300)}`);
      }, onFail));

      if (edited) {
        await steps.step('Send Request to Workload from the palette shows the fork\'s answer', async () => {
          // One retry, as a user would press Retry: a port-forward can stall on a loaded machine.
          if (await sendRequest(wb, sliceName, marker).then(() => true, () => false)) return;
          await page.keyboard.press('Escape');
          await runCommand(page, 'Notifications: Clear All Notifications').catch(() => undefined);
          await sendRequest(wb, sliceName, marker);
        }, onFail);
      } else {
        steps.skip('Send Request to Workload from the palette shows the fork\'s answer', 'the edited handler is not served');
      }

      const lensStep = 'a CodeLens with latency over the handler, and the 404 it answers on purpose not shown as an error (live telemetry, streamed with sync)';
      if (!liveTelemetryCommand()) {
        steps.skip(lensStep, 'the live telemetry path has no editor command yet (no "Slice: Stream Telemetry" in package.json); telemetry.e2e.ts checks CodeLens and errors from a recorded file');
      } else if (!edited) {
        steps.skip(lensStep, 'the edited handler is not served');
      } else {
        await steps.step(lensStep, async () => {
          await page.locator('.tabs-container .tab', { hasText: 'handlers.js' }).first().click();
          const throwLine = readFileSync(join(workspace, HANDLERS), 'utf8').split('\n').findIndex((l) => l.includes(marker)) + 1;
          await goToLine(page, throwLine);
          // The 404 is the handler's own answer (HttpError(404)), not an exception: no inline error and
          // no error count (issue 20 item 8); the lens over getOrder counts the calls.
          const lens = page.locator('.monaco-editor .codelens-decoration', { hasText: /⏱ p95 .*n=\d/ }).first();
          await lens.waitFor({ state: 'attached', timeout: 90_000 });
          // The editor hides content widgets outside the viewport: bring the lens's line into view.
          for (const l of [throwLine - 6, 1]) {
            if (await lens.isVisible()) break;
            await goToLine(page, Math.max(1, l));
            await lens.waitFor({ state: 'visible', timeout: 2000 }).catch(() => undefined);
          }
          // Which function the lens sits over: the first line rendered below it.
          const over = await lineBelow(page, lens);
          console.log(`    CodeLens "${(await lens.textContent()) ?? ''}" over: ${over.trim()}`);
          if (!/\bgetOrder\b/.test(over)) throw new Error(`the CodeLens sits over "${over.trim()}", not over the getOrder handler`);
          if (/error/.test((await lens.textContent()) ?? '')) throw new Error(`the handler's 404 was counted as an error: ${(await lens.textContent()) ?? ''}`);
          await goToLine(page, throwLine);
          const texts = await afterTexts(page);
          if (texts.some((t) => t.includes('no order 999999'))) throw new Error(`the 404 the handler answered on purpose shows as an inline error: ${JSON.stringify(texts)}`);
          await page.waitForTimeout(300);
          await shot('n6-codelens');
        }, onFail);
        await steps.step('the Traces & Errors view has a row for the live session (orders, streaming, its counts) and the state beside its title', async () => {
          const pane = page.locator('.pane', { has: page.locator('.pane-header', { hasText: 'Traces & Errors' }) });
          const header = pane.locator('.pane-header').first();
          if ((await header.getAttribute('aria-expanded')) === 'false') await header.click();
          await header.locator('.description', { hasText: /^streaming/ }).waitFor({ timeout: 30_000 });
          const live = pane.locator('.monaco-list-row', { hasText: /orders\s*streaming · [\d,]+ payloads? · [\d,]+ log lines?/ }).first();
          await live.waitFor({ timeout: 30_000 });
          await live.hover();
          await page.waitForTimeout(1200); // the row's tooltip and its inline Stop Telemetry action
          await shot('n6b-traces-live-session');
        }, onFail);
      }

      if (created) {
        await steps.step('Delete Slice asks first, then the slice disappears', async () => {
          await runSliceCommand(page, 'Slice: Delete Slice', sliceName);
          const dialog = page.locator('.monaco-dialog-box', { hasText: `Delete slice ${sliceName}?` });
          await dialog.waitFor({ timeout: 15_000 });
          await shot('n7-delete-confirmation');
          await dialog.locator('.monaco-button', { hasText: 'Delete' }).first().click();
          await page.locator('.notifications-toasts', { hasText: `Slice ${sliceName} is deleted` }).waitFor({ timeout: 180_000 });
          await row(page, sliceName).waitFor({ state: 'detached', timeout: 30_000 });
        }, onFail);
      }
    });
  } finally {
    await removeSlice(admin, objectName);
    await admin.makeApiClient(CoreV1Api).deleteNamespace({ name: namespace }).catch(() => undefined);
  }
  return steps.summary('e2e-newcomer');
}

/** The text of the first editor line rendered below an element (the line a CodeLens sits over). */
async function lineBelow(page: Page, el: Locator): Promise<string> {
  const box = await el.boundingBox();
  if (!box) return '';
  let best: { top: number; text: string } | undefined;
  for (const line of await page.locator('.monaco-editor .view-line').all()) {
    const b = await line.boundingBox();
    if (!b || b.y < box.y + box.height - 1) continue;
    if (!best || b.y < best.top) best = { top: b.y, text: (await line.textContent()) ?? '' };
  }
  return best?.text ?? '';
}

/** The title of the command that streams live telemetry from a fork, when the extension contributes one. */
function liveTelemetryCommand(): string | undefined {
  const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { contributes?: { commands?: { command: string; title: string }[] } };
  const c = pkg.contributes?.commands?.find((x) => /stream.*telemetry|telemetry.*stream/i.test(`${x.command} ${x.title}`));
  return c ? `Slice: ${c.title}` : undefined;
}

/** Send Request to Workload from the palette: GET /orders/999999 answers 404 with the edited message. */
async function sendRequest(wb: Workbench, sliceName: string, marker: string): Promise<void> {
  const page = wb.page;
  await runSliceCommand(page, 'Slice: Send Request to Workload', sliceName);
  const input = page.locator('.quick-input-widget input');
  await input.waitFor({ timeout: 15_000 });
  for (let i = 0; i < 100 && !/^(GET|POST|PUT|PATCH|DELETE|HEAD)?\s*\//i.test(await input.inputValue()); i++) await page.waitForTimeout(100);
  // A request line with a typo is refused in the box, saying what is wrong and what to write.
  await input.fill('FETCH /orders/999999');
  await page.locator('.quick-input-widget .quick-input-message', { hasText: 'FETCH is not a method Send Request knows' }).waitFor({ timeout: 15_000 });
  await wb.shot('n4a-request-line-refused');
  await input.fill('GET /orders/999999');
  await page.keyboard.press('Enter');
  await page.locator('.part.statusbar', { hasText: /orders: GET \/orders\/999999 → 404 in \d+ ms/ }).waitFor({ timeout: 60_000 });
  await page.locator('.part.panel', { hasText: marker }).first().waitFor({ timeout: 15_000 });
  await wb.shot('n4-request-answer');
}

runScenario('e2e-newcomer', main);
