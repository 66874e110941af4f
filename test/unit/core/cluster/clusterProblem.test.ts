import { test } from 'node:test';
import assert from 'node:assert/strict';
import { classifyRequestFailure } from '../../../../src/core/cluster/clusterProblem';

const ctx = { contextName: 'dev', server: 'https://10.0.0.1:6443', user: 'alice', action: 'list namespaces' };

test('network failures are unreachable, with the reason in words', () => {
  const refused = classifyRequestFailure({ code: 'ECONNREFUSED', message: 'connect ECONNREFUSED' }, ctx);
  assert.equal(refused.kind, 'unreachable');
  assert.match(refused.message, /connection was refused/);
  assert.match(refused.message, /context "dev"/);
  assert.match(classifyRequestFailure({ code: 'ENOTFOUND', message: 'x' }, ctx).message, /does not resolve/);
});

test('timeouts, TLS, 401, 403, 404, 5xx each get their own message', () => {
  assert.equal(classifyRequestFailure({ message: 'aborted', timedOut: true }, ctx).kind, 'timeout');
  assert.equal(classifyRequestFailure({ code: 'ETIMEDOUT', message: 'x' }, ctx).kind, 'timeout');
  const tls = classifyRequestFailure({ code: 'CERT_HAS_EXPIRED', message: 'x' }, ctx);
  assert.equal(tls.kind, 'tls');
  assert.match(tls.message, /expired/);
  const unauth = classifyRequestFailure({ status: 401, message: 'HTTP-Code: 401' }, ctx);
  assert.equal(unauth.kind, 'unauthorized');
  assert.match(unauth.message, /user "alice"/);
  assert.match(unauth.message, /expired/);
  const forbidden = classifyRequestFailure({ status: 403, serverMessage: 'namespaces is forbidden: User "alice" cannot list resource', message: 'x' }, ctx);
  assert.equal(forbidden.kind, 'forbidden');
  assert.match(forbidden.message, /^User "alice" may not list namespaces/);
  assert.match(forbidden.detail, /cannot list resource/);
  assert.equal(classifyRequestFailure({ status: 404, message: 'x' }, ctx).kind, 'notFound');
  const server = classifyRequestFailure({ status: 503, serverMessage: 'etcd down', message: 'x' }, ctx);
  assert.equal(server.kind, 'server');
  assert.match(server.message, /HTTP 503: etcd down/);
});

test('unknown failures keep the server message, never a stack', () => {
  const p = classifyRequestFailure({ status: 418, serverMessage: 'bad', message: 'Error: x\n    at foo' }, ctx);
  assert.equal(p.kind, 'unknown');
  assert.match(p.message, /: bad\.$/);
});

test('an admission policy denial passes on its reason; conflicts and invalid requests say so', () => {
  const denied = classifyRequestFailure({ status: 403, serverMessage: 'slices.slice.dev "bob-x" is forbidden: ValidatingAdmissionPolicy \'slice-owner\' with binding \'slice-owner\' denied request: a developer may only create slices they own (spec.owner must be "alice")', message: 'x' }, { ...ctx, action: 'create slice bob-x' });
  assert.equal(denied.kind, 'forbidden');
  assert.equal(denied.message, 'The cluster refused to create slice bob-x: a developer may only create slices they own (spec.owner must be "alice").');
  assert.match(classifyRequestFailure({ status: 409, serverMessage: 'slices "alice-x" already exists', message: 'x' }, { ...ctx, action: 'create slice alice-x' }).message, /already exists/);
  assert.match(classifyRequestFailure({ status: 422, serverMessage: 'spec.baseline: Required value', message: 'x' }, ctx).message, /rejected the request to list namespaces: spec\.baseline: Required value/);
});
