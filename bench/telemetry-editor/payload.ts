/**
 * The synthetic workload of bench/telemetry-editor: a 5,000-line JavaScript file with 500 functions
 * of 10 lines each, and OTLP/JSON trace requests whose spans name those functions by the
 * new-generation `code.*` attributes (5% failing with an exception whose stack points into the file).
 */
export const FUNCTIONS = 500;
export const LINES_PER_FUNCTION = 10;
export const CONTAINER_FILE = '/app/bench.js';

/** The source file: `function fnN(a, b) {` on lines 1, 11, 21, … */
export function sourceFile(): string {
  const out: string[] = [];
  for (let f = 0; f < FUNCTIONS; f++) {
    out.push(`function fn${f}(a, b) {`, '  const x = a + b;', '  const y = x * 2;', '  if (y > 1000) {', `    throw new Error('too big in fn${f}');`, '  }', '  const z = y - a;', '  console.log(z);', '  return z;', '}');
  }
  return out.join('\n') + '\n';
}

const hex = (n: number, len: number) => n.toString(16).padStart(len, '0').slice(-len);
const str = (key: string, v: string) => ({ key, value: { stringValue: v } });
const int = (key: string, v: number) => ({ key, value: { intValue: v } });

/** One ExportTraceServiceRequest of `count` spans, the `seed`-th of a series. */
export function traceRequest(seed: number, count: number): string {
  const spans: unknown[] = [];
  const base = 1_718_000_000_000_000_000n + BigInt(seed) * 1_000_000_000n;
  for (let i = 0; i < count; i++) {
    const k = seed * count + i;
    const fn = k % FUNCTIONS;
    const line = fn * LINES_PER_FUNCTION + 1;
    const error = k % 20 === 7;
    const start = base + BigInt(i) * 1_000_000n;
    const dur = BigInt(100_000 + ((k * 7919) % 40_000_000));
    spans.push({
      traceId: hex(Math.floor(k / 5) * 2654435761, 16) + hex(seed + 1, 16),
      spanId: hex(k + 1, 16),
      parentSpanId: k % 5 === 0 ? '' : hex(k - (k % 5) + 1, 16),
      name: k % 5 === 0 ? 'GET /api/items/:id' : `fn${fn}`,
      kind: k % 5 === 0 ? 2 : 1,
      startTimeUnixNano: start.toString(),
      endTimeUnixNano: (start + dur).toString(),
      attributes: [str('code.file.path', CONTAINER_FILE), int('code.line.number', line), str('code.function.name', `fn${fn}`), str('http.route', '/api/items/:id')],
      events: error
        ? [{ timeUnixNano: (start + dur).toString(), name: 'exception', attributes: [str('exception.type', 'Error'), str('exception.message', `too big in fn${fn}`), str('exception.stacktrace', `Error: too big in fn${fn}\n    at fn${fn} (${CONTAINER_FILE}:${line + 4}:11)\n    at handle (/app/server.js:40:5)`)] }]
        : [],
      status: error ? { code: 2, message: 'too big' } : { code: 0 },
    });
  }
  return JSON.stringify({ resourceSpans: [{ resource: { attributes: [str('service.name', 'bench'), str('telemetry.sdk.language', 'nodejs')] }, scopeSpans: [{ scope: { name: 'bench' }, spans }] }] });
}
