import { test } from 'node:test';
import assert from 'node:assert/strict';
import { MASK, isSecretKey, redact, redactAttributes } from '../../../../src/core/telemetry/redact';

const cases: [string, string][] = [
  ['connect postgres://slice_alice:s3cr3t!x@postgres.slice-data.svc:5432/shop failed', `connect postgres://slice_alice:${MASK}@postgres.slice-data.svc:5432/shop failed`],
  ['redis://:hunter2@cache:6379', `redis://:${MASK}@cache:6379`],
  ['host=db user=app password=hunter2 sslmode=require', `host=db user=app password=${MASK} sslmode=require`],
  ['PGPASSWORD=abc123 node server.js', `PGPASSWORD=${MASK} node server.js`],
  ['{"user":"a","password":"p@ss word","n":1}', `{"user":"a","password":"${MASK}","n":1}`],
  ["client_secret: 'xyz'", `client_secret: '${MASK}'`],
  ['Authorization: Bearer abcdefghijklmnop.qrs', `Authorization: Bearer ${MASK}`],
  ['auth Basic dXNlcjpwYXNzd29yZA==', `auth Basic ${MASK}`],
  ['key AKIAIOSFODNN7EXAMPLE used', `key AKIA${MASK} used`],
  ['aws_secret_access_key=wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY', `aws_secret_access_key=${MASK}`],
  ['jwt eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U ok', `jwt ${MASK} ok`],
  ['GET /orders/42 200 in 12ms', 'GET /orders/42 200 in 12ms'],
];

test('secret-looking values are masked; the rest of the line stays readable', () => {
  for (const [input, want] of cases) assert.equal(redact(input), want, input);
});

test('a URL without a password and ordinary words are untouched', () => {
  assert.equal(redact('http://example.local:8080/path?q=1'), 'http://example.local:8080/path?q=1');
  assert.equal(redact('inventory reserved 3 items for order 7'), 'inventory reserved 3 items for order 7');
});

test('redaction is idempotent', () => {
  for (const [input] of cases) assert.equal(redact(redact(input)), redact(input), input);
});

test('attributes: secret-named keys are masked whole, other strings are redacted, other values kept', () => {
  assert.deepEqual(
    redactAttributes({ 'db.password': 'x', 'http.request.header.authorization': 'Basic abc', 'db.connection_string': 'postgres://u:pw@h/db', 'db.statement': 'SELECT 1', 'http.status_code': 200, 'url.full': 'https://u:pw@h/x', tags: ['password=1', 2] }),
    { 'db.password': MASK, 'http.request.header.authorization': MASK, 'db.connection_string': MASK, 'db.statement': 'SELECT 1', 'http.status_code': 200, 'url.full': `https://u:${MASK}@h/x`, tags: [`password=${MASK}`, 2] },
  );
  assert.ok(isSecretKey('api_key') && isSecretKey('X-Api-Key') && !isSecretKey('keyboard') && !isSecretKey('http.route'));
});
