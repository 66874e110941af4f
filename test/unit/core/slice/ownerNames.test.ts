// Owner slugs (issue 17, finding 5): two usernames never share a slug, and no one can pick a username
// whose slug is another's; a clash that got through anyway refuses the later owner's Slices.
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { checkOwnerSlug } from '../../../../src/core/slice/limits';
import { ownerSlug, sliceNamespace } from '../../../../src/core/slice/sliceResource';
import { loggablePath } from '../../../../src/core/base/urlPath';

test('plain usernames pass unchanged; every other username gets a readable part and 12 hex digits of its SHA-256', () => {
  assert.equal(ownerSlug('alice'), 'alice');
  assert.match(ownerSlug('Bob@x'), /^bob--[0-9a-f]{12}$/);
  assert.notEqual(ownerSlug('Bob@x'), ownerSlug('bob'), 'Bob@x and bob slugged alike before');
  assert.notEqual(ownerSlug('Bob@x'), ownerSlug('bob@y'));
  const long = 'a'.repeat(25);
  assert.notEqual(ownerSlug(long), ownerSlug(`${long}b`), 'long names were cut to 20 characters and met');
  assert.notEqual(ownerSlug('bob--x'), 'bob--x', 'a plain-looking name with -- is hashed too, so it cannot squat a hashed slug');
  assert.ok(ownerSlug(ownerSlug('Bob@x')) !== ownerSlug('Bob@x'), 'choosing the username "bob--<digest>" does not give Bob@x\'s slug');
  for (const u of ['Bob@x', 'system:serviceaccount:ns:sa', 'ünïcode', '--', '']) {
    assert.match(ownerSlug(u), /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/, u);
    assert.ok(ownerSlug(u).length <= 20, u);
  }
  assert.ok(sliceNamespace('Bob@example.com', 'dev').length <= 63);
});

test('an owner slug clash refuses the later owner, never merges them', () => {
  const same = () => 'bob';
  const all = [
    { name: 'bob-a', owner: 'bob', creationTimestamp: '2026-01-01T00:00:00Z' },
    { name: 'bob-b', owner: 'Bob@x', creationTimestamp: '2026-01-02T00:00:00Z' },
  ];
  assert.equal(checkOwnerSlug(all[0]!, all, same), undefined);
  assert.match(checkOwnerSlug(all[1]!, all, same) ?? '', /same name in the cluster \(bob\) as another developer's \(bob\)/);
  assert.equal(checkOwnerSlug(all[1]!, all, ownerSlug), undefined, 'with real slugs they do not clash');
});

test('the agent logs a request path, never its query string', () => {
  assert.equal(loggablePath('/v1/connect?token=secret'), '/v1/connect?…');
  assert.equal(loggablePath('/v1/traces'), '/v1/traces');
  assert.equal(loggablePath('/a#frag=secret'), '/a?…');
  assert.equal(loggablePath(undefined), '?');
  assert.equal(loggablePath('/x\u001b[31m'), '/x\\x1b[31m');
  assert.ok(loggablePath(`/${'a'.repeat(500)}`).length < 210);
});
