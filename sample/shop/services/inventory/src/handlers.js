'use strict';
const { HttpError } = require('../../../lib/http');
const { logger } = require('../../../telemetry/logger');
const { traced } = require('../../../telemetry/traced');
const { listCatalog, lookupStock } = require('./stock');

/** GET /stock/:sku — how many are left, and the price. */
async function getStock({ params }) {
  const stock = await lookupStock(params.sku);
  if (!stock) throw new HttpError(404, `unknown sku "${params.sku}"`);
  logger.info({ sku: stock.sku, available: stock.available }, 'stock looked up');
  return { body: stock };
}

/** GET /catalog — everything the shop sells. */
async function getCatalog() {
  return { body: listCatalog() };
}

module.exports = { getStock: traced(getStock), getCatalog: traced(getCatalog) };
