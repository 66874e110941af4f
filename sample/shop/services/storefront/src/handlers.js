'use strict';
const { requestJson, SERVED_BY } = require('../../../lib/http');
const { logger } = require('../../../telemetry/logger');
const { traced } = require('../../../telemetry/traced');

const ORDERS_URL = process.env.ORDERS_URL || 'http://127.0.0.1:8081';
const INVENTORY_URL = process.env.INVENTORY_URL || 'http://127.0.0.1:8082';

const escape = (s) => String(s).replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

/** GET / — the catalog, with a checkout link per item. */
async function home() {
  const catalog = await requestJson('GET', `${INVENTORY_URL}/catalog`);
  const items = catalog.status === 200 ? catalog.body : [];
  const rows = items.map((i) => `<li>${escape(i.name)} — ${i.price.toFixed(2)} <a href="/checkout?sku=${escape(i.sku)}">buy</a> · <a href="/checkout?sku=${escape(i.sku)}&amp;coupon=SAVE10">with SAVE10</a></li>`);
  return {
    body: `<!doctype html><title>Slice sample shop</title><h1>Slice sample shop</h1><ul>${rows.join('')}</ul>
<p>Try <a href="/checkout?sku=book&amp;coupon=SUMMER23">an expired coupon</a> (fails) or <a href="/checkout?sku=bulk-rice">a bulk item</a> (slow).</p>`,
  };
}

/** GET /checkout?sku=…&qty=…&coupon=… — places an order through the orders service. */
async function checkout({ query }) {
  const order = await requestJson('POST', `${ORDERS_URL}/orders`, { sku: query.sku, qty: Number(query.qty || 1), coupon: query.coupon || undefined });
  if (order.status !== 201) {
    logger.warn({ sku: query.sku, coupon: query.coupon, status: order.status, error: order.body.error }, 'checkout failed');
    return { status: order.status, body: { error: order.body.error, servedBy: { storefront: SERVED_BY, orders: order.servedBy } } };
  }
  logger.info({ orderId: order.body.id, total: order.body.total }, 'checkout complete');
  // which copy served each hop: with a slice's routing key, orders may be that slice's fork
  return { body: { thanks: `order ${order.body.id} placed`, order: order.body, servedBy: { storefront: SERVED_BY, orders: order.servedBy } } };
}

module.exports = { home: traced(home), checkout: traced(checkout) };
