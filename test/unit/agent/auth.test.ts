import { test } from 'node:test';
import assert from 'node:assert/strict';
import { bearerToken, tokenMatches } from '../../../src/agent/auth';

test('tokenMatches accepts only the exact token', () => {
  assert.equal(tokenMatches('s3cret', 's3cret'), true);
  assert.equal(tokenMatches('s3cret ', 's3cret'), false);
  assert.equal(tokenMatches('s3cre', 's3cret'), false);
  assert.equal(tokenMatches(undefined, 's3cret'), false);
  assert.equal(tokenMatches('', ''), false, 'an empty expected token admits nobody');
});

test('bearerToken parses the Authorization header strictly', () => {
  assert.equal(bearerToken('Bearer abc'), 'abc');
  assert.equal(bearerToken('bearer   abc  '), 'abc');
  assert.equal(bearerToken('Basic abc'), undefined);
  assert.equal(bearerToken('Bearer a b'), undefined);
  assert.equal(bearerToken(undefined), undefined);
});
