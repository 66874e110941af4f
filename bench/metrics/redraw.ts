/**
 * bench/metrics, the metrics view's redraw (issue 23: "Chart redraw on new data in the webview:
 * goal ≤ 16 ms p95"). Headless Chromium (the e2e's, playwright-core) loads the view's own bundle
 * (dist/webview/metrics.js and .css: uPlot and media/metrics/metrics.js, as the extension ships
 * them) in a page laid out as the webview's, with the dark theme's colour variables. The page gets
 * a model of 12 charts (my slice and the baseline, 45 steps each, exemplars), then, interleaved:
 *   - new data as the view gets it: an `append` message (one step off the front, the last step
 *     revised, one new step per chart) → the arrays cut and extended → uPlot setData → its draw;
 *   - the baseline, measured in the same run: the same data as a whole `model` message, which
 *     draws every chart from scratch (what a full re-render costs).
 * Each sample is from dispatching the message to the end of uPlot's draw (its commit runs in the
 * microtask after setData; the canvas is drawn then), performance.now() in the page; a frame
 * (requestAnimationFrame) passes between samples so each redraw is painted.
 *
 *   node out/bench/metrics/redraw.js     (after `node esbuild.config.mjs --tests`; npm run bench runs it from run.js)
 */
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium } from 'playwright-core';
import { CHROMIUM_ARGS } from '../../test/runner/codeServer';

const GOAL_P95_MS = 16;
const SAMPLES = 120;
const root = join(__dirname, '..', '..', '..');
const bundle = join(root, 'dist', 'webview');

/** The dark theme's variables the page reads (VS Code sets them on the webview's html element). */
const DARK = '--vscode-charts-blue:#3794ff;--vscode-charts-orange:#d18616;--vscode-charts-purple:#b180d7;--vscode-foreground:#cccccc;--vscode-editorWidget-border:#454545;--vscode-editor-background:#1e1e1e;--vscode-font-family:system-ui,sans-serif;--vscode-font-size:13px;--vscode-focusBorder:#007fd4;--vscode-descriptionForeground:#9d9d9d';

/** Runs in the page (plain JS: the page has the DOM, this project's TypeScript does not). */
const PAGE = `async (samples) => {
        const CHARTS = 12;
        const STEPS = 45;
        const STEP = 20;
        let t0 = Math.floor(Date.now() / 1000 / STEP) * STEP - STEPS * STEP;
        const value = (c, i, base) => (i % 17 === 5 ? null : (base ? 10 : 14) + c + 4 * Math.sin((i + c) / 5) + ((i * 7919) % 13) / 6);
        const xs = () => Array.from({ length: STEPS }, (_, i) => t0 + i * STEP);
        const ids = Array.from({ length: CHARTS }, (_, c) => \`m\${c}\\u0000orders\\u0000/orders\\u0000p95\`);
        let n = 0;
        const model = () => ({
          slice: 'alice-shop',
          windowMinutes: 15,
          stepSeconds: STEP,
          x: xs(),
          omitted: 0,
          charts: ids.map((id, c) => ({
            id,
            title: \`metric \${c} · orders /orders · p95 (ms)\`,
            unit: 'ms',
            description: '',
            mine: Array.from({ length: STEPS }, (_, i) => value(c, i + n, false)),
            baseline: Array.from({ length: STEPS }, (_, i) => value(c, i + n, true)),
            exemplars: [{ index: STEPS - 3, y: 20 + c, traceId: 'ab'.repeat(16), side: 'mine' }],
          })),
        });
        const append = () => ({
          type: 'append',
          drop: 1,
          from: STEPS - 2,
          x: [t0 + (STEPS - 1) * STEP, t0 + STEPS * STEP],
          omitted: 0,
          charts: ids.map((id, c) => ({ id, mine: [value(c, STEPS - 2 + n, false), value(c, STEPS - 1 + n, false)], baseline: [value(c, STEPS - 2 + n, true), value(c, STEPS - 1 + n, true)], exemplars: [{ index: STEPS - 4, y: 20 + c, traceId: 'ab'.repeat(16), side: 'mine' }] })),
        });
        const send = (data) => window.dispatchEvent(new MessageEvent('message', { data }));
        const afterDraw = () => new Promise((r) => queueMicrotask(r));
        const frame = () => new Promise((r) => requestAnimationFrame(() => setTimeout(r, 0)));
        send({ type: 'model', model: model() });
        await afterDraw();
        await frame();
        const incremental = [];
        const full = [];
        for (let s = 0; s < samples + 10; s++) {
          // new data: one step on (the arrays as the page holds them slide by one)
          const msg = append();
          n++;
          t0 += STEP;
          const a = performance.now();
          send(msg);
          await afterDraw();
          const b = performance.now();
          await frame();
          // the same data drawn from scratch
          const whole = { type: 'model', model: model() };
          const c = performance.now();
          send(whole);
          await afterDraw();
          const d = performance.now();
          await frame();
          if (s >= 10) {
            incremental.push(b - a);
            full.push(d - c);
          }
        }
        const canvases = document.querySelectorAll('canvas').length;
        return { incremental, full, canvases };
      }`;

