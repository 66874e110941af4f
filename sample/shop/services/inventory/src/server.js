'use strict';
// inventory: stock levels and prices.
const { createServer, listen } = require('../../../lib/http');
const handlers = require('./handlers');

/** Starts the service; resolves a handle whose close() stops it. */
async function start() {
  const server = createServer([
    { method: 'GET', path: '/stock/:sku', handler: handlers.getStock },
    { method: 'GET', path: '/catalog', handler: handlers.getCatalog },
  ]);
  return listen(server, 'inventory', 8082);
}

module.exports = { start };
if (require.main === module) start();
