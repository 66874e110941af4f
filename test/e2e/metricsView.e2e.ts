import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { type FrameLocator, type Locator, type Page } from 'playwright-core';
import { Steps, runScenario, scenarioRunDir, withWorkbench } from './harness';
import { importFile, runCommand } from './workbenchHelpers';
import { routeHistogramPayload } from '../support/routeHistograms';

/**
 * Issue 23 in the real workbench: Slice: Show Metrics. Fourteen minutes of route histograms of my
 * slice and of the baseline (marked as its collector marks them), one point every 20 s, with an
 * exemplar on my slice's newest GET /orders point whose trace is imported too, come in through
 * Import Telemetry File…; the view draws a uPlot chart per metric and route with both series and
 * the legend, in the dark theme's colours; the keyboard walks a chart (the value in the aria-live
 * line) and Enter on the exemplar opens its trace in the waterfall. Screenshots go to
 * .run/e2e-metrics-view/screenshots.
 */
const TRACE = 'd4'.repeat(16);
const str = (key: string, v: string) => ({ key, value: { stringValue: v } });
const ns = (ms: number) => `${BigInt(Math.round(ms)) * 1_000_000n}`;

function traceFile(t: number): string {
  const server = { traceId: TRACE, spanId: '00000000000000d1', name: 'GET', kind: 2, startTimeUnixNano: ns(t - 60), endTimeUnixNano: ns(t), attributes: [str('http.request.method', 'GET'), str('http.route', '/orders')] };
  return JSON.stringify({ resourceSpans: [{ resource: { attributes: [str('service.name', 'orders')] }, scopeSpans: [{ scope: { name: 'shop' }, spans: [server] }] }] });
}

/** My slice slower on GET /orders from seven minutes ago, quicker on POST /orders; the baseline with more GETs. */
function metricsLines(now: number): string {
  const lines: string[] = [];
  const wobble = (i: number, k: number) => 1 + 0.08 * Math.sin(i / 3 + k) + ((i * 37) % 11) / 200;
  for (let i = 41; i >= 1; i--) {
    const t = now - i * 20_000 + 10_000;
    const slow = i <= 21;
    const get = (base: number, n = 12) => Array.from({ length: n }, (_, k) => base * wobble(i, k));
    const mine = [
      { route: '/orders', method: 'GET', timeMs: t, durationsMs: get(slow ? 38 : 7) },
      { route: '/orders', method: 'POST', timeMs: t, durationsMs: Array.from({ length: 5 }, (_, k) => 40 * wobble(i, k)) },
    ];
    const base = [
      { route: '/orders', method: 'GET', timeMs: t, durationsMs: get(8, 18 + (i % 4)) },
      { route: '/orders', method: 'POST', timeMs: t, durationsMs: Array.from({ length: 5 }, (_, k) => 52 * wobble(i, k + 1)) },
    ];
    let line = routeHistogramPayload('orders', mine);
    if (i === 1) {
      const o = JSON.parse(line) as { resourceMetrics: { scopeMetrics: { metrics: { histogram: { dataPoints: Record<string, unknown>[] } }[] }[] }[] };
      o.resourceMetrics[0]!.scopeMetrics[0]!.metrics[0]!.histogram.dataPoints[0]!.exemplars = [{ timeUnixNano: ns(t - 3000), asDouble: 0.0612, traceId: TRACE, spanId: '00000000000000d1' }];
      line = JSON.stringify(o);
    }
    lines.push(line, routeHistogramPayload('orders', base, { baseline: true }));
  }
  return `${lines.join('\n')}\n`;
}

