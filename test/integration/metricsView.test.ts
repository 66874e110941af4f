// Issue 23 in the real extension host: Slice: Show Metrics. The sample app's recorded metrics
// (test/unit/core/telemetry/metrics/fixtures/cumulative.*.json, moved to now) come through the
// pipeline's ingest as the agent link delivers them, as my slice's and, marked as the baseline's
// collector marks them, as the baseline's; the view's webview gets the whole model (a chart per
// metric, the baseline's series beside mine), then only new points; an exemplar's trace opens in the
// trace panel; a message the page should not send does nothing.
import * as assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import * as vscode from 'vscode';
import { type SliceApi } from '../../src/container';
import { type MetricsViewMessage } from '../../src/app/telemetry/metricsView';
import { routeHistogramPayload } from '../support/routeHistograms';
import { activateSlice } from './helpers';

const repo = resolve(__dirname, '..', '..', '..');
const FIXTURES = join(repo, 'test', 'unit', 'core', 'telemetry', 'metrics', 'fixtures');
const SLICE = 'slice-metrics-view-it';
const TRACE = 'c0'.repeat(16);

/** A recorded payload with every time moved by `shiftNs`; marked as the baseline's when asked. */
function recorded(name: string, shiftNs: bigint, baseline: boolean): string {
  const o = JSON.parse(readFileSync(join(FIXTURES, name), 'utf8'), (key, v: unknown) => ((key === 'timeUnixNano' || key === 'startTimeUnixNano') && typeof v === 'string' ? String(BigInt(v) + shiftNs) : v)) as { resourceMetrics: { resource: { attributes: unknown[] } }[] };
  if (baseline) for (const r of o.resourceMetrics) r.resource.attributes.push({ key: 'slice.source', value: { stringValue: 'baseline' } });
  return JSON.stringify(o);
}

function traceBody(): string {
  const ns = (ms: number) => `${BigInt(Math.round(ms)) * 1_000_000n}`;
  const t = Date.now() - 20_000;
  const span = { traceId: TRACE, spanId: '00000000000000c1', name: 'POST /orders', kind: 2, startTimeUnixNano: ns(t), endTimeUnixNano: ns(t + 43), attributes: [{ key: 'http.route', value: { stringValue: '/orders' } }] };
  return JSON.stringify({ resourceSpans: [{ resource: { attributes: [{ key: 'service.name', value: { stringValue: 'orders' } }] }, scopeSpans: [{ scope: { name: 'shop' }, spans: [span] }] }] });
}

/** A POST /orders histogram point now (the recorded route and method: its charts are there already) with an exemplar of the trace above. */
function withExemplar(): string {
  const now = Date.now() - 15_000;
  const o = JSON.parse(routeHistogramPayload('orders', [{ route: '/orders', method: 'POST', status: 201, timeMs: now, durationsMs: [43] }])) as { resourceMetrics: { scopeMetrics: { metrics: { histogram: { dataPoints: Record<string, unknown>[] } }[] }[] }[] };
  o.resourceMetrics[0]!.scopeMetrics[0]!.metrics[0]!.histogram.dataPoints[0]!.exemplars = [{ timeUnixNano: `${BigInt(now - 2000) * 1_000_000n}`, asDouble: 0.043, traceId: TRACE, spanId: '00000000000000c1' }];
  return JSON.stringify(o);
}

async function eventually<T>(what: string, probe: () => T | undefined, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = probe();
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe('the metrics view (issue 23)', () => {
  let api: SliceApi;
  const models = (): Extract<MetricsViewMessage, { type: 'model' }>[] => api.telemetry.metricsPanel.posted.filter((m): m is Extract<MetricsViewMessage, { type: 'model' }> => m.type === 'model');

  before(async () => {
    api = await activateSlice();
    api.telemetry.service.clear();
    await vscode.workspace.getConfiguration('slice.metrics').update('refreshSeconds', 1, vscode.ConfigurationTarget.Global);
    const r = await api.telemetry.service.ingest({ kind: 'traces', encoding: 'json', body: traceBody(), source: 'mine' });
    assert.equal(r.spans, 1);
  });

  after(async () => {
    await vscode.workspace.getConfiguration('slice.metrics').update('refreshSeconds', undefined, vscode.ConfigurationTarget.Global);
    api.telemetry.service.clear();
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
  });

  it('shows a chart per metric of my slice with the baseline beside it, then only new points', async () => {
    const newest = 1_796_624_454_128_000_000n;
    const shift = BigInt(Date.now() - 5_000) * 1_000_000n - newest;
    for (const name of ['cumulative.1.json', 'cumulative.2.json', 'cumulative.3.json']) {
      for (const baseline of [false, true]) {
        const r = await api.telemetry.service.ingest({ kind: 'metrics', encoding: 'json', body: recorded(name, shift, baseline), source: 'slice', slice: SLICE });
        assert.equal(r.rejected, undefined);
      }
    }
    await vscode.commands.executeCommand('slice.showMetrics');
    assert.ok(api.telemetry.metricsPanel.visible);
    // the page loads (its script, bundled with uPlot, runs under the CSP), says ready, and gets the whole model
    await eventually('the page to say ready', () => (api.telemetry.metricsPanel.readyCount > 0 ? true : undefined));
    const model = await eventually('the model of the slice', () => models().find((m) => m.model.slice === SLICE && m.model.charts.length > 0)?.model);
    const p95 = model.charts.find((c) => c.metric === 'http.server.request.duration' && c.measure === 'p95');
    assert.ok(p95, model.charts.map((c) => c.title).join('\n'));
    assert.ok(p95.baseline, 'the baseline beside my slice');
    assert.ok(p95.mine.some((v) => v !== null) && p95.baseline.some((v) => v !== null), 'both series have points');
    assert.ok(model.charts.every((c) => c.mine.length === model.x.length && (c.baseline === undefined || c.baseline.length === model.x.length)), 'one time axis');
    assert.ok(model.charts.filter((c) => c.baseline).length >= 5, 'every recorded metric has its baseline twin');

    const before = api.telemetry.metricsPanel.posted.length;
    await api.telemetry.service.ingest({ kind: 'metrics', encoding: 'json', body: withExemplar(), source: 'slice', slice: SLICE });
    const update = await eventually('an update', () => api.telemetry.metricsPanel.posted.slice(before).find((m) => m.type === 'append'));
    assert.ok(update.type === 'append' && update.x.length < model.x.length / 4, 'only the new points travel');
    const ex = update.charts.flatMap((c) => c.exemplars).find((e) => e.traceId === TRACE);
    assert.ok(ex, 'the exemplar reached the view');
    assert.equal(ex.y, 43);
  });

  it("Enter on an exemplar opens its trace; a message the page should not send does nothing", async () => {
    await api.telemetry.metricsPanel.handleMessage({ type: 'openTrace', traceId: TRACE });
    await eventually('the trace panel', () => (api.telemetry.tracePanel.lastPosted?.traceId === TRACE ? true : undefined));
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    assert.equal(api.telemetry.tracePanel.visible, false);
    for (const bad of [{ type: 'openTrace', traceId: TRACE, command: 'slice.deleteSlice' }, { type: 'runCommand', command: 'slice.deleteSlice' }, { type: 'openTrace', traceId: 'slice.deleteSlice' }]) {
      await api.telemetry.metricsPanel.handleMessage(bad);
    }
    assert.equal(api.telemetry.tracePanel.visible, false, 'nothing opened');
  });
});
