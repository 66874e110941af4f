// @ts-check
/* global document, window, getComputedStyle, MutationObserver, ResizeObserver, IntersectionObserver, acquireVsCodeApi */
// The metrics view's page (issue 23): a uPlot chart per metric of the slice, the baseline's series
// beside mine, exemplars as points that open their trace. esbuild bundles this file with uPlot into
// dist/webview/metrics.js (no CDN, no inline script: everything is wired here, under the CSP nonce).
// Protocol (src/core/telemetry/metrics/chartModel.ts): the host posts {type:'model', model} (draw
// anew) or {type:'append', drop, from, x, charts, omitted} (only the new points: the arrays are cut
// and extended, then uPlot's setData); the page posts {type:'ready'} once and {type:'openTrace', traceId}.
// Colours are the theme's (--vscode-charts-*), read again when the theme changes.
import uPlot from 'uplot';

/**
 * @typedef {{index: number, y: number, traceId: string, side: 'mine' | 'baseline'}} Exemplar
 * @typedef {{id: string, title: string, unit: string, description: string, mine: (number|null)[], baseline?: (number|null)[], exemplars: Exemplar[]}} Chart
 * @typedef {{slice: string, windowMinutes: number, stepSeconds: number, x: number[], charts: Chart[], omitted: number, ended?: string}} Model
 * @typedef {{chart: Chart, el: HTMLElement, plot: uPlot, data: (number|null)[][], cursor: number, visible: boolean, stale: boolean}} Drawn
 */

const vscode = typeof acquireVsCodeApi === 'function' ? acquireVsCodeApi() : { postMessage: (/** @type {unknown} */ _m) => {} };
const summary = /** @type {HTMLElement} */ (document.getElementById('summary'));
const chartsEl = /** @type {HTMLElement} */ (document.getElementById('charts'));
const live = /** @type {HTMLElement} */ (document.getElementById('live'));
const footer = /** @type {HTMLElement} */ (document.getElementById('footer'));

/** @type {Model | undefined} */
let model;
/** @type {Drawn[]} */
let drawn = [];

/** @param {string} name @param {string} fallback */
function cssVar(name, fallback) {
  const v = getComputedStyle(document.body).getPropertyValue(name).trim();
  return v || fallback;
}

/**
 * A theme colour without its transparency: some themes' chart colours are translucent (Dark
 * Modern's charts.orange is rgba(234, 92, 0, 0.33), meant for areas), too faint for a line.
 * @param {string} colour
 */
function opaque(colour) {
  const probe = document.createElement('i');
  probe.style.color = colour;
  document.body.append(probe);
  const c = getComputedStyle(probe).color;
  probe.remove();
  const m = /^rgba\((\d+),\s*(\d+),\s*(\d+),\s*[\d.]+\)$/.exec(c);
  return m ? `rgb(${m[1]}, ${m[2]}, ${m[3]})` : c || colour;
}

function theme() {
  return {
    mine: opaque(cssVar('--vscode-charts-blue', '#3794ff')),
    baseline: opaque(cssVar('--vscode-charts-orange', '#d18616')),
    exemplar: opaque(cssVar('--vscode-charts-purple', '#b180d7')),
    fg: cssVar('--vscode-foreground', '#cccccc'),
    grid: cssVar('--vscode-editorWidget-border', 'rgba(128,128,128,0.35)'),
    font: `${cssVar('--vscode-font-size', '13px')} ${cssVar('--vscode-font-family', 'sans-serif')}`,
  };
}

/** @param {number | null | undefined} v @param {string} unit */
function fmt(v, unit) {
  if (v === null || v === undefined || !Number.isFinite(v)) return '–';
  const a = Math.abs(v);
  const s = a === 0 ? '0' : a >= 100 ? v.toFixed(0) : a >= 10 ? v.toFixed(1) : a >= 0.01 ? v.toFixed(2) : v.toExponential(1);
  return unit ? `${s} ${unit}` : s;
}

/** @param {number} t seconds */
function clock(t) {
  return new Date(t * 1000).toLocaleTimeString([], { hour: '2-digit', minute: '2-digit', second: '2-digit' });
}

/** The exemplar series aligned with x: a point where an exemplar is, null elsewhere (mine's first, then the baseline's). @param {Chart} c @param {number} n */
function exemplarSeries(c, n) {
  /** @type {(number|null)[]} */
  const ys = new Array(n).fill(null);
  for (const e of c.exemplars) if (e.index >= 0 && e.index < n && (ys[e.index] === null || e.side === 'mine')) ys[e.index] = e.y;
  return ys;
}

/** @param {Chart} c @param {number} index */
function exemplarAt(c, index) {
  return c.exemplars.find((e) => e.index === index && e.side === 'mine') ?? c.exemplars.find((e) => e.index === index);
}

/** @param {Chart} c @param {number[]} x */
function dataOf(c, x) {
  /** @type {(number|null)[][]} */
  const d = [x.slice(), c.mine.slice()];
  if (c.baseline) d.push(c.baseline.slice());
  d.push(exemplarSeries(c, x.length));
  return d;
}

