// Issue 23 in the real extension host: a route's request durations from its histogram on the
// handler's CodeLens and hover. The spans that say which handler serves GET /orders are ingested,
// then the window's statistics start afresh (as when the window setting changes: the spans have
// left the window, the learned handler stays), then the slice's metrics payload comes through the pipeline's
// ingest as the agent link delivers it: the lens shows the histogram p95 with n; the baseline's
// histogram (slice.source=baseline) then brings the comparison, shown because the rank test says
// it is significant, a warning past slice.metrics.regressionThreshold; 5xx points bring the error
// rate, and my rate against the baseline's when Fisher's exact test (or the z-test) says they differ;
// a function's span lens compares it with the same function's spans from the baseline the same way.
import * as assert from 'node:assert/strict';
import { cpSync } from 'node:fs';
import { join, resolve } from 'node:path';
import * as vscode from 'vscode';
import { type SliceApi } from '../../src/container';
import { routeHistogramPayload } from '../support/routeHistograms';
import { activateSlice, scratch } from './helpers';

const repo = resolve(__dirname, '..', '..', '..');
const sample = join(scratch, 'route-metrics-sample');
cpSync(join(repo, 'test', 'workspace', 'telemetry-sample'), sample, { recursive: true });
const ordersUri = vscode.Uri.file(join(sample, 'dist', 'routes', 'orders.js'));
/** `async function listOrders(req, res) {` (1-based). */
const HANDLER_LINE = 27;
const SLICE = 'slice-route-metrics-it';

const str = (key: string, v: string) => ({ key, value: { stringValue: v } });
const int = (key: string, v: number) => ({ key, value: { intValue: String(v) } });
const ns = (ms: number) => `${BigInt(Math.round(ms)) * 1_000_000n}`;

/** A GET /orders request: the server span and its handler span (code.* of listOrders). */
function oldRequest(): string {
  const t = Date.now() - 40 * 60_000;
  const traceId = 'ef'.repeat(16);
  const handler = { traceId, spanId: '00000000000000a1', parentSpanId: '00000000000000b1', name: 'listOrders', kind: 1, startTimeUnixNano: ns(t), endTimeUnixNano: ns(t + 10), attributes: [str('code.function.name', 'listOrders'), str('code.file.path', '/app/dist/routes/orders.js'), int('code.line.number', HANDLER_LINE)] };
  const server = { traceId, spanId: '00000000000000b1', name: 'GET', kind: 2, startTimeUnixNano: ns(t), endTimeUnixNano: ns(t + 11), attributes: [str('http.request.method', 'GET'), str('http.route', '/orders'), int('http.response.status_code', 200)] };
  return JSON.stringify({ resourceSpans: [{ resource: { attributes: [str('service.name', 'orders')] }, scopeSpans: [{ scope: { name: 'shop' }, spans: [handler, server] }] }] });
}

const spread = (n: number, from: number, to: number) => Array.from({ length: n }, (_, i) => from + ((to - from) * i) / Math.max(1, n - 1));

async function routeLenses(): Promise<{ line: number; title: string; tooltip: string | undefined }[]> {
  const all = (await vscode.commands.executeCommand<vscode.CodeLens[]>('vscode.executeCodeLensProvider', ordersUri, 10_000)) ?? [];
  return all.filter((l) => l.command?.title.includes('(metrics)')).map((l) => ({ line: l.range.start.line, title: l.command!.title, tooltip: l.command!.tooltip }));
}

async function hoverText(line: number): Promise<string> {
  const hovers = (await vscode.commands.executeCommand<vscode.Hover[]>('vscode.executeHoverProvider', ordersUri, new vscode.Position(line, 10))) ?? [];
  return hovers.flatMap((h) => h.contents.map((c) => (typeof c === 'string' ? c : c.value))).join('\n');
}

async function eventually<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 15_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await probe();
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** `async function getOrder(req, res) {` (1-based). */
const GET_ORDER_LINE = 18;

/** Calls of getOrder (handler spans with code.*), ending 30 s ago: `durations` in ms, the first `failed` with status ERROR. */
function getOrderCalls(durations: readonly number[], failed = 0): string {
  const t = Date.now() - 30_000;
  const spans = durations.map((d, i) => ({
    traceId: (i + 1).toString(16).padStart(32, '0'), spanId: (i + 1).toString(16).padStart(16, '0'), name: 'getOrder', kind: 1, startTimeUnixNano: ns(t - d), endTimeUnixNano: ns(t),
    status: { code: i < failed ? 2 : 0 },
    attributes: [str('code.function.name', 'getOrder'), str('code.file.path', '/app/dist/routes/orders.js'), int('code.line.number', GET_ORDER_LINE)],
  }));
  return JSON.stringify({ resourceSpans: [{ resource: { attributes: [str('service.name', 'orders')] }, scopeSpans: [{ scope: { name: 'shop' }, spans }] }] });
}

