'use strict';
// lib/http.js listen(): close() must end keep-alive connections, also the ones busy when it is
// called, or a client that keeps one open is served by the closed server's code (lib/run.js reloads
// a service by closing its server and starting the new code's).
const { test } = require('node:test');
const assert = require('node:assert/strict');
const http = require('node:http');

process.env.HOST = '127.0.0.1';
process.env.LOG_LEVEL = 'silent';
const { listen } = require('../lib/http');

const PORT = 18583;

function server(generation) {
  return http.createServer((req, res) => {
    setTimeout(() => res.end(`gen${generation}`), req.url === '/slow' ? 200 : 0);
  });
}

function get(agent, path) {
  return new Promise((resolve, reject) => {
    http
      .get({ host: '127.0.0.1', port: PORT, path, agent }, (res) => {
        let body = '';
        res.on('data', (c) => (body += c));
        res.on('end', () => resolve(body));
      })
      .on('error', reject);
  });
}

test('close() ends a keep-alive connection that was busy when it was called; the next request reaches the new server', async () => {
  process.env.PORT = String(PORT);
  const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
  const first = await listen(server(1), 'gen1', PORT);
  assert.equal(await get(agent, '/'), 'gen1'); // the agent now holds a kept-alive connection
  const slow = get(agent, '/slow'); // busy on that connection while the server closes
  await new Promise((r) => setTimeout(r, 50));
  let timer;
  const closed = await Promise.race([first.close().then(() => true), new Promise((r) => (timer = setTimeout(() => r(false), 5000)))]);
  clearTimeout(timer);
  assert.equal(await slow, 'gen1', 'the request in flight is answered');
  assert.ok(closed, 'close() resolved: the busy connection was ended once idle');
  const second = await listen(server(2), 'gen2', PORT);
  try {
    // a kept-alive socket the server ended may still be in the agent's pool until the client reads
    // the end: the request on it fails and is sent again on a new one, as HTTP clients do
    assert.equal(await get(agent, '/').catch(() => get(agent, '/')), 'gen2');
  } finally {
    agent.destroy();
    await second.close();
  }
});