/** The theme's blue and orange as computed colours, and the legend markers' colours (the lines' colours) of a chart. */
function chartColours(chart: Locator): Promise<{ blue: string; orange: string; markers: string[] }> {
  return chart.evaluate((node) => {
    // runs in the webview (this project's TypeScript has no DOM types: the shapes used, by hand)
    type Style = { getPropertyValue(name: string): string; color: string; borderColor: string };
    type El = { style: { color: string }; remove(): void; querySelectorAll(s: string): Iterable<El> };
    type Doc = { body: El & { append(e: El): void }; createElement(tag: string): El; defaultView: { getComputedStyle(e: El): Style } };
    const el = node as unknown as El & { ownerDocument: Doc };
    const doc = el.ownerDocument;
    const css = (e: El) => doc.defaultView.getComputedStyle(e);
    const probe = (v: string) => {
      const i = doc.createElement('i');
      i.style.color = v;
      doc.body.append(i);
      const c = css(i).color;
      i.remove();
      return c;
    };
    const vars = css(doc.body);
    return {
      blue: probe(vars.getPropertyValue('--vscode-charts-blue').trim()),
      orange: probe(vars.getPropertyValue('--vscode-charts-orange').trim()),
      markers: [...el.querySelectorAll('.u-legend .u-marker')].map((m) => css(m).borderColor),
    };
  });
}

/** The content of a webview (VS Code nests the page in two iframes); the metrics view's by its charts. */
function metricsWebview(page: Page): FrameLocator {
  return page.frameLocator('iframe.webview.ready >> nth=0').frameLocator('iframe#active-frame');
}

