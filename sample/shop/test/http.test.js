'use strict';
// lib/http.js listen(): lib/run.js reloads a service by starting the new code's server, which takes
// over the port this process listens on, then closing the old one. No connection may be dropped
// by a reload (a client behind kubectl port-forward or a proxy would hold a connection the server
// had ended and wait about a second for it to fail), and a kept-alive client must reach the new
// code at its next request. close() of the serving server (shutdown) ends every connection.
const { test } = require('node:test');
const assert = require('node:assert/strict');
const http = require('node:http');

process.env.HOST = '127.0.0.1';
process.env.LOG_LEVEL = 'silent';
const { listen } = require('../lib/http');

const PORT = 18583;
process.env.PORT = String(PORT);

function server(generation) {
  return http.createServer((req, res) => {
    setTimeout(() => res.end(`gen${generation}`), req.url === '/slow' ? 200 : 0);
  });
}

/** GET through `agent`: the body and the local port of the connection it went on. */
function get(agent, path) {
  return new Promise((resolve, reject) => {
    http
      .get({ host: '127.0.0.1', port: PORT, path, agent }, (res) => {
        const via = res.socket.localPort;
        let body = '';
        res.on('data', (c) => (body += c));
        res.on('end', () => resolve({ body, via }));
      })
      .on('error', reject);
  });
}

test('a reload answers the next request on a kept-alive connection with the new code, on the same connection; a request in flight finishes on the old code', async () => {
  const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
  const first = await listen(server(1), 'gen1', PORT);
  let latest = first;
  try {
    const before = await get(agent, '/');
    assert.equal(before.body, 'gen1');
    const slow = get(agent, '/slow'); // busy on that connection during the reload
    await new Promise((r) => setTimeout(r, 50));
    latest = await listen(server(2), 'gen2', PORT); // as lib/run.js: the new code first…
    await first.close(); // …then the old one's close, which must leave the port to the new code
    assert.deepEqual(await slow, { body: 'gen1', via: before.via }, 'the request in flight is answered by the code that took it');
    assert.deepEqual(await get(agent, '/'), { body: 'gen2', via: before.via }, 'the next request: the new code, on the same connection');
    latest = await listen(server(3), 'gen3', PORT);
    assert.deepEqual(await get(agent, '/'), { body: 'gen3', via: before.via });
  } finally {
    agent.destroy();
    await latest.close();
  }
});

test('close() of the serving server ends a keep-alive connection that was busy when it was called, and frees the port', async () => {
  const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
  const only = await listen(server(1), 'gen1', PORT);
  assert.equal((await get(agent, '/')).body, 'gen1'); // the agent now holds a kept-alive connection
  const slow = get(agent, '/slow');
  await new Promise((r) => setTimeout(r, 50));
  let timer;
  const closed = await Promise.race([only.close().then(() => true), new Promise((r) => (timer = setTimeout(() => r(false), 5000)))]);
  clearTimeout(timer);
  assert.equal((await slow).body, 'gen1', 'the request in flight is answered');
  assert.ok(closed, 'close() resolved: the busy connection was ended once idle');
  agent.destroy();
  const again = await listen(server(2), 'gen2', PORT); // the port is free: this one binds it
  try {
    assert.equal((await get(new http.Agent(), '/')).body, 'gen2');
  } finally {
    await again.close();
  }
});