/** @param {HTMLElement} el */
function widthOf(el) {
  return Math.max(240, Math.floor(el.clientWidth || chartsEl.clientWidth || 600) - 8);
}

/** @param {Chart} c @param {HTMLElement} el @param {(number|null)[][]} data */
function makePlot(c, el, data) {
  const t = theme();
  const axis = { stroke: t.fg, grid: { stroke: t.grid, width: 1 }, ticks: { stroke: t.grid, width: 1 }, font: t.font, labelFont: t.font };
  /** @type {uPlot.Series[]} */
  const series = [{ label: 'time', value: (_u, v) => (v === null ? '–' : clock(v)) }, { label: 'my slice', stroke: t.mine, width: 2, spanGaps: true, points: { show: true, size: 4, fill: t.mine }, value: (_u, v) => fmt(v, c.unit) }];
  if (c.baseline) series.push({ label: 'baseline', stroke: t.baseline, width: 2, dash: [6, 4], spanGaps: true, points: { show: true, size: 4, fill: t.baseline }, value: (_u, v) => fmt(v, c.unit) });
  series.push({ label: 'exemplar (Enter opens its trace)', stroke: t.exemplar, fill: t.exemplar, width: 0, paths: () => null, points: { show: true, size: 9, stroke: t.exemplar, fill: t.exemplar }, value: (_u, v) => (v === null ? '–' : fmt(v, c.unit)) });
  /** @type {uPlot.Options} */
  const opts = {
    width: widthOf(el),
    height: 180,
    series,
    scales: { x: { time: true }, y: { range: (_u, min, max) => [Math.min(0, min ?? 0), max === null || max <= 0 ? 1 : max * 1.1] } },
    axes: [{ ...axis }, { ...axis, size: 64, values: (_u, ticks) => ticks.map((v) => fmt(v, '')) , label: c.unit || undefined, labelSize: 18 }],
    legend: { show: true, live: true },
    cursor: { drag: { x: false, y: false } },
  };
  return new uPlot(opts, /** @type {uPlot.AlignedData} */ (/** @type {unknown} */ (data)), el);
}

/** @param {Drawn} d @param {number} index */
function moveCursor(d, index) {
  const x = /** @type {number[]} */ (d.data[0]);
  if (x.length === 0) return;
  d.cursor = Math.max(0, Math.min(x.length - 1, index));
  const xv = /** @type {number} */ (x[d.cursor]);
  const mine = d.chart.mine[d.cursor];
  const y = mine ?? d.chart.baseline?.[d.cursor] ?? 0;
  d.plot.setCursor({ left: d.plot.valToPos(xv, 'x'), top: d.plot.valToPos(y, 'y') });
  const parts = [`${d.chart.title}, ${clock(xv)}: my slice ${fmt(mine, d.chart.unit)}`];
  if (d.chart.baseline) parts.push(`baseline ${fmt(d.chart.baseline[d.cursor], d.chart.unit)}`);
  const e = exemplarAt(d.chart, d.cursor);
  if (e) parts.push(`exemplar ${fmt(e.y, d.chart.unit)} of trace ${e.traceId.slice(0, 8)}… (${e.side === 'mine' ? 'my slice' : 'baseline'}), Enter opens it`);
  live.textContent = parts.join(', ');
}

/** @param {Drawn} d */
function openExemplar(d) {
  const e = exemplarAt(d.chart, d.cursor);
  if (e) vscode.postMessage({ type: 'openTrace', traceId: e.traceId });
  else live.textContent = 'No exemplar at this point: move with the arrow keys to a purple point.';
}

/** Charts scrolled out of sight take new points into their arrays and draw them when they come back into view. */
const sight = new IntersectionObserver((entries) => {
  for (const e of entries) {
    const d = drawn.find((x) => x.el === e.target);
    if (!d) continue;
    d.visible = e.isIntersecting;
    if (d.visible && d.stale) {
      d.stale = false;
      d.plot.setData(/** @type {uPlot.AlignedData} */ (/** @type {unknown} */ (d.data)));
    }
  }
});

function clear() {
  sight.disconnect();
  for (const d of drawn) d.plot.destroy();
  drawn = [];
  chartsEl.replaceChildren();
}

function describe() {
  if (!model) return;
  const n = model.charts.length;
  if (model.slice === '' && model.ended) summary.textContent = `The slice ${model.ended} is gone (deleted, expired, or no longer yours): its metrics went with it. Charts of another slice appear here when its metrics arrive.`;
  else if (model.slice === '') summary.textContent = 'No metrics have arrived yet. Stream telemetry from a slice (Slice: Stream Telemetry) or import a recorded OTLP metrics file (Slice: Import Telemetry File…): a chart per metric appears here as points arrive.';
  else if (n === 0) summary.textContent = `No metrics of ${model.slice} in the last ${model.windowMinutes} min yet: they arrive with each export interval of the app's OpenTelemetry SDK.`;
  else {
    const withBase = model.charts.filter((c) => c.baseline).length;
    summary.textContent = `${n} chart${n === 1 ? '' : 's'} of ${model.slice} over the last ${model.windowMinutes} min, a point every ${model.stepSeconds} s; ${withBase} with the baseline beside it.${model.omitted > 0 ? ` ${model.omitted} more not drawn (at most ${n}).` : ''} Tab to a chart, arrow keys move along it, Enter on a purple point opens its trace.`;
  }
  footer.textContent = model.slice === '' ? '' : `Slice ${model.slice} · window ${model.windowMinutes} min (slice.metrics.window) · the view follows the slice: when it is gone, so are its charts.`;
}

