import { cpSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Steps, repoRoot as root, runScenario, scenarioRunDir, withWorkbench } from './harness';
import { goToLine, importFile, quickOpen } from './workbenchHelpers';
import { routeHistogramPayload } from '../support/routeHistograms';

/**
 * Issue 23 in the real workbench: my slice against the baseline on the CodeLens of the handler that
 * serves a route, from the route histograms, with the hover's sparkline. One request's spans say
 * which handler serves GET /orders (and give it a span lens); the metrics (my slice's, and the
 * baseline's marked as its collector marks them) are made for now and imported as recorded
 * OTLP/JSON. The difference is significant, so the route's lens stands beside the span lens.
 * (The lens without span data is checked in the extension host: test/integration/routeMetrics.test.ts.)
 * Screenshots go to .run/e2e-route-metrics/screenshots.
 */
const sampleSource = join(root, 'test', 'workspace', 'telemetry-sample');
/** `async function listOrders(req, res) {` in dist/routes/orders.js (1-based). */
const HANDLER_LINE = 27;

const str = (key: string, v: string) => ({ key, value: { stringValue: v } });
const int = (key: string, v: number) => ({ key, value: { intValue: String(v) } });
const ns = (ms: number) => `${BigInt(Math.round(ms)) * 1_000_000n}`;

function oldRequest(): string {
  const t = Date.now() - 40 * 60_000;
  const traceId = 'ef'.repeat(16);
  const handler = { traceId, spanId: '00000000000000a1', parentSpanId: '00000000000000b1', name: 'listOrders', kind: 1, startTimeUnixNano: ns(t), endTimeUnixNano: ns(t + 10), attributes: [str('code.function.name', 'listOrders'), str('code.file.path', '/app/dist/routes/orders.js'), int('code.line.number', HANDLER_LINE)] };
  const server = { traceId, spanId: '00000000000000b1', name: 'GET', kind: 2, startTimeUnixNano: ns(t), endTimeUnixNano: ns(t + 11), attributes: [str('http.request.method', 'GET'), str('http.route', '/orders'), int('http.response.status_code', 200)] };
  return JSON.stringify({ resourceSpans: [{ resource: { attributes: [str('service.name', 'orders')] }, scopeSpans: [{ scope: { name: 'shop' }, spans: [handler, server] }] }] });
}

/** Ten minutes of GET /orders: my slice slower from five minutes ago (a regression), 3 of its 8 requests a minute answered 500 since then; the baseline steady and without errors. */
function metricsLines(): string {
  const now = Date.now();
  const lines: string[] = [];
  for (let m = 10; m >= 1; m--) {
    const t = now - m * 60_000 + 30_000;
    const slow = m <= 5;
    const mine = Array.from({ length: 8 }, (_, i) => (slow ? 30 + i * 2.5 : 6 + i * 0.6));
    const base = Array.from({ length: 8 }, (_, i) => 6 + i * 0.7);
    const points = slow
      ? [{ route: '/orders', method: 'GET', status: 200, timeMs: t, durationsMs: mine.slice(3) }, { route: '/orders', method: 'GET', status: 500, timeMs: t, durationsMs: mine.slice(0, 3) }]
      : [{ route: '/orders', method: 'GET', timeMs: t, durationsMs: mine }];
    lines.push(routeHistogramPayload('orders', points));
    lines.push(routeHistogramPayload('orders', [{ route: '/orders', method: 'GET', timeMs: t, durationsMs: base }], { baseline: true }));
  }
  return `${lines.join('\n')}\n`;
}

async function main(): Promise<number> {
  const steps = new Steps();
  const runDir = scenarioRunDir('e2e-route-metrics');
  return withWorkbench({ name: 'e2e-route-metrics', settings: { 'slice.kubeconfig': join(runDir, 'no-kubeconfig'), 'editor.minimap.enabled': false } }, async (wb) => {
    const { page, shot, onFail } = wb;
    const sample = join(runDir, 'telemetry-sample');
    rmSync(sample, { recursive: true, force: true });
    cpSync(sampleSource, sample, { recursive: true });
    // beside the workspace, not above it: the file dialog starts in the workspace, whose path would start with the run dir's
    const recorded = join(runDir, 'recorded');
    mkdirSync(recorded, { recursive: true });
    const spansFile = join(recorded, 'route-spans.json');
    const metricsFile = join(recorded, 'route-metrics.jsonl');
    writeFileSync(spansFile, oldRequest());
    writeFileSync(metricsFile, metricsLines());
    await steps.step('the .vsix installs into code-server', () => Promise.resolve(wb.installExtension()));

    const ok = await steps.step('the workbench opens the sample app and its orders.js', async () => {
      await wb.open(sample);
      await page.locator('.explorer-folders-view .monaco-list-row', { hasText: 'dist' }).waitFor({ timeout: 60_000 });
      await quickOpen(page, 'orders.js');
      await page.locator('.tabs-container .tab', { hasText: 'orders.js' }).waitFor({ timeout: 15_000 });
    }, onFail);
    if (!ok) return steps.summary('e2e route metrics');

    const imported = await steps.step('Import Telemetry File… takes the old spans and the recorded route histograms', async () => {
      await importFile(page, spansFile);
      await page.locator('.part.statusbar', { hasText: 'imported 2 spans' }).waitFor({ timeout: 15_000 });
      await importFile(page, metricsFile);
      await page.locator('.part.statusbar', { hasText: 'metric points from route-metrics.jsonl' }).waitFor({ timeout: 15_000 });
      await page.keyboard.press('Escape');
    }, onFail);
    if (!imported) return steps.summary('e2e route metrics');

    await steps.step('the CodeLens above listOrders: the histogram p95, the baseline\'s, the change, my server errors against the baseline\'s, as a warning', async () => {
      await goToLine(page, HANDLER_LINE + 5);
      // lenses of one line share a decoration (joined by |): each is an anchor of its own
      const lens = page.locator('.monaco-editor .codelens-decoration a', { hasText: '(metrics)' }).first();
      await lens.waitFor({ timeout: 30_000 });
      const text = await lens.innerText();
      if (!/^⚠ GET \/orders · p95 \d+ ms · baseline \d+ ms · \+\d+ % · errors 15\/40 \(38 %\) · baseline 0 % · 40 requests · 5 min \(metrics\)$/.test(text.trim())) throw new Error(`lens text: ${text}`);
      await page.waitForTimeout(300);
      await shot('m1-route-lens');
    }, onFail);

    await steps.step('hovering the handler shows both sides, the tests (latency and errors), and the sparkline image', async () => {
      const line = page.locator('.monaco-editor .view-line', { hasText: 'async function listOrders' }).first();
      await line.hover({ position: { x: 120, y: 8 } });
      const hover = page.locator('.monaco-hover', { hasText: 'Slice metrics' }).first();
      await hover.waitFor({ timeout: 15_000 });
      await hover.locator('text=Mann–Whitney U').first().waitFor({ timeout: 5000 });
      await hover.locator('text=More server errors than the baseline').first().waitFor({ timeout: 5000 });
      const img = hover.locator('img[src^="data:image/svg+xml;base64,"]').first();
      await img.waitFor({ timeout: 5000 });
      const drawn = await img.evaluate((el) => {
        const i = el as unknown as { complete: boolean; naturalWidth: number };
        return i.complete && i.naturalWidth > 0;
      });
      if (!drawn) throw new Error('the sparkline image did not load');
      await page.waitForTimeout(300);
      await shot('m2-route-hover');
    }, onFail);

    return steps.summary('e2e route metrics');
  });
}

runScenario('e2e route metrics', main);
