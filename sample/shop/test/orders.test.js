'use strict';
// The orders service in memory mode (no DATABASE_URL), with a real inventory, on loopback ports:
//   npm test    (inside sample/shop, after npm install)
const { test, before, after } = require('node:test');
const assert = require('node:assert/strict');

process.env.HOST = '127.0.0.1';
process.env.DATABASE_URL = '';
process.env.INVENTORY_URL = 'http://127.0.0.1:18482';
process.env.WAREHOUSE_DELAY_MS = '5';
process.env.LOG_LEVEL = 'silent';

const running = [];
async function start(dir, port) {
  process.env.PORT = String(port);
  running.push(await require(`../services/${dir}/src/server.js`).start());
}

const call = async (method, path, body) => {
  const res = await fetch(`http://127.0.0.1:18481${path}`, { method, headers: body ? { 'content-type': 'application/json' } : {}, body: body ? JSON.stringify(body) : undefined });
  return { status: res.status, body: await res.json() };
};

before(async () => {
  await start('inventory', 18482);
  await start('orders', 18481);
});
after(async () => {
  for (const r of running) await r.close();
});

test('an order is priced with its coupon, saved, and read back', async () => {
  const created = await call('POST', '/orders', { sku: 'mug', qty: 2, coupon: 'SAVE10' });
  assert.equal(created.status, 201);
  assert.deepEqual([created.body.subtotal, created.body.discount, created.body.total], [18, 1.8, 16.2]);
  const read = await call('GET', `/orders/${created.body.id}`);
  assert.deepEqual(read, { status: 200, body: created.body });
});

test('a bulk item goes through the warehouse lookup', async () => {
  const created = await call('POST', '/orders', { sku: 'bulk-beans' });
  assert.equal(created.status, 201);
  assert.equal(created.body.total, 120);
});

test('the expired coupon throws: 500 with the reason', async () => {
  assert.deepEqual(await call('POST', '/orders', { sku: 'book', coupon: 'SUMMER23' }), { status: 500, body: { error: 'coupon SUMMER23 expired on 2023-09-30' } });
});

test('bad input, unknown sku, no stock, unknown order: 400, 404, 409, 404', async () => {
  assert.equal((await call('POST', '/orders', { qty: 1 })).status, 400);
  assert.equal((await call('POST', '/orders', { sku: 'nope' })).status, 404);
  assert.deepEqual(await call('POST', '/orders', { sku: 'tea' }), { status: 409, body: { error: 'only 0 of tea left' } });
  assert.equal((await call('GET', '/orders/00000000-0000-4000-8000-000000000009')).status, 404);
});
