import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ApiException } from '@kubernetes/client-node';
import { apiMessage, isConflict, isNotFound, statusCodeOf, statusMessage } from '../../../../src/core/cluster/apiErrors';

/** What @kubernetes/client-node 1.x throws for a refused call: the Status as JSON text in `body`, a multi-line message. */
function apiException(code: number, status: unknown): ApiException<string> {
  const body = typeof status === 'string' ? status : JSON.stringify(status);
  return new ApiException(code, `HTTP-Code: ${code}\nMessage: Unknown API Status Code!\nBody: ${body}\nHeaders: {}`, body, {});
}

test('the API server message of a real client ApiException, and its status', () => {
  const e = apiException(404, { kind: 'Status', status: 'Failure', message: 'namespaces "shop" not found', reason: 'NotFound', code: 404 });
  assert.equal(statusCodeOf(e), 404);
  assert.equal(apiMessage(e), 'namespaces "shop" not found');
  assert.equal(isNotFound(e), true);
  assert.equal(isConflict(e), false);
  const conflict = apiException(409, { kind: 'Status', message: 'Operation cannot be fulfilled on leases "slice-controller": the object has been modified', code: 409 });
  assert.equal(isConflict(conflict), true);
  assert.equal(isNotFound(conflict), false);
});

test('the status is read from code, statusCode or response.statusCode (older clients), first number wins', () => {
  assert.equal(statusCodeOf({ statusCode: 403 }), 403);
  assert.equal(statusCodeOf({ response: { statusCode: 422 } }), 422);
  assert.equal(statusCodeOf({ code: 409, statusCode: 500 }), 409);
  // A Node system error's code is a string (ECONNREFUSED): not an HTTP status.
  assert.equal(statusCodeOf(Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:16443'), { code: 'ECONNREFUSED' })), undefined);
  assert.equal(statusCodeOf({ response: null }), undefined);
});

test('a value that is no error object has no status and is not NotFound', () => {
  for (const v of [undefined, null, 'boom', 404, true]) {
    assert.equal(statusCodeOf(v), undefined);
    assert.equal(isNotFound(v), false);
  }
});

test('a body already parsed into an object gives its message', () => {
  assert.equal(apiMessage({ code: 403, body: { kind: 'Status', message: 'pods is forbidden: User "bob" cannot create resource "pods"' } }), 'pods is forbidden: User "bob" cannot create resource "pods"');
});

test('without a Status message: the first line of the error message, never the raw body or a stack', () => {
  // Body that is no JSON (a proxy's HTML page), a Status without message, an empty message.
  assert.equal(apiMessage(apiException(502, '<html>Bad Gateway</html>')), 'HTTP-Code: 502');
  assert.equal(apiMessage(apiException(500, { kind: 'Status' })), 'HTTP-Code: 500');
  assert.equal(apiMessage(apiException(500, { kind: 'Status', message: '' })), 'HTTP-Code: 500');
  const withStack = new Error('socket hang up');
  assert.equal(apiMessage(withStack), 'socket hang up');
  assert.doesNotMatch(apiMessage(new Error('first line\n    at foo (x.js:1:1)')), /at foo/);
});

test('a thrown non-Error is put in words', () => {
  assert.equal(apiMessage('timed out'), 'timed out');
  assert.equal(apiMessage(undefined), 'undefined');
  assert.equal(apiMessage(null), 'null');
  assert.equal(apiMessage({ body: 42 }), '[object Object]');
});

test('statusMessage: the message of a Status object or of its JSON text; none when absent, empty or not a string', () => {
  const status = { kind: 'Status', status: 'Failure', message: 'slices.slice.dev "alice-x" already exists', reason: 'AlreadyExists', code: 409 };
  assert.equal(statusMessage(status), status.message);
  assert.equal(statusMessage(JSON.stringify(status)), status.message);
  for (const body of [undefined, null, 42, '', '{}', '"a JSON string"', 'null', JSON.stringify({ message: '' }), JSON.stringify({ message: 7 }), { message: ['x'] }]) {
    assert.equal(statusMessage(body), undefined, `body ${JSON.stringify(body)}`);
    assert.equal(statusMessage(body, { keepTextBodyBelow: 500 }), undefined, `body ${JSON.stringify(body)} with keepTextBodyBelow`);
  }
});

test('statusMessage: a body that is not JSON is no message unless keepTextBodyBelow keeps a short one as it is', () => {
  assert.equal(statusMessage('404 page not found'), undefined);
  assert.equal(statusMessage('404 page not found', { keepTextBodyBelow: 500 }), '404 page not found');
  assert.equal(statusMessage('<html>Bad Gateway</html>', { keepTextBodyBelow: 500 }), '<html>Bad Gateway</html>');
  // The limit is exclusive: 499 characters are kept, 500 are not.
  assert.equal(statusMessage('x'.repeat(499), { keepTextBodyBelow: 500 }), 'x'.repeat(499));
  assert.equal(statusMessage('x'.repeat(500), { keepTextBodyBelow: 500 }), undefined);
  // JSON text is always parsed, whatever the option: the raw JSON is never the message.
  assert.equal(statusMessage('{"kind":"Status"}', { keepTextBodyBelow: 500 }), undefined);
});
