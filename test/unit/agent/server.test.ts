import { test } from 'node:test';
import assert from 'node:assert/strict';
import WebSocket from 'ws';
import { AgentServer } from '../../../src/agent/server';

async function withAgent(fn: (port: number) => Promise<void>): Promise<void> {
  const logs: string[] = [];
  const server = new AgentServer({ host: '127.0.0.1', port: 0, token: 'slice-token', syncRoot: '/app', version: 't', log: (l) => logs.push(l) });
  const port = await server.listen();
  try {
    await fn(port);
  } finally {
    await server.close();
  }
}

function connect(port: number, headers: Record<string, string>, path = '/v1/connect'): Promise<{ hello?: unknown; status?: number }> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(`ws://127.0.0.1:${port}${path}`, { headers });
    ws.once('message', (data: Buffer) => {
      resolve({ hello: JSON.parse(data.toString('utf8')) });
      ws.close();
    });
    ws.once('unexpected-response', (_req, res) => resolve({ status: res.statusCode ?? 0 }));
    ws.once('error', (e) => (e.message.includes('Unexpected server response') ? undefined : reject(e)));
  });
}

test('the agent admits the token holder and greets', async () => {
  await withAgent(async (port) => {
    const r = await connect(port, { authorization: 'Bearer slice-token' });
    assert.deepEqual({ ...(r.hello as object), pid: 0 }, { type: 'hello', agentVersion: 't', syncRoot: '/app', pid: 0 });
  });
});

test('the agent refuses a missing, wrong or misplaced token with 401', async () => {
  await withAgent(async (port) => {
    assert.equal((await connect(port, {})).status, 401);
    assert.equal((await connect(port, { authorization: 'Bearer slice-token2' })).status, 401);
    assert.equal((await connect(port, { authorization: 'Bearer slice-token' }, '/other')).status, 401);
  });
});

test('healthz answers without a token', async () => {
  await withAgent(async (port) => {
    const res = await fetch(`http://127.0.0.1:${port}/healthz`);
    assert.equal(res.status, 200);
    assert.equal(await res.text(), 'ok\n');
  });
});
