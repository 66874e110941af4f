import { test } from 'node:test';
import assert from 'node:assert/strict';
import { durationText, formatDuration, ttlText } from '../../../../src/core/base/duration';
import { parseDuration } from '../../../../src/core/slice/ttl';

const H = 3_600_000;

test('formatDuration: how long, as a person would say it (floored, two units at most)', () => {
  assert.equal(formatDuration(30_000), '30s');
  assert.equal(formatDuration(5 * 60_000), '5m');
  assert.equal(formatDuration(125 * 60_000), '2h 05m');
  assert.equal(formatDuration(50 * H), '2d 2h');
  assert.equal(formatDuration(-5), '0s');
});

test('ttlText: the shortest exact text, which slice.yaml\'s ttl reads back as the same duration', () => {
  assert.equal(ttlText(90 * 60_000), '1h30m');
  assert.equal(ttlText(48 * H), '2d');
  assert.equal(ttlText(0), '0s');
  for (const ms of [45_000, 90 * 60_000, 26 * H + 61_000, 48 * H]) assert.equal(parseDuration(ttlText(ms)), ms);
});

test('durationText: a limit to the minute, whole hours as hours', () => {
  assert.equal(durationText(24 * H), '24h');
  assert.equal(durationText(90 * 60_000), '1h 30m');
  assert.equal(durationText(45 * 60_000), '45m');
});
