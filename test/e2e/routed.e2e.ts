import { cpSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AppsV1Api, CoreV1Api, CustomObjectsApi } from '@kubernetes/client-node';
import { type FrameLocator, type Locator, type Page } from 'playwright-core';
import { ENTRY_NAME } from '../../src/core/routing/entry';
import { adminAndAlice, clusterKubeconfigs, removeSlice } from './cluster';
import { Steps, repoRoot as root, runScenario, withWorkbench } from './harness';
import { runCommand, runSliceCommand, treeRow as row } from './workbenchHelpers';

/**
 * Issue 22 in the real workbench against the real cluster, as alice on the sample shop (the
 * newcomer's workspace, sample/shop, whose slice.yaml forks orders): Create Slice, Stream
 * Telemetry, Open Baseline Through My Slice (a local port forwarded to the slice's entry, which adds
 * alice's routing key), an order placed in the storefront page opened there (the baseline's
 * storefront calls alice's fork of orders, which calls the baseline's inventory), then the whole
 * trace in the Traces & Errors view and its waterfall, each row saying whose span it is (the shared
 * baseline's or the fork's), and the fork's span counted on alice's code (the CodeLens over
 * createOrder). Screenshots in .run/e2e-routed/screenshots.
 */
const HANDLERS = join('services', 'orders', 'src', 'handlers.js');

