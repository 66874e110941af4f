'use strict';
// storefront: the shop's web front; checkout places orders through the orders service.
const { createServer, listen } = require('../../../lib/http');
const handlers = require('./handlers');

/** Starts the service; resolves a handle whose close() stops it. */
async function start() {
  const server = createServer([
    { method: 'GET', path: '/', handler: handlers.home },
    { method: 'GET', path: '/checkout', handler: handlers.checkout },
  ]);
  return listen(server, 'storefront', 8080);
}

module.exports = { start };
if (require.main === module) start();
