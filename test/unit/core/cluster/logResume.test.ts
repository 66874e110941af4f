import { test } from 'node:test';
import assert from 'node:assert/strict';
import { LogResume, sinceTimeOf, splitTimestamp, timestampKey } from '../../../../src/core/cluster/logResume';

const deliver = (r: LogResume, lines: string[]) => lines.map((l) => r.accept(l)).filter((l) => l !== undefined).map((l) => `${l.timestamp} ${l.text}`);

test('timestamps split off, sort by their nanoseconds, and give the second sinceTime takes', () => {
  assert.deepEqual(splitTimestamp('2026-11-26T14:30:00.12Z GET /orders 200'), { timestamp: '2026-11-26T14:30:00.12Z', text: 'GET /orders 200' });
  assert.deepEqual(splitTimestamp('no timestamp here'), { timestamp: '', text: 'no timestamp here' });
  assert.deepEqual(splitTimestamp('2026-11-26T14:30:00Z'), { timestamp: '2026-11-26T14:30:00Z', text: '' });
  // RFC3339Nano drops trailing zeros: ".5" is after ".123456789" although it sorts before it as text
  assert.ok(timestampKey('2026-11-26T14:30:00.5Z') > timestampKey('2026-11-26T14:30:00.123456789Z'));
  assert.ok(timestampKey('2026-11-26T14:30:00Z') < timestampKey('2026-11-26T14:30:00.000000001Z'));
  assert.equal(sinceTimeOf('2026-11-26T14:30:07.999Z'), '2026-11-26T14:30:07Z');
});

test('a reconnect with sinceTime delivers nothing twice and loses nothing at the boundary', () => {
  const r = new LogResume();
  assert.equal(r.resume(), undefined, 'nothing delivered yet: from the start');
  const before = ['2026-11-26T14:30:06.9Z a', '2026-11-26T14:30:07.1Z b', '2026-11-26T14:30:07.5Z c', '2026-11-26T14:30:07.5Z c'];
  assert.deepEqual(deliver(r, before), before);
  assert.equal(r.resume(), '2026-11-26T14:30:07Z');
  // the API resends the whole second 14:30:07, then new lines; one more "c" at the same nanosecond is new
  const replay = ['2026-11-26T14:30:07.1Z b', '2026-11-26T14:30:07.5Z c', '2026-11-26T14:30:07.5Z c', '2026-11-26T14:30:07.5Z c', '2026-11-26T14:30:07.6Z d'];
  assert.deepEqual(deliver(r, replay), ['2026-11-26T14:30:07.5Z c', '2026-11-26T14:30:07.6Z d']);
  // a second reconnect right away: the boundary moved to .6
  assert.equal(r.resume(), '2026-11-26T14:30:07Z');
  assert.deepEqual(deliver(r, [...replay, '2026-11-26T14:30:08Z e']), ['2026-11-26T14:30:08Z e']);
});

test('a new pod starts from nothing delivered', () => {
  const r = new LogResume();
  deliver(r, ['2026-11-26T14:30:07.5Z x']);
  r.reset();
  assert.equal(r.resume(), undefined);
  assert.deepEqual(deliver(r, ['2026-11-26T14:30:01Z x']), ['2026-11-26T14:30:01Z x'], 'an older line of another pod is not a duplicate');
});

test('lines without a timestamp pass through', () => {
  const r = new LogResume();
  assert.deepEqual(r.accept('\u001b[31mred\u001b[0m'), { timestamp: '', text: '\u001b[31mred\u001b[0m' });
});
