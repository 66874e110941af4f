'use strict';
// orders: takes orders (stock from inventory, prices with coupons), keeps them in PostgreSQL or memory.
const { createServer, listen } = require('../../../lib/http');
const { logger } = require('../../../telemetry/logger');
const { orderHandlers } = require('./handlers');
const { createStore } = require('./store');

/** Starts the service; resolves a handle whose close() stops it (and closes the store). */
async function start() {
  const store = createStore();
  await store.init();
  logger.info({ store: store.kind }, 'order store ready');
  const handlers = orderHandlers(store);
  const server = createServer([
    { method: 'POST', path: '/orders', handler: handlers.createOrder },
    { method: 'GET', path: '/orders/:id', handler: handlers.getOrder },
  ]);
  const running = await listen(server, 'orders', 8081);
  return { close: () => running.close().then(() => store.close()) };
}

module.exports = { start };
if (require.main === module) {
  start().catch((err) => {
    logger.fatal({ err }, 'orders could not start');
    process.exitCode = 1;
  });
}
