'use strict';
// The little HTTP layer the three services share: a router on node:http (instrumented by
// OpenTelemetry's HTTP instrumentation, so every request is a server span and every call between
// services carries the trace context), JSON in and out, and a JSON client.
const http = require('node:http');
const { context } = require('@opentelemetry/api');
const { RPCType, getRPCMetadata } = require('@opentelemetry/core');
const { logger } = require('../telemetry/logger');

/** An error with the HTTP status it should answer (anything else answers 500). */
class HttpError extends Error {
  constructor(status, message) {
    super(message);
    this.name = 'HttpError';
    this.status = status;
  }
}

function compile(pattern) {
  const names = [];
  const source = pattern.replace(/:(\w+)/g, (_, name) => {
    names.push(name);
    return '([^/]+)';
  });
  return { regex: new RegExp(`^${source}$`), names };
}

/**
 * Which copy of a service answered: `<namespace>/<service>` (POD_NAMESPACE, OTEL_SERVICE_NAME), e.g.
 * `slice-alice-checkout/orders` for a fork. With slice routing, a caller sees which hops went to a fork.
 */
const SERVED_BY = `${process.env.POD_NAMESPACE || 'local'}/${process.env.OTEL_SERVICE_NAME || 'service'}`;

function send(res, status, body) {
  const text = typeof body === 'string' ? body : JSON.stringify(body);
  res.writeHead(status, { 'content-type': typeof body === 'string' ? 'text/html; charset=utf-8' : 'application/json', 'x-served-by': SERVED_BY });
  res.end(text);
}

async function readJson(req) {
  const chunks = [];
  for await (const chunk of req) chunks.push(chunk);
  if (chunks.length === 0) return {};
  try {
    return JSON.parse(Buffer.concat(chunks).toString('utf8'));
  } catch {
    throw new HttpError(400, 'the request body is not JSON');
  }
}

/**
 * An HTTP server for `routes`: [{ method, path: '/orders/:id', handler(req) }]. A handler gets
 * { params, query, body } and returns { status, body } (body: an object for JSON, a string for HTML).
 */
function createServer(routes) {
  const table = routes.map((r) => ({ ...r, ...compile(r.path) }));
  return http.createServer(async (req, res) => {
    const url = new URL(req.url, 'http://localhost');
    if (url.pathname === '/healthz') return send(res, 200, { ok: true });
    const route = table.find((r) => r.method === req.method && r.regex.test(url.pathname));
    if (!route) return send(res, 404, { error: `no route for ${req.method} ${url.pathname}` });
    // the route pattern, not the path: the HTTP instrumentation puts it on the server span and on
    // the http.server.request.duration histogram as http.route (one series per route, not per id)
    const rpc = getRPCMetadata(context.active());
    if (rpc?.type === RPCType.HTTP) rpc.route = route.path;
    try {
      const match = route.regex.exec(url.pathname);
      const params = Object.fromEntries(route.names.map((n, i) => [n, decodeURIComponent(match[i + 1])]));
      const body = req.method === 'POST' ? await readJson(req) : undefined;
      const result = await route.handler({ params, query: Object.fromEntries(url.searchParams), body });
      send(res, result.status ?? 200, result.body);
    } catch (err) {
      const status = err instanceof HttpError ? err.status : 500;
      if (status >= 500) logger.error({ err, route: `${req.method} ${route.path}` }, 'request failed');
      send(res, status, { error: err.message });
    }
  });
}

/** A JSON request to another service: resolves { status, body, servedBy } for any HTTP status (servedBy: its x-served-by). */
function requestJson(method, url, body) {
  return new Promise((resolve, reject) => {
    const payload = body === undefined ? undefined : JSON.stringify(body);
    const req = http.request(url, { method, headers: payload ? { 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload) } : {}, timeout: 10_000 }, (res) => {
      const chunks = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        try {
          resolve({ status: res.statusCode, body: text ? JSON.parse(text) : {}, servedBy: res.headers['x-served-by'] });
        } catch {
          resolve({ status: res.statusCode, body: { error: text }, servedBy: res.headers['x-served-by'] });
        }
      });
    });
    req.on('timeout', () => req.destroy(new Error(`${method} ${url} timed out`)));
    req.on('error', reject);
    req.end(payload);
  });
}

/** The servers this process listens with, by port: a reload's new server takes over the port's listener (see listen). */
const bound = new Map();

/**
 * Listens on PORT (or `fallback`) and logs where; resolves { close() } once listening.
 *
 * When this process already listens on that port (lib/run.js reloading a service: the new code's
 * server starts before the old one is closed), the new server does not bind: its request handlers
 * take the place of the old code's on the listening socket, in one step. Connections stay open, a
 * kept-alive client's next request is answered by the new code, requests in flight finish on the
 * old code, and no request is refused or reset during a reload (a client behind a port-forward or a
 * proxy would otherwise hold a connection the server had ended, and wait for it to fail).
 *
 * close() of a server whose handlers were replaced resolves at once (the listener is the new
 * code's now). close() of the serving one stops accepting and resolves when the port is free:
 * idle keep-alive connections end at once, a busy one after its response.
 */
function listen(server, name, fallback) {
  const port = Number(process.env.PORT || fallback);
  const handlers = server.listeners('request');
  const live = bound.get(port);
  if (live) {
    live.server.removeAllListeners('request');
    for (const h of handlers) live.server.on('request', h);
    live.handlers = handlers;
    logger.info({ port }, `${name} serving its new code on the listening port`);
    return Promise.resolve({ close: () => closeIfServing(port, handlers) });
  }
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, process.env.HOST || '0.0.0.0', () => {
      server.off('error', reject);
      bound.set(port, { server, handlers });
      logger.info({ port }, `${name} listening`);
      resolve({ close: () => closeIfServing(port, handlers) });
    });
  });
}

function closeIfServing(port, handlers) {
  const live = bound.get(port);
  if (!live || live.handlers !== handlers) return Promise.resolve(); // replaced by a newer server's
  bound.delete(port);
  const { server } = live;
  server.prependListener('request', (_req, res) => (res.shouldKeepAlive = false)); // answered with `Connection: close`
  return new Promise((done) => {
    // the connections busy now are idle after their response: end them then
    const sweep = setInterval(() => server.closeIdleConnections(), 25);
    server.close(() => {
      clearInterval(sweep);
      done();
    });
    server.closeIdleConnections();
  });
}

module.exports = { HttpError, createServer, requestJson, listen, SERVED_BY };
