import * as assert from 'node:assert/strict';
import { test } from 'node:test';
import { type LiveSessionFacts, liveRow, liveSummary } from '../../../../src/core/telemetry/liveSummary';

const session = (over: Partial<LiveSessionFacts> = {}): LiveSessionFacts => ({ workload: 'checkout', slice: 'fix-1', link: 'streaming', payloads: 0, refused: 0, dropped: 0, logLines: 0, ...over });

test('nothing streams: no description', () => {
  assert.deepEqual(liveSummary([]), { description: undefined, attention: false });
});

test('one session: its state beside the title; its row has the workload and the counts', () => {
  assert.deepEqual(liveSummary([session({ payloads: 1204 })]), { description: 'streaming', attention: false });
  assert.equal(liveSummary([session({ link: 'connecting' })]).description, 'connecting');
  const row = liveRow(session({ payloads: 1204, logLines: 1 }));
  assert.deepEqual(row, {
    label: 'checkout',
    description: 'streaming · 1,204 payloads · 1 log line',
    tooltip: 'Telemetry of checkout (slice fix-1): streaming\n1,204 OTLP payloads relayed by the agent, 1 container log line',
    attention: false,
  });
});

test('a link waiting to reconnect, refused and lost payloads are said, and call for attention', () => {
  assert.deepEqual(liveSummary([session({ link: 'waiting' })]), { description: 'reconnecting', attention: true });
  assert.match(liveRow(session({ link: 'waiting' })).tooltip, /\nThe agent is not reachable now; the link retries on its own/);
  assert.deepEqual(liveSummary([session({ refused: 2 })]), { description: 'streaming · 2 refused', attention: true });
  const row = liveRow(session({ payloads: 10, refused: 2, dropped: 3, logLines: 5 }));
  assert.equal(row.description, 'streaming · 10 payloads · 5 log lines · 2 refused · 3 lost');
  assert.deepEqual(row.tooltip.split('\n').slice(2), ['2 payloads refused: not valid OTLP, or too large (Slice: Show Logs says which and why).', "3 payloads lost: the agent's buffer overflowed before they reached the editor."]);
  assert.equal(row.attention, true);
  assert.equal(liveRow(session({ dropped: 3 })).attention, false); // lost is history, not a state to fix
});

test('several sessions: how many in each state, refused payloads added up', () => {
  const s = liveSummary([session(), session({ workload: 'orders', link: 'waiting', refused: 1 }), session({ workload: 'cart', slice: 'fix-2', refused: 4 })]);
  assert.deepEqual(s, { description: '2 streaming, 1 reconnecting · 5 refused', attention: true });
});