async function main(): Promise<number> {
  const steps = new Steps();
  const kube = clusterKubeconfigs();
  if (!kube) {
    steps.skip('the routed-trace scenario', 'no local cluster (npm run cluster:up)');
    return steps.summary('e2e-routed');
  }
  const { admin, alice } = adminAndAlice(kube);
  const crd = await admin.makeApiClient(CustomObjectsApi).listClusterCustomObject({ group: 'slice.dev', version: 'v1alpha1', plural: 'slices' }).then(() => true, () => false);
  const collector = await admin.makeApiClient(AppsV1Api).readNamespacedDeployment({ namespace: 'slice-system', name: 'slice-otelcol' }).then((d) => (d.status?.readyReplicas ?? 0) > 0, () => false);
  if (!crd || !collector) {
    steps.skip('the routed-trace scenario', 'the Slice platform bundle with its collector is not installed (npm run platform:install)');
    return steps.summary('e2e-routed');
  }
  const shop = await admin.makeApiClient(CoreV1Api).readNamespace({ name: 'shop' }).then((n) => n.metadata?.annotations?.['slice.dev/entry'], () => undefined);
  const storefront = await admin.makeApiClient(AppsV1Api).readNamespacedDeployment({ namespace: 'shop', name: 'storefront' }).then((d) => (d.status?.readyReplicas ?? 0) > 0, () => false);
  if (shop !== 'storefront' || !storefront) {
    steps.skip('the routed-trace scenario', 'the sample baseline with its entry is not deployed (npm run sample:deploy, or npm start)');
    return steps.summary('e2e-routed');
  }

  const id = Date.now().toString(36).slice(-6);
  const sliceName = `rt-${id}`;
  const objectName = `alice-${sliceName}`;
  const namespace = `slice-${objectName}`;
  const workspace = mkdtempSync(join(tmpdir(), 'slice-e2e-routed-'));
  cpSync(join(root, 'sample', 'shop'), workspace, { recursive: true, filter: (src) => !src.includes('node_modules') });
  const kubeconfigFile = join(workspace, '..', `alice-routed-${id}.kubeconfig`);
  writeFileSync(kubeconfigFile, alice.exportConfig());
  const aliceCore = alice.makeApiClient(CoreV1Api);

  try {
    await withWorkbench({ name: 'e2e-routed', settings: { 'slice.kubeconfig': kubeconfigFile, 'editor.stickyScroll.enabled': false, 'editor.minimap.enabled': false } }, async (wb) => {
      const { page, shot, onFail } = wb;
      wb.installExtension();

      const created = await steps.step('Create Slice from the newcomer\'s workspace forks orders; the tree shows it Ready', async () => {
        await wb.open(workspace);
        await wb.openSliceView(120_000);
        await row(page, /alice@slice-local.*selected/).waitFor({ timeout: 120_000 });
        await row(page, /^shop\s*baseline/).waitFor({ timeout: 60_000 });
        await runCommand(page, 'Slice: Create Slice');
        const input = page.locator('.quick-input-widget input');
        await input.waitFor({ timeout: 15_000 });
        for (let i = 0; i < 100 && (await input.inputValue()).startsWith('>'); i++) await page.waitForTimeout(100);
        await input.fill(sliceName);
        await page.keyboard.press('Enter');
        await page.locator('.notifications-toasts', { hasText: `Slice ${sliceName} is ready` }).waitFor({ timeout: 240_000 });
        await row(page, new RegExp(`${sliceName}.*Ready`)).waitFor({ timeout: 30_000 });
        await runCommand(page, 'Notifications: Clear All Notifications').catch(() => undefined);
      }, onFail);

      const streaming = created && (await steps.step('Stream Telemetry from the fork: the Traces & Errors view says it is streaming', async () => {
        await runSliceCommand(page, 'Slice: Stream Telemetry', sliceName);
        const pane = tracesPane(page);
        const header = pane.locator('.pane-header').first();
        if ((await header.getAttribute('aria-expanded')) === 'false') await header.click();
        await pane.locator('.monaco-list-row', { hasText: /orders\s*streaming/ }).first().waitFor({ timeout: 90_000 });
        await runCommand(page, 'Notifications: Clear All Notifications').catch(() => undefined);
      }, onFail));

      let url = '';
      let shopPage: Page | undefined;
      const opened = streaming && (await steps.step('Open Baseline Through My Slice opens the storefront at a local port that adds my routing key', async () => {
        // The controller runs the slice's entry once the slice is Ready; the command explains its absence (checked in unit tests).
        for (let i = 0; i < 120 && !(await entryReady(aliceCore, namespace)); i++) await new Promise((r) => setTimeout(r, 1000));
        const popup = page.context().waitForEvent('page', { timeout: 60_000 }).catch(() => undefined);
        await runSliceCommand(page, 'Slice: Open Baseline Through My Slice', sliceName);
        const toast = page.locator('.notifications-toasts .notification-toast', { hasText: `The baseline is open through slice ${sliceName}` }).first();
        await toast.waitFor({ timeout: 60_000 });
        url = /at (http:\/\/127\.0\.0\.1:\d+\/)/.exec((await toast.textContent()) ?? '')?.[1] ?? '';
        if (!url) throw new Error(`no local URL in the message: ${(await toast.textContent()) ?? ''}`);
        // the whole message in the picture: a long one is shown collapsed until expanded
        await toast.hover();
        await toast.locator('.codicon-notifications-expand').first().click({ timeout: 2000 }).catch(() => undefined);
        await page.waitForTimeout(300);
        await shot('r1-open-baseline-through-slice');
        // code-server opens a loopback address of the extension host through its own path proxy
        // (/proxy/<port>/), where the shop's absolute links (/checkout) leave the proxy: the browser
        // runs on this machine, so it goes to the forwarded address itself, as the message offers.
        const opened = await popup;
        console.log(`    the workbench opened ${opened ? opened.url() : 'no page'}; the command forwards ${url}`);
        shopPage = opened && opened.url() === url ? opened : await page.context().newPage();
        if (shopPage !== opened) {
          await opened?.close();
          await shopPage.goto(url);
        }
        await shopPage.waitForLoadState('domcontentloaded');
        await shopPage.locator('h1', { hasText: 'Slice sample shop' }).waitFor({ timeout: 60_000 });
        await shopPage.screenshot({ path: join(wb.shots, 'r2-storefront-through-slice.png') });
      }, onFail));

      let orderId = '';
      const ordered = opened && (await steps.step('an order placed in that page goes storefront (baseline) → orders (my fork) → inventory (baseline)', async () => {
        const p = shopPage!;
        // The router picks up a new slice's key within seconds of Ready; until then a keyed order is the baseline's.
        let last = '';
        for (let i = 0; i < 30; i++) {
          await p.goto(url);
          const response = p.waitForResponse((r) => new URL(r.url()).pathname === '/checkout', { timeout: 60_000 });
          await p.locator('a', { hasText: /^buy$/ }).first().click();
          last = await (await response).text();
          await p.waitForLoadState('domcontentloaded');
          const answer = parse(last);
          const servedBy = answer?.servedBy?.orders ?? '';
          console.log(`    checkout ${i + 1}: orders served by ${servedBy || '?'}`);
          if (servedBy.startsWith(`${namespace}/`)) {
            orderId = String(answer?.order?.id ?? '?');
            await p.screenshot({ path: join(wb.shots, 'r3-order-placed-through-slice.png') });
            return;
          }
          await p.waitForTimeout(2000);
        }
        throw new Error(`no checkout reached the fork of orders in ${namespace}; last answer: ${last.slice(0, 300)}`);
      }, onFail));

      if (ordered) {
        await steps.step('the whole trace is in the Traces & Errors view and its waterfall: baseline and fork spans told apart, the fork\'s on my code', async () => {
          // my code, beside the waterfall
          const handler = readFileSync(join(workspace, HANDLERS), 'utf8').split('\n').findIndex((l) => l.includes('async function createOrder')) + 1;
          if (handler < 1) throw new Error(`${HANDLERS} has no createOrder handler`);
          // (its handlers are in view as it opens: no Go to Line, whose digits a slow quick input lets into the editor)
          await openFile(page, 'services/orders/src/handlers.js');
          const pane = tracesPane(page);
          const trace = pane.locator('.monaco-list-row', { hasText: /GET \/checkout/ }).first();
          await trace.waitFor({ timeout: 60_000 });
          // The baseline's spans come through the collector, the fork's straight from its agent:
          // open the trace until its waterfall holds all three hops (a click shows the trace as it is then).
          const web = webview(page);
          let rows: string[] = [];
          for (let i = 0; i < 30; i++) {
            await trace.click();
            await web.locator('.row').first().waitFor({ timeout: 30_000 });
            await page.waitForTimeout(500);
            rows = await web.locator('.row').evaluateAll((els: { className: string; textContent: string | null }[]) => els.map((e) => `${e.className} | ${(e.textContent ?? '').replace(/\s+/g, ' ')}`));
            if (['storefront', 'inventory'].every((s) => rows.some((r) => r.includes('baseline') && r.includes(s))) && rows.some((r) => /\bfork\b/.test(r.split('|')[0]!) && r.includes('orders'))) break;
            await page.waitForTimeout(2000);
          }
          console.log(`    waterfall rows:\n      ${rows.join('\n      ')}`);
          const has = (cls: string, text: string) => rows.some((r) => r.split('|')[0]!.split(/\s+/).includes(cls) && r.includes(text));
          if (!has('baseline', 'storefront')) throw new Error('no storefront span marked as the baseline\'s');
          if (!has('fork', 'orders')) throw new Error('no orders span marked as my fork\'s');
          if (!has('baseline', 'inventory')) throw new Error('no inventory span marked as the baseline\'s');
          if (rows.some((r) => r.includes('key lost'))) throw new Error('a hop lost the routing key');
          await web.locator('.summary .origin.baseline').waitFor({ timeout: 5000 });
          if (orderId) console.log(`    order ${orderId}`);

          // the fork's span counted on my code: the CodeLens over createOrder
          await page.locator('.tabs-container .tab', { hasText: 'handlers.js' }).first().click();
          await page.locator('.monaco-editor .codelens-decoration', { hasText: /⏱ p95/ }).first().waitFor({ state: 'visible', timeout: 60_000 });
          if (await page.locator('.tabs-container .tab.dirty').count()) throw new Error('a keystroke reached the editor: handlers.js is modified');
          const lenses: string[] = [];
          let found = '';
          for (const lens of await page.locator('.monaco-editor .codelens-decoration', { hasText: /⏱ p95/ }).all()) {
            const text = ((await lens.textContent()) ?? '').trim();
            const over = (await lineBelow(page, lens)).trim();
            lenses.push(`"${text}" over ${over}`);
            if (/\bcreateOrder\b/.test(over)) found = text;
          }
          console.log(`    CodeLenses: ${lenses.join('; ')}`);
          if (!found) throw new Error(`no CodeLens over the createOrder handler; lenses: ${lenses.join('; ')}`);
          await trace.hover();
          await page.mouse.move(700, 840);
          await page.waitForTimeout(500);
          await shot('r4-routed-trace');
        }, onFail);
      } else {
        steps.skip('the whole trace in the Traces & Errors view and its waterfall', 'no order reached the fork');
      }

      if (created) {
        await steps.step('Delete Slice: the slice and its entry go', async () => {
          await runCommand(page, 'Notifications: Clear All Notifications').catch(() => undefined);
          await runSliceCommand(page, 'Slice: Delete Slice', sliceName);
          const dialog = page.locator('.monaco-dialog-box', { hasText: `Delete slice ${sliceName}?` });
          await dialog.waitFor({ timeout: 15_000 });
          await dialog.locator('.monaco-button', { hasText: 'Delete' }).first().click();
          await page.locator('.notifications-toasts', { hasText: `Slice ${sliceName} is deleted` }).waitFor({ timeout: 180_000 });
        }, onFail);
      }
    });
  } finally {
    await removeSlice(admin, objectName);
  }
  return steps.summary('e2e-routed');
}