describe('route metrics on the handler (issue 23)', () => {
  let api: SliceApi;

  before(async () => {
    api = await activateSlice();
    await api.telemetry.setPathMappings([{ containerPath: '/app', localPath: sample }]);
    api.telemetry.service.clear();
    const r = await api.telemetry.service.ingest({ kind: 'traces', encoding: 'json', body: oldRequest(), source: 'mine' });
    assert.equal(r.spans, 2);
    api.telemetry.service.reset(); // no span data in the window any more; the route's handler is still known
    await vscode.window.showTextDocument(await vscode.workspace.openTextDocument(ordersUri));
    await api.telemetry.settled();
  });

  after(async () => {
    await vscode.workspace.getConfiguration('slice.metrics').update('regressionThreshold', undefined, vscode.ConfigurationTarget.Global);
    await vscode.workspace.getConfiguration('slice.metrics').update('errorRateThreshold', undefined, vscode.ConfigurationTarget.Global);
    api.telemetry.service.clear();
    await api.telemetry.setPathMappings(undefined);
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
  });

  it('no span data in the window: the lens shows the p95 from the route histogram, with n below 20', async () => {
    assert.deepEqual(await routeLenses(), [], 'no metrics yet');
    const body = routeHistogramPayload('orders', [{ route: '/orders', method: 'GET', timeMs: Date.now() - 20_000, durationsMs: [30, 40] }]);
    const r = await api.telemetry.service.ingest({ kind: 'metrics', encoding: 'json', body, source: 'slice', slice: SLICE });
    assert.equal(r.rejected, undefined);
    const [lens, ...more] = await eventually('the route lens', async () => {
      const l = await routeLenses();
      return l.length > 0 ? l : undefined;
    });
    assert.equal(more.length, 0);
    assert.equal(lens?.line, HANDLER_LINE - 1, 'above listOrders');
    assert.equal(lens?.title, '⏱ GET /orders · p95 50 ms · n=2 · 5 min (metrics)');
    const hover = await hoverText(HANDLER_LINE - 1);
    assert.match(hover, /\*\*Slice metrics\*\* · `GET \/orders` of orders · last 5 min/);
    assert.match(hover, /Mine: p95 ≈ 50 ms \\\(in the 25 ms–50 ms bucket\\\) · 2 requests/);
    assert.match(hover, /!\[p95 per minute over the last 15 minutes\]\(data:image\/svg\+xml;base64,[A-Za-z0-9+/=]+\)/);
  });

  it('with the baseline\'s histogram: the comparison on the lens only when significant, a warning past the threshold', async () => {
    const now = Date.now() - 10_000;
    const mine = routeHistogramPayload('orders', [{ route: '/orders', method: 'GET', timeMs: now, durationsMs: spread(30, 30, 48) }]);
    const baseline = routeHistogramPayload('orders', [{ route: '/orders', method: 'GET', timeMs: now, durationsMs: spread(30, 6, 11) }], { baseline: true });
    await api.telemetry.service.ingest({ kind: 'metrics', encoding: 'json', body: mine, source: 'slice', slice: SLICE });
    await api.telemetry.service.ingest({ kind: 'metrics', encoding: 'json', body: baseline, source: 'slice', slice: SLICE });
    const lens = await eventually('the comparison lens', async () => (await routeLenses()).find((l) => l.title.includes('baseline')));
    assert.match(lens.title, /^⚠ GET \/orders · p95 \d+ ms · baseline \d+ ms · \+\d+ % · 32 requests · 5 min \(metrics\)$/);
    const hover = await hoverText(HANDLER_LINE - 1);
    assert.match(hover, /Baseline: p95 ≈ \d+ ms/);
    // the hover's Markdown escapes punctuation (\. \( …)
    assert.match(hover, /Slower than the baseline, p = .*Mann–Whitney U test on the histogram buckets, two\\-sided, level 0\\\.01, at least 20 requests a side/);
    await vscode.workspace.getConfiguration('slice.metrics').update('regressionThreshold', 100, vscode.ConfigurationTarget.Global);
    const calm = await eventually('the lens without a warning', async () => (await routeLenses()).find((l) => l.title.startsWith('⏱') && l.title.includes('baseline')));
    assert.match(calm.title, /^⏱ GET \/orders · p95 \d+ ms · baseline \d+ ms · \+\d+ %/);
  });

  it('server errors from the histograms: errors n/N on the lens, my rate against the baseline\'s only when significant, a warning past slice.metrics.errorRateThreshold', async () => {
    const now = Date.now() - 10_000;
    // 9 answers with 500 and 20 with 200 in my slice (61 requests with the 32 before), 40 clean in the baseline (70)
    const mine = routeHistogramPayload('orders', [
      { route: '/orders', method: 'GET', status: 500, timeMs: now, durationsMs: spread(9, 30, 48) },
      { route: '/orders', method: 'GET', status: 200, timeMs: now, durationsMs: spread(20, 30, 48) },
    ]);
    const baseline = routeHistogramPayload('orders', [{ route: '/orders', method: 'GET', timeMs: now, durationsMs: spread(40, 6, 11) }], { baseline: true });
    await api.telemetry.service.ingest({ kind: 'metrics', encoding: 'json', body: mine, source: 'slice', slice: SLICE });
    await api.telemetry.service.ingest({ kind: 'metrics', encoding: 'json', body: baseline, source: 'slice', slice: SLICE });
    // the slowdown is under the +10000 % threshold set above: the warning is the error rate's
    const lens = await eventually('the error-rate lens', async () => (await routeLenses()).find((l) => l.title.includes('errors')));
    assert.match(lens.title, /^⚠ GET \/orders · p95 \d+ ms · baseline \d+ ms · \+\d+ % · errors 9\/61 \(15 %\) · baseline 0 % · 61 requests · 5 min \(metrics\)$/);
    const hover = await hoverText(HANDLER_LINE - 1);
    assert.match(hover, /Mine: p95 ≈ \d+ ms .* · 61 requests · errors 9\/61/);
    // the hover's Markdown escapes punctuation (\. \( …)
    assert.match(hover, /More server errors than the baseline: 9 of 61 .*15 %.* against 0 of 70 .*Fisher.s exact test p = .* past the 5.{1,2}point threshold .*slice.*metrics.*errorRateThreshold/);
    await vscode.workspace.getConfiguration('slice.metrics').update('errorRateThreshold', 0.5, vscode.ConfigurationTarget.Global);
    const calm = await eventually('the error-rate lens without a warning', async () => (await routeLenses()).find((l) => l.title.startsWith('⏱') && l.title.includes('errors 9/61')));
    assert.match(calm.title, /· errors 9\/61 \(15 %\) · baseline 0 % ·/);
  });

  it('the span lens: my function against the same function in the baseline, shown because it is significant', async () => {
    // my slice's getOrder slower than the baseline's, 40 calls a side (the baseline's spans are not shown as lenses: slice.telemetry.source is mine)
    assert.equal((await api.telemetry.service.ingest({ kind: 'traces', encoding: 'json', body: getOrderCalls(spread(40, 30, 48)), source: 'mine' })).spans, 40);
    assert.equal((await api.telemetry.service.ingest({ kind: 'traces', encoding: 'json', body: getOrderCalls(spread(40, 6, 11)), source: 'baseline' })).spans, 40);
    const lens = await eventually('the span lens with the baseline', async () => {
      const all = (await vscode.commands.executeCommand<vscode.CodeLens[]>('vscode.executeCodeLensProvider', ordersUri, 10_000)) ?? [];
      return all.find((l) => l.range.start.line === GET_ORDER_LINE - 1 && l.command?.title.includes('baseline'));
    });
    // ⏱, not ⚠: slice.metrics.regressionThreshold is still +10000 % from the test above
    assert.match(lens.command!.title, /^⏱ p95 4\d ms · baseline 11 ms · \+\d+ % · 40 calls · 5 min$/);
    await vscode.workspace.getConfiguration('slice.metrics').update('regressionThreshold', undefined, vscode.ConfigurationTarget.Global);
    const warned = await eventually('the span lens as a warning past the default +50 %', async () => {
      const all = (await vscode.commands.executeCommand<vscode.CodeLens[]>('vscode.executeCodeLensProvider', ordersUri, 10_000)) ?? [];
      return all.find((l) => l.range.start.line === GET_ORDER_LINE - 1 && l.command?.title.startsWith('⚠'));
    });
    assert.match(warned.command!.title, /^⚠ p95 4\d ms · baseline 11 ms · \+\d+ % · 40 calls · 5 min$/);
    const hover = await hoverText(GET_ORDER_LINE - 1);
    assert.match(hover, /Baseline: p50 .* · 40 calls · 0 errors/);
    assert.match(hover, /Slower than the baseline, p = .*Mann–Whitney U on the durations/);
  });
});
