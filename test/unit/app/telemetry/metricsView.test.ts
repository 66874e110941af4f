// The metrics view's feed: the whole model first, then only new points as metrics arrive (at most
// once per refresh interval), the empty state when nothing has arrived, the slice's charts gone with
// its store; and the webview's messages checked before the host acts on them (a page that tries to
// make the host run something else than opening a trace by its id gets nothing).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { nullLogger } from '../../../../src/core/base/logger';
import { SliceMetrics } from '../../../../src/app/telemetry/sliceMetrics';
import { type MetricsViewMessage, MetricsViewFeed, isMetricsWebviewMessage } from '../../../../src/app/telemetry/metricsView';
import { applyUpdate } from '../../../../src/core/telemetry/metrics/chartModel';
import { decodeMetricsJson } from '../../../../src/core/telemetry/metrics/decode';
import { RejectionCounter } from '../../../../src/core/telemetry/rejections';
import { SOURCE_BASELINE } from '../../../../src/core/telemetry/model';
import { routeHistogramPayload } from '../../../support/routeHistograms';

const NOW = 1_800_000_000_000;
const decoded = (timeMs: number, durationsMs: number[], baseline = false) => {
  const r = decodeMetricsJson(routeHistogramPayload('orders', [{ route: '/orders', method: 'GET', timeMs, durationsMs }], { baseline }), { source: baseline ? SOURCE_BASELINE : 'slice', counter: new RejectionCounter() });
  assert.ok(r.ok);
  return r.value;
};

test('the feed posts the whole model, then only the new points; what the webview holds is the model', (t) => {
  t.mock.timers.enable({ apis: ['setInterval', 'setTimeout'] });
  let now = NOW;
  const metrics = new SliceMetrics(nullLogger);
  const posted: MetricsViewMessage[] = [];
  const feed = new MetricsViewFeed(metrics, { windowMinutes: () => 5, refreshSeconds: () => 5 }, (m) => posted.push(m), () => now);
  try {
    feed.reset();
    assert.equal(posted.length, 1);
    assert.equal(posted[0]?.type, 'model');
    assert.equal(posted[0]?.type === 'model' && posted[0].model.slice, '', 'nothing has arrived: the empty state');

    now += 6000;
    metrics.ingest('alice-shop', [...decoded(NOW - 30_000, [10, 12]), ...decoded(NOW - 30_000, [6, 7], true)], now);
    assert.equal(posted.length, 2, 'metrics arrived and the last refresh is older than the interval: at once');
    const first = posted[1]!;
    assert.ok(first.type === 'model' && first.model.slice === 'alice-shop' && first.model.charts.length === 2 && first.model.charts.every((c) => c.baseline !== undefined));

    now += 1000;
    metrics.ingest('alice-shop', decoded(NOW - 5_000, [40]), now);
    assert.equal(posted.length, 2, 'within the refresh interval: later');
    now += 4000;
    t.mock.timers.tick(4000);
    assert.equal(posted.length, 3);
    const second = posted[2]!;
    assert.equal(second.type, 'append', 'only the new points');
    assert.ok(second.type === 'append' && second.x.length <= 3 && second.x.length < (feed.model?.x.length ?? 0) / 5, `the steps from the new point on (${second.type === 'append' ? second.x.length : '-'})`);
    let held = applyUpdate(undefined, first);
    held = applyUpdate(held, second);
    assert.deepEqual(held, feed.model, 'the webview, applying the updates, holds the model');

    metrics.forget('alice-shop');
    now += 5000;
    t.mock.timers.tick(5000);
    const last = posted.at(-1)!;
    assert.ok(last.type === 'model' && last.model.slice === '' && last.model.charts.length === 0, 'the slice is gone: its charts with it, no popup');
    assert.equal(last.type === 'model' && last.model.ended, 'alice-shop', 'the view says which slice went');
    now += 5000;
    t.mock.timers.tick(5000);
    assert.equal(posted.at(-1), last, 'and keeps saying it (nothing new to post)');
  } finally {
    feed.dispose();
    metrics.dispose();
  }
});

test("the webview's messages are checked: only ready and openTrace with a 32-hex-digit trace id", () => {
  assert.equal(isMetricsWebviewMessage({ type: 'ready' }), true);
  assert.equal(isMetricsWebviewMessage({ type: 'openTrace', traceId: 'ab'.repeat(16) }), true);
  for (const bad of [
    null,
    'ready',
    { type: 'ready', extra: 1 },
    { type: 'openTrace', traceId: 'AB'.repeat(16) },
    { type: 'openTrace', traceId: 'ab'.repeat(15) },
    { type: 'openTrace', traceId: `${'ab'.repeat(16)}\n` },
    { type: 'openTrace', traceId: 'ab'.repeat(16), command: 'workbench.action.terminal.new' },
    { type: 'runCommand', command: 'slice.deleteSlice' },
    { type: 'openTrace', traceId: 42 },
  ]) {
    assert.equal(isMetricsWebviewMessage(bad), false, JSON.stringify(bad));
  }
});