function tracesPane(page: Page): Locator {
  return page.locator('.pane', { has: page.locator('.pane-header', { hasText: 'Traces & Errors' }) });
}

/** The content of the trace webview (VS Code nests the page in two iframes). */
function webview(page: Page): FrameLocator {
  return page.frameLocator('iframe.webview.ready').frameLocator('iframe#active-frame');
}

async function entryReady(core: CoreV1Api, namespace: string): Promise<boolean> {
  const pods = await core.listNamespacedPod({ namespace, labelSelector: `app.kubernetes.io/name=${ENTRY_NAME}` }).catch(() => undefined);
  return (pods?.items ?? []).some((p) => p.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True'));
}

interface CheckoutAnswer {
  readonly order?: { readonly id?: string | number };
  readonly servedBy?: { readonly orders?: string };
}

function parse(text: string): CheckoutAnswer | undefined {
  try {
    return JSON.parse(text) as CheckoutAnswer;
  } catch {
    return undefined;
  }
}

/** Quick Open (Ctrl+P) by the file's path in the workspace; waits until its tab is active. */
async function openFile(page: Page, path: string): Promise<void> {
  const slash = path.lastIndexOf('/');
  await page.keyboard.press('Control+P');
  const input = page.locator('.quick-input-widget input');
  await input.waitFor({ timeout: 10_000 });
  await input.fill(path);
  await page.locator('.quick-input-widget .monaco-list-row', { hasText: path.slice(0, slash) }).first().waitFor({ timeout: 45_000 });
  await page.keyboard.press('Enter');
  await page.locator('.tab.active', { hasText: path.slice(slash + 1) }).waitFor({ timeout: 15_000 });
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

runScenario('e2e-routed', main);
