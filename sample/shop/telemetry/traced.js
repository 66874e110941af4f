'use strict';
// traced(fn): the same function, run in a span named after it. The span carries the function's
// definition site in the OpenTelemetry `code.*` attributes, which is how the editor puts latency
// and errors above the right function; an exception that escapes is recorded on the span (with
// its stack) and sets the span's status to ERROR.
const { readFileSync, statSync } = require('node:fs');
const { SpanStatusCode, trace } = require('@opentelemetry/api');
const { callSites } = require('./callSites');

const tracer = trace.getTracer('slice-sample-shop');
const sources = new Map();
const recorded = new WeakSet();

/** The file's current text, re-read when it changed on disk (a synced edit reloads the module). */
function sourceOf(file) {
  let stamp = '';
  try {
    const st = statSync(file);
    stamp = `${st.mtimeMs}:${st.size}`;
  } catch {
    return '';
  }
  const cached = sources.get(file);
  if (cached && cached.stamp === stamp) return cached.text;
  let text = '';
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    text = '';
  }
  sources.set(file, { stamp, text });
  return text;
}

/**
 * Where `fn` is defined: its source text is looked up in the file that wraps it (functions are
 * wrapped in the module that defines them); the call site of traced() when it is not found.
 */
function definitionSite(fn, site) {
  const file = site.getFileName();
  const text = sourceOf(file);
  const at = text ? text.indexOf(Function.prototype.toString.call(fn)) : -1;
  if (at < 0) return { file, line: site.getLineNumber(), column: site.getColumnNumber() };
  const before = text.slice(0, at);
  const line = before.split('\n').length;
  return { file, line, column: at - before.lastIndexOf('\n') };
}

function fail(span, err) {
  if (err instanceof Error && !recorded.has(err)) {
    recorded.add(err); // recorded once, on the innermost span it escaped from
    span.recordException(err);
  }
  span.setStatus({ code: SpanStatusCode.ERROR, message: err instanceof Error ? err.message : String(err) });
}

/** `fn` wrapped in a span `name` (default: the function's name) that knows where `fn` is defined. */
function traced(fn, name = fn.name) {
  const [site] = callSites(traced, 1);
  const where = definitionSite(fn, site);
  const attributes = {
    'code.function.name': name,
    'code.file.path': where.file,
    'code.line.number': where.line,
    'code.column.number': where.column,
  };
  const wrapper = function (...args) {
    return tracer.startActiveSpan(name, { attributes }, (span) => {
      let result;
      try {
        result = fn.apply(this, args);
      } catch (err) {
        fail(span, err);
        span.end();
        throw err;
      }
      if (!result || typeof result.then !== 'function') {
        span.end();
        return result;
      }
      return result.then(
        (value) => {
          span.end();
          return value;
        },
        (err) => {
          fail(span, err);
          span.end();
          throw err;
        },
      );
    });
  };
  return wrapper;
}

module.exports = { traced };
