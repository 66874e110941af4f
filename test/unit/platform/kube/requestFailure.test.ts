import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ApiException } from '@kubernetes/client-node';
import { classifyRequestFailure } from '../../../../src/core/cluster/clusterProblem';
import { toRequestFailure } from '../../../../src/platform/kube/requestFailure';

const ctx = { contextName: 'dev', server: 'https://127.0.0.1:16443', user: 'alice', action: 'create slice alice-x' };

/** What @kubernetes/client-node 1.x throws when the server answers with an error status: the body as text, a multi-line message. */
function apiException(code: number, body: string): ApiException<string> {
  return new ApiException(code, `HTTP-Code: ${code}\nMessage: Unknown API Status Code!\nBody: ${body}\nHeaders: {}`, body, {});
}

test('a Status answer: its status, its message, and the first line of the client message', () => {
  const body = JSON.stringify({ kind: 'Status', status: 'Failure', message: 'spec.baseline: Required value', reason: 'Invalid', code: 422 });
  const f = toRequestFailure(apiException(422, body), false);
  assert.deepEqual(f, { status: 422, serverMessage: 'spec.baseline: Required value', message: 'HTTP-Code: 422' });
  assert.equal(classifyRequestFailure(f, ctx).message, 'The cluster rejected the request to create slice alice-x: spec.baseline: Required value');
});

test('a short plain-text answer is kept as the server message (the API server mux says "404 page not found")', () => {
  const f = toRequestFailure(apiException(404, '404 page not found'), false);
  assert.equal(f.serverMessage, '404 page not found');
  assert.match(classifyRequestFailure(f, ctx).detail, /404 \| 404 page not found \| HTTP-Code: 404/);
  const gateway = toRequestFailure(apiException(502, 'Bad Gateway'), false);
  assert.equal(classifyRequestFailure(gateway, ctx).message, 'The cluster at https://127.0.0.1:16443 (context "dev") failed to create slice alice-x (HTTP 502: Bad Gateway). Retry in a moment.');
});

test('a long plain-text answer (an HTML error page) is not shown; the message falls back to the first line', () => {
  const page = `<html><body>${'x'.repeat(600)}</body></html>`;
  const f = toRequestFailure(apiException(500, page), false);
  assert.equal(f.serverMessage, undefined);
  const problem = classifyRequestFailure(f, ctx);
  assert.equal(problem.message, 'The cluster at https://127.0.0.1:16443 (context "dev") failed to create slice alice-x (HTTP 500). Retry in a moment.');
  assert.doesNotMatch(problem.detail, /<html>/);
});

test('a Status with an empty message is no server message: the user reads the client line, not an empty reason', () => {
  const f = toRequestFailure(apiException(422, JSON.stringify({ kind: 'Status', message: '' })), false);
  assert.equal(f.serverMessage, undefined);
  assert.equal(classifyRequestFailure(f, ctx).message, 'The cluster rejected the request to create slice alice-x: HTTP-Code: 422');
});

test('a network error: its code, found on the error or its causes, and its first line', () => {
  const refused = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:16443\n    at TCPConnectWrap.afterConnect'), { code: 'ECONNREFUSED' });
  assert.deepEqual(toRequestFailure(refused, false), { code: 'ECONNREFUSED', message: 'connect ECONNREFUSED 127.0.0.1:16443', timedOut: false });
  const wrapped = new TypeError('fetch failed', { cause: Object.assign(new Error('getaddrinfo ENOTFOUND nowhere.invalid'), { errno: 'ENOTFOUND' }) });
  assert.equal(toRequestFailure(wrapped, false).code, 'ENOTFOUND');
  assert.equal(toRequestFailure(new Error('plain'), false).code, undefined);
});

test('a timeout: said by the caller, or an AbortError/TimeoutError', () => {
  assert.equal(toRequestFailure(new Error('x'), true).timedOut, true);
  assert.equal(toRequestFailure(Object.assign(new Error('aborted'), { name: 'AbortError' }), false).timedOut, true);
  assert.equal(toRequestFailure(new DOMException('signal timed out', 'TimeoutError'), false).timedOut, true);
  assert.equal(toRequestFailure('not an error', false).timedOut, false);
});
