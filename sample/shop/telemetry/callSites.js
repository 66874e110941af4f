'use strict';
// Where code is: V8's structured call sites (https://v8.dev/docs/stack-trace-api), used by the
// logger (who logged) and by traced() (where the wrapped function is defined).

/** The V8 CallSite objects of the current stack, above `below` (a function on the stack). */
function callSites(below, limit = 20) {
  const savedPrepare = Error.prepareStackTrace;
  const savedLimit = Error.stackTraceLimit;
  try {
    Error.prepareStackTrace = (_, sites) => sites;
    Error.stackTraceLimit = limit;
    const holder = {};
    Error.captureStackTrace(holder, below);
    return Array.isArray(holder.stack) ? holder.stack : [];
  } finally {
    Error.prepareStackTrace = savedPrepare;
    Error.stackTraceLimit = savedLimit;
  }
}

/** True for the application's own files (not Node internals, not dependencies, not telemetry/). */
function isAppFile(file) {
  return typeof file === 'string' && file.startsWith('/') && !file.includes('/node_modules/') && !file.startsWith(__dirname + '/');
}

module.exports = { callSites, isAppFile };
