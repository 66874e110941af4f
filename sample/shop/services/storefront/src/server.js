'use strict';
// storefront: the shop's web front; checkout places orders through the orders service.
const { createServer, listen } = require('../../../lib/http');
const handlers = require('./handlers');

const server = createServer([
  { method: 'GET', path: '/', handler: handlers.home },
  { method: 'GET', path: '/checkout', handler: handlers.checkout },
]);

listen(server, 'storefront', 8080);