/** Draws the whole model anew. @param {Model} m */
function drawModel(m) {
  // a redraw (a new theme, new charts) keeps the keyboard where it was
  const focused = /** @type {HTMLElement | null} */ (document.activeElement)?.dataset?.id;
  model = m;
  clear();
  describe();
  for (const c of m.charts) {
    const fig = document.createElement('section');
    fig.className = 'chart';
    fig.tabIndex = 0;
    fig.setAttribute('role', 'group');
    fig.setAttribute('aria-label', `${c.title}${c.baseline ? ', my slice and the baseline' : ', my slice'}`);
    fig.dataset.id = c.id;
    const h = document.createElement('h2');
    h.textContent = c.title;
    if (c.description) h.title = c.description;
    fig.append(h);
    chartsEl.append(fig);
    const data = dataOf(c, m.x);
    /** @type {Drawn} */
    const d = { chart: c, el: fig, plot: makePlot(c, fig, data), data, cursor: m.x.length - 1, visible: true, stale: false };
    drawn.push(d);
    sight.observe(fig);
    fig.addEventListener('keydown', (ev) => {
      const step = { ArrowLeft: -1, ArrowRight: 1, Home: -Infinity, End: Infinity }[ev.key];
      if (step !== undefined) {
        ev.preventDefault();
        moveCursor(d, step === -Infinity ? 0 : step === Infinity ? m.x.length - 1 : d.cursor + step);
      } else if (ev.key === 'Enter' || ev.key === ' ') {
        ev.preventDefault();
        openExemplar(d);
      }
    });
    fig.addEventListener('focus', () => moveCursor(d, d.cursor));
    if (c.id === focused) fig.focus();
    d.plot.over.addEventListener('click', () => {
      const i = d.plot.cursor.idx;
      if (i === null || i === undefined) return;
      d.cursor = i;
      openExemplar(d);
    });
  }
}

/**
 * Only the new points: each chart's arrays lose `drop` at the front, are cut at `from` and get the
 * values given; then setData (uPlot redraws in its next microtask).
 * @param {{drop: number, from: number, x: number[], charts: {id: string, mine: (number|null)[], baseline?: (number|null)[], exemplars: Exemplar[]}[], omitted: number}} u
 */
function append(u) {
  if (!model) return;
  /** @param {(number|null)[]} a @param {(number|null)[]} tail */
  const cut = (a, tail) => {
    a.splice(0, u.drop);
    a.length = u.from;
    for (const v of tail) a.push(v);
  };
  cut(model.x, u.x);
  for (let i = 0; i < drawn.length; i++) {
    const d = /** @type {Drawn} */ (drawn[i]);
    const delta = u.charts[i];
    if (!delta || delta.id !== d.chart.id) continue;
    cut(d.chart.mine, delta.mine);
    if (d.chart.baseline && delta.baseline) cut(d.chart.baseline, delta.baseline);
    d.chart.exemplars = delta.exemplars;
    cut(/** @type {(number|null)[]} */ (d.data[0]), u.x);
    cut(/** @type {(number|null)[]} */ (d.data[1]), delta.mine);
    if (d.chart.baseline && delta.baseline) cut(/** @type {(number|null)[]} */ (d.data[2]), delta.baseline);
    d.data[d.data.length - 1] = exemplarSeries(d.chart, model.x.length);
    d.cursor = Math.min(d.cursor, model.x.length - 1);
    if (d.visible) d.plot.setData(/** @type {uPlot.AlignedData} */ (/** @type {unknown} */ (d.data)));
    else d.stale = true;
  }
  // the words above the charts change only with the charts left out (a text change would make uPlot's layout read costlier)
  if (model.omitted !== u.omitted) {
    model.omitted = u.omitted;
    describe();
  }
}

window.addEventListener('message', (ev) => {
  const m = ev.data;
  if (!m || typeof m !== 'object') return;
  if (m.type === 'model' && m.model && Array.isArray(m.model.charts)) drawModel(m.model);
  else if (m.type === 'append' && Array.isArray(m.charts)) append(m);
});

// the theme changed (VS Code swaps the body's class and the variables): draw again in its colours
new MutationObserver(() => model && drawModel(model)).observe(document.body, { attributes: true, attributeFilter: ['class'] });
new ResizeObserver(() => {
  for (const d of drawn) d.plot.setSize({ width: widthOf(d.el), height: 180 });
}).observe(chartsEl);

vscode.postMessage({ type: 'ready' });
