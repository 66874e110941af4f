'use strict';
// The shop's logger: pino, JSON lines on stdout. Every line says who logged it:
//   "caller": "createOrder (/app/services/orders/src/handlers.js:31:7)"
// (the editor reads it from the container log), and the same place as the OpenTelemetry
// `code.*` attributes, which the OTLP log records carry (the pino instrumentation turns each
// line into a log record, with the trace context of the request).
const pino = require('pino');
const { callSites, isAppFile } = require('./callSites');

function whoLogged() {
  const site = callSites(whoLogged).find((s) => isAppFile(s.getFileName()));
  if (!site) return {};
  const file = site.getFileName();
  const line = site.getLineNumber();
  const column = site.getColumnNumber();
  const fn = site.getFunctionName();
  return {
    caller: fn ? `${fn} (${file}:${line}:${column})` : `${file}:${line}:${column}`,
    'code.file.path': file,
    'code.line.number': line,
    ...(fn ? { 'code.function.name': fn } : {}),
  };
}

const logger = pino({
  level: process.env.LOG_LEVEL || 'info',
  base: { service: process.env.OTEL_SERVICE_NAME },
  mixin: whoLogged,
});

module.exports = { logger };
