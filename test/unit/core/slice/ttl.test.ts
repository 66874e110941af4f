import { test } from 'node:test';
import assert from 'node:assert/strict';
import { decideExpiry, isExpired, parseDuration, rfc3339 } from '../../../../src/core/slice/ttl';
import { DEFAULT_PLATFORM_CONFIG, parsePlatformConfig } from '../../../../src/core/slice/platformConfig';
import { checkSliceLimit } from '../../../../src/core/slice/limits';

const H = 3_600_000;
const cfg = { defaultTtlMs: 4 * H, maxTtlMs: 24 * H };
const now = Date.parse('2026-01-01T10:00:00Z');

test('parseDuration reads s/m/h/d and their combinations, rejects anything else', () => {
  assert.equal(parseDuration('4h'), 4 * H);
  assert.equal(parseDuration('90m'), 90 * 60_000);
  assert.equal(parseDuration('2d'), 48 * H);
  assert.equal(parseDuration('1h30m'), 90 * 60_000);
  assert.equal(parseDuration(' 45S '), 45_000);
  for (const bad of ['', '4', 'h', '4 h', '-1h', '1.5h', '0h', '4w']) assert.equal(parseDuration(bad), undefined, bad);
});

test('a new slice gets now + ttl, the default without one, and the maximum at most', () => {
  assert.deepEqual(decideExpiry({ ttl: '2h' }, now, cfg), { expiresAt: '2026-01-01T12:00:00Z', writeSpec: true });
  assert.deepEqual(decideExpiry({}, now, cfg), { expiresAt: '2026-01-01T14:00:00Z', writeSpec: true });
  const long = decideExpiry({ ttl: '3d' }, now, cfg);
  assert.equal(long.expiresAt, '2026-01-02T10:00:00Z');
  assert.match(long.note ?? '', /longer than the platform maximum 1d: capped/);
  const bad = decideExpiry({ ttl: 'soon' }, now, cfg);
  assert.equal(bad.expiresAt, '2026-01-01T14:00:00Z');
  assert.match(bad.note ?? '', /not a duration/);
});

test('an existing expiresAt is kept when within the cap and clamped when beyond it', () => {
  assert.deepEqual(decideExpiry({ ttl: '1h', expiresAt: '2026-01-01T20:00:00Z' }, now, cfg), { expiresAt: '2026-01-01T20:00:00Z', writeSpec: false });
  const far = decideExpiry({ expiresAt: '2026-02-01T00:00:00Z' }, now, cfg);
  assert.equal(far.expiresAt, '2026-01-02T10:00:00Z');
  assert.equal(far.writeSpec, true);
  assert.ok(isExpired('2026-01-01T09:59:59Z', now));
  assert.ok(!isExpired('2026-01-01T10:00:01Z', now));
  assert.ok(!isExpired(undefined, now));
  assert.equal(rfc3339(Date.parse('2026-01-01T10:00:00.789Z')), '2026-01-01T10:00:00Z');
});

test('platform config: defaults, overrides, and errors that name the key', () => {
  assert.deepEqual(parsePlatformConfig(undefined), DEFAULT_PLATFORM_CONFIG);
  const c = parsePlatformConfig({ defaultTTL: '1h', maxTTL: '2h', maxSlicesPerOwner: '5', agentImage: 'a:1', defaultQuotaPods: '3' });
  assert.equal(c.defaultTtlMs, H);
  assert.equal(c.maxSlicesPerOwner, 5);
  assert.equal(c.agentImage, 'a:1');
  assert.equal(c.defaultQuota.pods, 3);
  assert.throws(() => parsePlatformConfig({ maxTTL: 'forever' }), /maxTTL="forever" is not a duration/);
  assert.throws(() => parsePlatformConfig({ maxSlicesPerOwner: '-1' }), /maxSlicesPerOwner/);
  assert.throws(() => parsePlatformConfig({ defaultTTL: '2d', maxTTL: '1d' }), /longer than maxTTL/);
});

test('the per-owner limit admits the oldest slices and refuses the rest in words', () => {
  const all = [
    { name: 'alice-a', owner: 'alice', creationTimestamp: '2026-01-01T10:00:00Z' },
    { name: 'alice-b', owner: 'alice', creationTimestamp: '2026-01-01T10:01:00Z' },
    { name: 'bob-a', owner: 'bob', creationTimestamp: '2026-01-01T09:00:00Z' },
    { name: 'alice-c', owner: 'alice', creationTimestamp: '2026-01-01T10:02:00Z' },
    { name: 'alice-d', owner: 'alice', creationTimestamp: '2026-01-01T10:03:00Z' },
    { name: 'alice-gone', owner: 'alice', creationTimestamp: '2026-01-01T08:00:00Z', deleting: true },
  ];
  assert.deepEqual(checkSliceLimit(all[0]!, all, 3), { allowed: true });
  assert.deepEqual(checkSliceLimit(all[3]!, all, 3), { allowed: true });
  const refused = checkSliceLimit(all[4]!, all, 3);
  assert.equal(refused.allowed, false);
  assert.equal(refused.reason, 'SliceLimitExceeded');
  assert.equal(refused.message, 'alice already has 3 slices (the limit is 3): delete one first');
  assert.deepEqual(checkSliceLimit(all[2]!, all, 1), { allowed: true });
});
