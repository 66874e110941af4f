import { test } from 'node:test';
import assert from 'node:assert/strict';
import { type RequestLine, parseRequest } from '../../../../src/core/cluster/requestLine';

function parsed(line: string): RequestLine {
  const r = parseRequest(line);
  if (!r.ok) throw new Error(`"${line}" did not parse: ${r.error}`);
  return r.value;
}

function problem(line: string): string {
  const r = parseRequest(line);
  if (r.ok) throw new Error(`"${line}" parsed as ${JSON.stringify(r.value)}`);
  return r.error;
}

test('a method and a path', () => {
  assert.deepEqual(parsed('GET /orders'), { method: 'GET', path: '/orders', body: undefined });
  assert.deepEqual(parsed('delete /orders/17'), { method: 'DELETE', path: '/orders/17', body: undefined });
  assert.deepEqual(parsed('  HEAD   /healthz  '), { method: 'HEAD', path: '/healthz', body: undefined });
  assert.deepEqual(parsed('GET /orders?limit=5&sort=desc'), { method: 'GET', path: '/orders?limit=5&sort=desc', body: undefined });
  assert.deepEqual(parsed('GET /'), { method: 'GET', path: '/', body: undefined });
});

test('a path alone is a GET; a path with a body is a POST', () => {
  assert.deepEqual(parsed('/orders/999999'), { method: 'GET', path: '/orders/999999', body: undefined });
  assert.deepEqual(parsed('/orders {"item":"book"}'), { method: 'POST', path: '/orders', body: '{"item":"book"}' });
});

test('the body is the rest of the line, blanks and all; a method keeps its body', () => {
  assert.deepEqual(parsed('PUT /orders/1 { "item": "pen", "qty": 2 }'), { method: 'PUT', path: '/orders/1', body: '{ "item": "pen", "qty": 2 }' });
  assert.deepEqual(parsed('PATCH /orders/1\t{"qty":3}  '), { method: 'PATCH', path: '/orders/1', body: '{"qty":3}' });
  assert.deepEqual(parsed('POST /orders {"note":"a\nb"}'), { method: 'POST', path: '/orders', body: '{"note":"a\nb"}' });
});

test('an empty line asks for a request, with an example', () => {
  for (const line of ['', '   ', '\t']) assert.equal(problem(line), 'Write a request, e.g. GET /orders or POST /orders {"item":"book"}.');
});

test('an unknown method names the methods it knows', () => {
  assert.equal(problem('FETCH /orders'), 'FETCH is not a method Send Request knows: use GET, POST, PUT, PATCH, DELETE or HEAD, e.g. GET /orders or POST /orders {"item":"book"}.');
  assert.match(problem('GETT /orders'), /^GETT is not a method/);
});

test('a path without its leading slash says how to write it', () => {
  assert.equal(problem('GET orders'), 'The path must start with /: write GET /orders.');
  assert.equal(problem('post orders/1 {"a":1}'), 'The path must start with /: write POST /orders/1.');
});

test('a method without a path asks for one', () => {
  assert.equal(problem('GET'), 'GET needs a path: write e.g. GET /orders.');
  assert.equal(problem(' delete '), 'DELETE needs a path: write e.g. DELETE /orders.');
});

test('a URL or other text is neither a method nor a path', () => {
  assert.equal(problem('http://orders:8080/orders'), '"http://orders:8080/orders" is neither a method nor a path: write e.g. GET /orders or POST /orders {"item":"book"}.');
  assert.match(problem('GET/orders'), /"GET\/orders" is neither a method nor a path/);
  assert.match(problem('{"item":"book"}'), /neither a method nor a path/);
});
