'use strict';
// inventory: stock levels and prices.
const { createServer, listen } = require('../../../lib/http');
const handlers = require('./handlers');

const server = createServer([
  { method: 'GET', path: '/stock/:sku', handler: handlers.getStock },
  { method: 'GET', path: '/catalog', handler: handlers.getCatalog },
]);

listen(server, 'inventory', 8082);
