'use strict';
const { HttpError, requestJson } = require('../../../lib/http');
const { logger } = require('../../../telemetry/logger');
const { traced } = require('../../../telemetry/traced');
const { priceOrder } = require('./pricing');
const { metrics } = require('@opentelemetry/api');

/** The shop's own metric: orders created, by whether a coupon was applied. */
const ordersCreated = metrics.getMeter('slice-sample-shop').createCounter('shop.orders.created', { description: 'Orders created', unit: '{order}' });

const INVENTORY_URL = process.env.INVENTORY_URL || 'http://127.0.0.1:8082';

/** The order handlers, on a store (see store.js). */
function orderHandlers(store) {
  /** POST /orders {sku, qty, coupon} — checks the stock, prices the order, saves it. */
  async function createOrder({ body }) {
    const qty = Number(body.qty ?? 1);
    if (typeof body.sku !== 'string' || !Number.isInteger(qty) || qty < 1) throw new HttpError(400, 'an order needs a sku and a positive whole qty');
    const stock = await requestJson('GET', `${INVENTORY_URL}/stock/${encodeURIComponent(body.sku)}`);
    if (stock.status === 404) throw new HttpError(404, `unknown sku "${body.sku}"`);
    if (stock.status !== 200) throw new HttpError(502, `inventory answered ${stock.status}`);
    if (stock.body.available < qty) {
      logger.warn({ sku: body.sku, qty, available: stock.body.available }, 'not enough stock');
      return { status: 409, body: { error: `only ${stock.body.available} of ${body.sku} left` } };
    }
    const price = priceOrder(stock.body.price, qty, body.coupon);
    const order = await store.save({ sku: body.sku, qty, coupon: body.coupon, ...price });
    logger.info({ orderId: order.id, sku: order.sku, total: order.total }, 'order created');
    ordersCreated.add(1, { 'shop.coupon.applied': Boolean(body.coupon) });
    return { status: 201, body: order };
  }

  /** GET /orders/:id */
  async function getOrder({ params }) {
    const order = await store.get(params.id);
    if (!order) throw new HttpError(404, `no order ${params.id}`);
    return { body: order };
  }

  return { createOrder: traced(createOrder), getOrder: traced(getOrder) };
}

module.exports = { orderHandlers };
