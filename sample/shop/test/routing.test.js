'use strict';
// The slice routing key crosses every hop (telemetry/routing.js): a request that enters with the key
// (baggage member, or the plain header of a client without OpenTelemetry) calls the next service with
// it in `baggage`, and each service's spans carry the key's slice part (never its secret).
process.env.OTEL_EXPORTER_OTLP_ENDPOINT = 'http://127.0.0.1:9'; // nothing listens: exports fail quietly
process.env.OTEL_TRACES_EXPORTER = 'none';
process.env.OTEL_METRIC_EXPORT_INTERVAL = '600000';
process.env.LOG_LEVEL = 'silent';
require('../telemetry/register');
const { test, after } = require('node:test');
const assert = require('node:assert/strict');
const http = require('node:http');
const { trace } = require('@opentelemetry/api');
const { createServer, requestJson } = require('../lib/http');

const KEY = `alice-checkout.${'3f'.repeat(16)}`;
const servers = [];
after(() => servers.forEach((s) => s.close()));

function listen(server) {
  servers.push(server);
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server.address().port)));
}

function get(port, headers) {
  return new Promise((resolve, reject) => {
    http.get({ host: '127.0.0.1', port, path: '/front', headers }, (res) => {
      let body = '';
      res.on('data', (c) => (body += c));
      res.on('end', () => resolve(JSON.parse(body)));
    }).on('error', reject);
  });
}

async function chain() {
  const seen = {};
  const back = await listen(createServer([{ method: 'GET', path: '/back', handler: () => {
    seen.backSlice = trace.getActiveSpan()?.attributes['slice.routing.slice'];
    return { body: {} };
  } }]));
  // the raw headers the last hop receives
  const probe = await listen(http.createServer((req, res) => {
    seen.baggage = req.headers.baggage;
    seen.plain = req.headers['x-slice-routing-key'];
    res.end('{}');
  }));
  const front = await listen(createServer([{ method: 'GET', path: '/front', handler: async () => {
    seen.frontSlice = trace.getActiveSpan()?.attributes['slice.routing.slice'];
    await requestJson('GET', `http://127.0.0.1:${back}/back`);
    await requestJson('GET', `http://127.0.0.1:${probe}/probe`);
    return { body: seen };
  } }]));
  return front;
}

test('the baggage member is passed on to the next hop and its slice part lands on the spans', async () => {
  const seen = await get(await chain(), { baggage: `other=1,slice-routing-key=${KEY}` });
  assert.match(seen.baggage, new RegExp(`slice-routing-key=${KEY}`));
  assert.equal(seen.frontSlice, 'alice-checkout');
  assert.equal(seen.backSlice, 'alice-checkout');
});

test('the plain header becomes the baggage member downstream (clients without OpenTelemetry)', async () => {
  const seen = await get(await chain(), { 'x-slice-routing-key': KEY });
  assert.match(seen.baggage, new RegExp(`slice-routing-key=${KEY}`));
  assert.equal(seen.plain, undefined);
  assert.equal(seen.frontSlice, 'alice-checkout');
});

test('no key, or a malformed one: no baggage member, no span attribute', async () => {
  const none = await get(await chain(), {});
  assert.equal(none.baggage, undefined);
  assert.equal(none.frontSlice, undefined);
  const bad = await get(await chain(), { 'x-slice-routing-key': 'alice-checkout' });
  assert.equal(bad.baggage, undefined);
  assert.equal(bad.backSlice, undefined);
});
