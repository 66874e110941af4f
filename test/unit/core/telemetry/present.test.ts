import { test } from 'node:test';
import assert from 'node:assert/strict';
import { lensTitle, statsLine, traceRow } from '../../../../src/core/telemetry/present';
import { WindowedStats } from '../../../../src/core/telemetry/aggregate/window';

const summaryOf = (durations: number[], errors = 0) => {
  const w = new WindowedStats(5);
  for (const d of durations) w.record(100, d, false);
  for (let i = 0; i < errors; i++) w.recordError(100);
  return w.summary(100);
};

test('issue 20 item 7: two calls of 1.9 ms and 0.46 ms: the lens says p95 1.9 ms, n=2 and the max; the hover p99 1.9 ms', () => {
  const s = summaryOf([1.9, 0.46]);
  const title = lensTitle(s, 5, { stale: false });
  assert.equal(title, '⏱ p95 1.9 ms · n=2 · max 1.9 ms · 5 min');
  assert.doesNotMatch(title, /p95 0\.5 ms/);
  assert.equal(statsLine(s), 'p50 0.5 ms · p95 1.9 ms · p99 1.9 ms · max 1.9 ms · 2 calls · 0 errors');
});

test('from 20 calls on, the lens counts calls and leaves the max to the hover', () => {
  const s = summaryOf(Array.from({ length: 40 }, (_, i) => 10 + i), 3);
  assert.equal(lensTitle(s, 5, { stale: true, source: 'baseline' }), '⏱ (stale) baseline: p95 47 ms · 40 calls · 3 errors · 5 min');
});

test('issue 20 item 8: a Recent Traces row says method, route, status, duration, spans and how long ago, and the label moves with the clock', () => {
  const t = { traceId: 'ab'.repeat(16), source: 'slice', name: 'GET', method: 'GET', route: '/orders/:id', status: 404, startMs: 1_000_000, durationMs: 4.2, spanCount: 3, errors: 0 };
  assert.deepEqual(traceRow(t, 1_000_004 + 12_000), { label: 'GET /orders/:id', description: '404 · 4.2 ms · 3 spans · 12 s ago' });
  assert.equal(traceRow(t, 1_000_004 + 125_000).description, '404 · 4.2 ms · 3 spans · 2 min ago');
  const plain = { ...t, name: 'nightly-job', method: undefined, route: undefined, status: undefined, errors: 1, spanCount: 1 };
  assert.deepEqual(traceRow(plain, 1_000_004, 'baseline'), { label: 'nightly-job', description: '4.2 ms · 1 span · 1 error · 0 s ago · baseline' });
});
