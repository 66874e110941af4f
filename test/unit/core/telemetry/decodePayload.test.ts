import { test } from 'node:test';
import assert from 'node:assert/strict';
import { decodePayload } from '../../../../src/core/telemetry/decodePayload';
import { fixtureText } from './metrics/fixtures';
import { routeHistogramPayload } from '../../../support/routeHistograms';

test('a metrics payload decodes as metrics (it used to go to the log decoder)', () => {
  const a = decodePayload({ kind: 'metrics', encoding: 'json', body: fixtureText('cumulative.1.json'), source: 'slice' });
  assert.equal(a.kind, 'metrics');
  assert.ok(a.kind === 'metrics' && a.metrics.some((m) => m.name === 'http.server.request.duration' && m.source === 'slice'));
});

test('metrics the baseline\'s collector relayed (slice.source=baseline) are the baseline\'s', () => {
  const body = routeHistogramPayload('orders', [{ route: '/orders', method: 'POST', timeMs: 1_800_000_000_000, durationsMs: [5] }], { baseline: true });
  const a = decodePayload({ kind: 'metrics', encoding: 'json', body, source: 'slice' });
  assert.ok(a.kind === 'metrics');
  assert.deepEqual(a.metrics.map((m) => m.source), ['baseline']);
});
