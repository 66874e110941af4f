// The data-branching decisions a hostile tenant would try to steer (issue 17): which databases a
// slice may branch, when a database is kept, re-made, deferred or refused, which are orphans, and
// the per-owner quota. Each case names the attack it stands for.
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import {
  type BranchMarker, type BranchSubject, checkSource, dataQuotaProblem, declaredDatabases, decideBranch, effectiveRowCap, markedFor, orphans, ownerDataBytes, parseMarker,
} from '../../../../src/core/slice/dataPolicy';

const alice: BranchSubject = { slice: 'alice-dev', uid: 'uid-a', owner: 'alice', baseline: 'shop', reset: '' };
const marker = (m: Partial<BranchMarker> = {}): BranchMarker => ({ 'slice.dev/slice': 'alice-dev', uid: 'uid-a', owner: 'alice', baseline: 'shop', complete: true, reset: '', branchedAt: '2026-12-07T10:00:00Z', ...m });
const T = Date.parse('2026-12-07T10:00:00Z');

test('only databases the baseline namespace declares are a source; never a slice database, a template or the admin database', () => {
  const declared = declaredDatabases({ labels: { 'slice.dev/postgres-baseline': 'shop' }, annotations: { 'slice.dev/postgres-databases': 'audit, shop ,' } });
  assert.deepEqual(declared, ['audit', 'shop']);
  assert.deepEqual(checkSource('shop', declared, 'shop', 'postgres'), { ok: true });
  // finding 2: bob's branch database named as the source
  const bobs = checkSource('slice_bob_dev_shop_0123456789abcdef', [...declared, 'slice_bob_dev_shop_0123456789abcdef'], 'shop', 'postgres');
  assert.equal(bobs.ok, false);
  for (const db of ['postgres', 'template1', 'template0', 'payroll']) assert.equal(checkSource(db, declared, 'shop', 'postgres').ok, false, db);
  const none = checkSource('shop', declaredDatabases({}), 'shop', 'postgres');
  assert.ok(!none.ok && none.message.includes('slice.dev/postgres-baseline'), JSON.stringify(none));
});

test('a database that is not provably this slice\'s is refused, never dropped or adopted', () => {
  assert.deepEqual(decideBranch(undefined, alice, T, 30_000), { kind: 'branch', why: 'creating' });
  assert.equal(decideBranch({}, alice, T, 30_000).kind, 'refuse', 'no marker: someone else\'s database');
  assert.equal(decideBranch({ marker: marker({ 'slice.dev/slice': 'bob-dev' }) }, alice, T, 30_000).kind, 'refuse', 'a name collision with bob\'s branch');
  assert.equal(decideBranch({ marker: marker({ baseline: 'other' }) }, alice, T, 30_000).kind, 'refuse');
  assert.equal(decideBranch({ marker: marker() }, alice, T, 30_000).kind, 'keep');
  assert.equal(decideBranch({ marker: marker({ complete: false }) }, alice, T, 30_000).kind, 'branch');
  assert.equal(decideBranch({ marker: marker({ uid: 'uid-old' }) }, alice, T, 30_000).kind, 'branch', 'left behind by a deleted slice of the same name');
});

test('a reset is rate-limited: one forced too soon waits for its turn', () => {
  const reset = { ...alice, reset: 'r2' };
  const soon = decideBranch({ marker: marker({ reset: 'r1' }) }, reset, T + 5_000, 30_000);
  assert.equal(soon.kind, 'wait');
  assert.equal(soon.kind === 'wait' && soon.atMs, T + 30_000);
  assert.deepEqual(decideBranch({ marker: marker({ reset: 'r1' }) }, reset, T + 30_000, 30_000), { kind: 'branch', why: 'resetting (spec.dataResetToken changed)' });
});

test('orphans: marked objects whose Slice is gone or was replaced; unmarked ones are never touched', () => {
  const live = new Map([['alice-dev', 'uid-a'], ['bob-dev', 'uid-b']]);
  const objs = [
    { name: 'a', marker: marker() },
    { name: 'b', marker: marker({ 'slice.dev/slice': 'bob-dev', uid: 'uid-b' }) },
    { name: 'gone', marker: marker({ 'slice.dev/slice': 'carol-dev', uid: 'uid-c' }) },
    { name: 'replaced', marker: marker({ uid: 'uid-older' }) },
    { name: 'unmarked' },
  ];
  assert.deepEqual(orphans(objs, live), ['gone', 'replaced']);
  assert.ok(markedFor(marker(), alice));
  assert.ok(!markedFor(marker({ uid: 'x' }), alice));
  assert.ok(markedFor(marker({ uid: undefined }), alice), 'markers of older versions carry no uid');
});

test('the per-owner data quota sums all of an owner\'s branches; rowCap is capped and says so', () => {
  const dbs = [{ name: 'a', marker: marker(), sizeBytes: 700 }, { name: 'b', marker: marker({ 'slice.dev/slice': 'alice-x' }), sizeBytes: 400 }, { name: 'c', marker: marker({ owner: 'bob' }), sizeBytes: 5000 }];
  assert.equal(ownerDataBytes(dbs, 'alice'), 1100);
  assert.equal(dataQuotaProblem(1100, 2000), undefined);
  assert.match(dataQuotaProblem(1100, 1000) ?? '', /over the 1 KiB the platform allows per developer/);
  assert.equal(dataQuotaProblem(1e12, 0), undefined, '0 means no cap');
  assert.deepEqual(effectiveRowCap(500, 1000), { rowCap: 500 });
  assert.equal(effectiveRowCap(5_000_000, 100_000).rowCap, 100_000);
});

test('markers: only well-formed slice markers count', () => {
  assert.equal(parseMarker(null), undefined);
  assert.equal(parseMarker('hello'), undefined);
  assert.equal(parseMarker('{"slice.dev/slice":"x"}'), undefined);
  assert.equal(parseMarker('{"slice.dev/slice":"x","baseline":"shop","complete":true}')?.baseline, 'shop');
  assert.equal(parseMarker('{broken'), undefined);
});