async function main(): Promise<void> {
  if (!existsSync(join(bundle, 'metrics.js'))) throw new Error(`${bundle}/metrics.js is missing: run node esbuild.config.mjs first`);
  const dir = mkdtempSync(join(tmpdir(), 'slice-bench-metrics-'));
  const page = join(dir, 'view.html');
  writeFileSync(
    page,
    `<!DOCTYPE html><html lang="en" style="${DARK}"><head><meta charset="UTF-8"><link rel="stylesheet" href="${pathToFileURL(join(bundle, 'metrics.css')).href}"></head>
<body class="vscode-dark" style="width:1200px"><header id="summary"></header><main id="charts" class="charts"></main><p id="live" aria-live="polite"></p><footer id="footer"></footer>
<script src="${pathToFileURL(join(bundle, 'metrics.js')).href}"></script></body></html>`,
  );
  const browser = await chromium.launch({ executablePath: process.env.SLICE_CHROMIUM ?? '/usr/bin/chromium', headless: true, args: CHROMIUM_ARGS });
  try {
    const tab = await browser.newPage({ viewport: { width: 1240, height: 900 } });
    await tab.goto(pathToFileURL(page).href);
    const result = await tab.evaluate<{ incremental: number[]; full: number[]; canvases: number }>(`(${PAGE})(${SAMPLES})`);
    // SLICE_METRICS_SHOT=path.png: a picture of the page as the bench left it (to look at the charts)
    if (process.env.SLICE_METRICS_SHOT) await tab.screenshot({ path: process.env.SLICE_METRICS_SHOT, fullPage: true });
    const q = (xs: number[], p: number) => {
      const s = [...xs].sort((a, b) => a - b);
      return s[Math.min(s.length - 1, Math.max(0, Math.ceil(p * s.length) - 1))]!;
    };
    const inc = { p50: q(result.incremental, 0.5), p95: q(result.incremental, 0.95) };
    const full = { p50: q(result.full, 0.5), p95: q(result.full, 0.95) };
    const version = browser.version();
    console.log(`metrics view redraw in headless Chromium ${version} (the view's bundle with uPlot; 12 charts × 45 steps, my slice + baseline + exemplars; ${SAMPLES} samples each, interleaved; ${result.canvases} canvases):`);
    console.log(`  chart redraw on new data (append + setData + draw)   p50 ${inc.p50.toFixed(2)} ms  p95 ${inc.p95.toFixed(2)} ms  goal p95 <= ${GOAL_P95_MS} ms: ${inc.p95 <= GOAL_P95_MS ? 'met' : 'NOT met'}`);
    console.log(`  baseline: the same data drawn from scratch (model)   p50 ${full.p50.toFixed(2)} ms  p95 ${full.p95.toFixed(2)} ms`);
    console.log(`  ratio (new data / from scratch)                      p50 ${(inc.p50 / full.p50).toFixed(2)}x  p95 ${(inc.p95 / full.p95).toFixed(2)}x`);
  } finally {
    await browser.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});
