/**
 * Synthetic but real-shaped OTLP trace payloads for bench/telemetry: batches of 512 spans as the
 * OpenTelemetry SDKs export them (resource with k8s attributes, HTTP/DB attributes, new-generation
 * `code.*` attributes on every span, 5% errors with an exception event and a Node stack trace),
 * over 40 files × 10 functions, in OTLP/JSON and in protobuf.
 */
import { otlpTypes } from '../../src/core/telemetry/otlp/proto/schema';

export const SPANS_PER_BATCH = 512;
const FILES = 40;
const FUNCTIONS = 10;

const hex = (n: number, len: number) => n.toString(16).padStart(len, '0').slice(-len);
const str = (key: string, v: string) => ({ key, value: { stringValue: v } });
const int = (key: string, v: number) => ({ key, value: { intValue: v } });

/** The i-th item of batch `seed`: its global number, file, function, whether it is an error, and its time (Unix ns). */
function item(seed: number, i: number): { k: number; file: number; fn: number; error: boolean; at: bigint } {
  const k = seed * SPANS_PER_BATCH + i;
  return { k, file: k % FILES, fn: (k >> 3) % FUNCTIONS, error: k % 20 === 7, at: 1_718_000_000_000_000_000n + BigInt(seed) * 1_000_000_000n + BigInt(i) * 1_000_000n };
}

function request(seed: number): Record<string, unknown> {
  const spans: Record<string, unknown>[] = [];
  for (let i = 0; i < SPANS_PER_BATCH; i++) {
    const { k, file, fn, error, at: start } = item(seed, i);
    const dur = BigInt(200_000 + ((k * 7919) % 50_000_000));
    spans.push({
      traceId: hex(k * 2654435761, 16) + hex(seed + 1, 16),
      spanId: hex(k + 1, 16),
      parentSpanId: i % 4 === 0 ? '' : hex(k, 16),
      name: i % 4 === 0 ? `GET /api/v1/items/:id` : `fn${fn}`,
      kind: i % 4 === 0 ? 2 : 1,
      startTimeUnixNano: start.toString(),
      endTimeUnixNano: (start + dur).toString(),
      attributes: [
        str('http.request.method', 'GET'),
        str('http.route', '/api/v1/items/:id'),
        int('http.response.status_code', error ? 500 : 200),
        str('url.path', `/api/v1/items/${k % 1000}`),
        str('server.address', 'orders.slice-alice.svc'),
        int('server.port', 8080),
        str('code.file.path', `/app/src/module${file}/service.js`),
        int('code.line.number', 10 + fn * 12),
        str('code.function.name', `fn${fn}`),
        str('thread.name', 'main'),
      ],
      events: error
        ? [
            {
              timeUnixNano: (start + dur - 1000n).toString(),
              name: 'exception',
              attributes: [
                str('exception.type', 'TypeError'),
                str('exception.message', `Cannot read properties of undefined (reading 'id')`),
                str('exception.stacktrace', `TypeError: Cannot read properties of undefined (reading 'id')\n    at fn${fn} (/app/src/module${file}/service.js:${12 + fn * 12}:17)\n    at async handle (/app/src/server.js:40:5)\n    at async Promise.all (index 0)`),
              ],
            },
          ]
        : [],
      status: error ? { code: 2, message: 'boom' } : { code: 0 },
    });
  }
  return {
    resourceSpans: [
      {
        resource: {
          attributes: [
            str('service.name', 'orders'),
            str('service.version', '1.4.2'),
            str('telemetry.sdk.language', 'nodejs'),
            str('k8s.namespace.name', 'slice-alice'),
            str('k8s.pod.name', 'orders-6c9b8d7f5-x2k4q'),
            str('k8s.container.name', 'app'),
          ],
        },
        scopeSpans: [{ scope: { name: '@opentelemetry/instrumentation-http', version: '0.52.1' }, spans }],
      },
    ],
  };
}

/** An OTLP/JSON logs request of SPANS_PER_BATCH records as an SDK's log bridge exports them (pino through OpenTelemetry): body, severity, `code.*`, trace context. */
function logsRequest(seed: number): Record<string, unknown> {
  const logRecords: Record<string, unknown>[] = [];
  for (let i = 0; i < SPANS_PER_BATCH; i++) {
    const { k, file, fn, error, at } = item(seed, i);
    const t = at.toString();
    logRecords.push({
      timeUnixNano: t,
      observedTimeUnixNano: t,
      severityNumber: error ? 17 : 9,
      severityText: error ? 'ERROR' : 'INFO',
      body: { stringValue: error ? `failed to load item ${k % 1000}: connection reset` : `loaded item ${k % 1000} in ${(k * 7) % 90} ms` },
      attributes: [str('code.file.path', `/app/src/module${file}/service.js`), int('code.line.number', 14 + fn * 12), str('code.function.name', `fn${fn}`), str('log.logger', 'pino')],
      traceId: hex(k * 2654435761, 16) + hex(seed + 1, 16),
      spanId: hex(k + 1, 16),
    });
  }
  return { resourceLogs: [{ resource: { attributes: [str('service.name', 'orders'), str('k8s.namespace.name', 'slice-alice'), str('k8s.pod.name', 'orders-6c9b8d7f5-x2k4q')] }, scopeLogs: [{ scope: { name: 'pino' }, logRecords }] }] };
}

/** `count` distinct logs batches of SPANS_PER_BATCH records as OTLP/JSON text. */
export function makeLogPayloads(count: number): string[] {
  return Array.from({ length: count }, (_, s) => JSON.stringify(logsRequest(s)));
}

/** `count` distinct batches as OTLP/JSON text and as protobuf bytes. */
export function makePayloads(count: number): { json: string[]; proto: Uint8Array[] } {
  const t = otlpTypes().exportTraceRequest;
  const json: string[] = [];
  const proto: Uint8Array[] = [];
  for (let s = 0; s < count; s++) {
    const req = request(s);
    json.push(JSON.stringify(req));
    // protobufjs fromObject takes hex ids as base64 strings, so give it bytes
    const forProto = JSON.parse(json[s]!, (key, v: unknown) =>
      (key === 'traceId' || key === 'spanId' || key === 'parentSpanId') && typeof v === 'string' ? Uint8Array.from(v.match(/../g) ?? [], (h) => parseInt(h, 16)) : v,
    ) as Record<string, unknown>;
    proto.push(t.encode(t.fromObject(forProto)).finish());
  }
  return { json, proto };
}