async function main(): Promise<number> {
  const steps = new Steps();
  const runDir = scenarioRunDir('e2e-metrics-view');
  return withWorkbench({ name: 'e2e-metrics-view', settings: { 'slice.kubeconfig': join(runDir, 'no-kubeconfig'), 'editor.minimap.enabled': false, 'workbench.startupEditor': 'none', 'workbench.colorTheme': 'Default Dark Modern' } }, async (wb) => {
    const { page, shot, onFail } = wb;
    const workspace = join(runDir, 'workspace');
    mkdirSync(workspace, { recursive: true });
    const recorded = join(runDir, 'recorded');
    mkdirSync(recorded, { recursive: true });
    const now = Date.now();
    const spansFile = join(recorded, 'exemplar-trace.json');
    const metricsFile = join(recorded, 'orders-metrics.jsonl');
    writeFileSync(spansFile, traceFile(now - 13_000));
    writeFileSync(metricsFile, metricsLines(now));
    await steps.step('the .vsix installs into code-server', () => Promise.resolve(wb.installExtension()));

    const ok = await steps.step('the workbench opens, Import Telemetry File… takes the trace and fourteen minutes of metrics of my slice and the baseline', async () => {
      await wb.open(workspace);
      await page.locator('.part.statusbar').waitFor({ timeout: 60_000 });
      // the extension activates after start-up: its commands are in the palette then
      // (the palette lists the commands there were when it opened: open it again until it has Slice's)
      for (let attempt = 1; ; attempt++) {
        await page.keyboard.press('F1');
        await page.locator('.quick-input-widget input').fill('>Slice: Import Telemetry File');
        const listed = await page.locator('.quick-input-widget .monaco-list-row', { hasText: 'Slice: Import Telemetry File…' }).first().waitFor({ timeout: 3000 }).then(() => true, () => false);
        await page.keyboard.press('Escape');
        if (listed) break;
        if (attempt === 20) throw new Error('Slice: Import Telemetry File… is not in the palette after a minute: the extension did not activate');
      }
      await importFile(page, spansFile);
      await page.locator('.part.statusbar', { hasText: 'imported 1 spans' }).waitFor({ timeout: 15_000 });
      await importFile(page, metricsFile);
      await page.locator('.part.statusbar', { hasText: 'metric points from orders-metrics.jsonl' }).waitFor({ timeout: 15_000 });
      await page.keyboard.press('Escape');
    }, onFail);
    if (!ok) return steps.summary('e2e metrics view');

    const web = metricsWebview(page);
    const shown = await steps.step('Slice: Show Metrics draws a chart per route and measure with my slice and the baseline, the legend, in the theme\'s colours', async () => {
      await runCommand(page, 'View: Close Primary Side Bar');
      await runCommand(page, 'Slice: Show Metrics');
      await page.locator('.tabs-container .tab', { hasText: 'Slice Metrics' }).waitFor({ timeout: 15_000 });
      const chart = web.locator('section.chart', { hasText: 'GET /orders · p95' }).first();
      await chart.waitFor({ timeout: 30_000 });
      await web.locator('section.chart canvas').nth(3).waitFor({ timeout: 15_000 });
      const charts = await web.locator('section.chart').count();
      if (charts !== 4) throw new Error(`${charts} charts, not 4 (GET and POST /orders, p95 and requests)`);
      const legend = await chart.locator('.u-legend').innerText();
      if (!/my slice/.test(legend) || !/baseline/.test(legend)) throw new Error(`legend: ${legend}`);
      const summary = await web.locator('#summary').innerText();
      if (!/4 charts of \(imported\) over the last 15 min, a point every 20 s; 4 with the baseline beside it/.test(summary)) throw new Error(`summary: ${summary}`);
      // the series' colours are the theme's chart colours, read from its variables, opaque (the legend's markers are the lines' colours)
      const colours = await chartColours(chart);
      console.log(`    theme colours: ${JSON.stringify(colours)}`);
      const solid = (c: string) => c.replace(/^rgba\((\d+), (\d+), (\d+), [\d.]+\)$/, 'rgb($1, $2, $3)');
      if (!colours.blue || !colours.markers.includes(solid(colours.blue)) || !colours.markers.includes(solid(colours.orange))) throw new Error(`colours: ${JSON.stringify(colours)}`);
      await page.waitForTimeout(500);
      await shot('v1-metrics-view');
    }, onFail);
    if (!shown) return steps.summary('e2e metrics view');

    await steps.step('the keyboard: Tab to a chart, the arrow keys move along it with the values said, Enter on the exemplar opens its trace', async () => {
      const chart = web.locator('section.chart', { hasText: 'GET /orders · p95' }).first();
      await chart.focus();
      await chart.press('End');
      const live = web.locator('#live');
      let said = '';
      for (let i = 0; i < 6; i++) {
        said = await live.innerText();
        if (said.includes('exemplar')) break;
        await chart.press('ArrowLeft');
      }
      if (!/my slice \d+(\.\d+)? ms, baseline \d+(\.\d+)? ms, exemplar 61\.2 ms of trace d4d4d4d4… \(my slice\), Enter opens it/.test(said)) throw new Error(`aria-live: ${said}`);
      await page.waitForTimeout(300);
      await shot('v2-metrics-keyboard');
      await chart.press('Enter');
      await page.locator('.tabs-container .tab', { hasText: 'Trace: GET' }).waitFor({ timeout: 15_000 });
      await page.waitForTimeout(500);
      await shot('v3-exemplar-trace');
    }, onFail);

    await steps.step('the theme changes to light: the charts are drawn again in its colours', async () => {
      const chart = web.locator('section.chart', { hasText: 'GET /orders · p95' }).first();
      const before = await chartColours(chart);
      await runCommand(page, 'Preferences: Toggle between Light/Dark Themes');
      const deadline = Date.now() + 15_000;
      for (;;) {
        const now = await chartColours(chart);
        const solid = (c: string) => c.replace(/^rgba\((\d+), (\d+), (\d+), [\d.]+\)$/, 'rgb($1, $2, $3)');
        if (now.blue !== before.blue && now.markers.includes(solid(now.blue))) break;
        if (Date.now() > deadline) throw new Error(`colours before ${JSON.stringify(before)}, after ${JSON.stringify(now)}`);
        await page.waitForTimeout(250);
      }
      await page.waitForTimeout(500);
      await shot('v4-metrics-light');
    }, onFail);

    return steps.summary('e2e metrics view');
  });
}

runScenario('e2e metrics view', main);
