'use strict';
// Routes of the orders service (the sample app the telemetry fixtures were recorded from).
const express = require('express');
const { OrderService } = require('../services/orderService');

const router = express.Router();
const service = new OrderService();

function parseId(raw) {
  const id = Number.parseInt(raw, 10);
  if (!Number.isInteger(id) || id <= 0) {
    throw new RangeError(`bad order id: ${raw}`);
  }
  return id;
}

/** GET /orders/:id */
async function getOrder(req, res) {
  const id = parseId(req.params.id);
  const started = Date.now();
  const order = await service.loadOrder(id);
  res.set('server-timing', `db;dur=${Date.now() - started}`);
  res.json(order);
  req.log.info({ orderId: id }, 'order loaded');
}

async function listOrders(req, res) {
  const orders = await service.listOrders(req.query.limit ?? 20);
  res.json(orders);
}

router.get('/orders/:id', getOrder);
router.get('/orders', listOrders);

module.exports = { router, getOrder, listOrders };
