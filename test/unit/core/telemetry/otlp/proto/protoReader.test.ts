import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { internReader } from '../../../../../../src/core/telemetry/otlp/proto/internReader';
import { otlpDecodeTypes, otlpTypes } from '../../../../../../src/core/telemetry/otlp/proto/schema';
import { makePayloads } from '../../../../../../bench/telemetry/payloads';
import { fixtureBytes } from '../../fixtures';

/**
 * The decoders read protobuf through internReader (cached ASCII strings, unknown fields not kept):
 * what protobufjs decodes through it must be exactly what it decodes from the bytes themselves,
 * errors included.
 */

const traces = otlpDecodeTypes().exportTraceRequest;
const logs = otlpDecodeTypes().exportLogsRequest;

/** Decodes both ways (twice through the cache: a miss, then hits) and checks they agree. */
function same(bytes: Uint8Array, type = traces): void {
  const outcome = (f: () => unknown) => {
    try {
      return { ok: true, value: f() };
    } catch (e) {
      return { ok: false, error: e instanceof Error ? `${e.name}: ${e.message}` : String(e) };
    }
  };
  const plain = outcome(() => type.decode(bytes));
  assert.deepStrictEqual(outcome(() => type.decode(internReader(bytes))), plain);
  assert.deepStrictEqual(outcome(() => type.decode(internReader(bytes))), plain);
}

const buffers = (b: Uint8Array) => [b, Buffer.from(b)];

test('protobuf through the string cache = protobufjs on the fixtures (Go bindings, sample app) and the benchmark payloads, Buffer and Uint8Array', () => {
  for (const f of ['go-traces.pb', 'sample-app/orders.traces.pb', 'sample-app/inventory.traces.pb', 'sample-app/storefront.traces.pb']) for (const b of buffers(fixtureBytes(f))) same(b);
  for (const f of ['go-logs.pb', 'sample-app/orders.logs.pb', 'sample-app/inventory.logs.pb', 'sample-app/storefront.logs.pb']) for (const b of buffers(fixtureBytes(f))) same(b, logs);
  for (const b of makePayloads(2).proto) same(b);
});

test('protobuf through the string cache: non-ASCII, long, empty and colliding strings, unknown fields', () => {
  const t = otlpTypes().exportTraceRequest;
  const names = ['', 'a', 'é', 'naïve café', '\u{1F600}', 'x'.repeat(64), 'x'.repeat(65), 'y'.repeat(300), 'ab', 'ba', '\u0000\u0001', ...Array.from({ length: 5000 }, (_, i) => `/app/src/m${i}.js`)];
  const bytes = t.encode(t.fromObject({ resourceSpans: [{ scopeSpans: [{ scope: { name: 'sc', version: '1' }, spans: names.map((name) => ({ name, traceState: 'k=v', attributes: [{ key: name, value: { stringValue: name } }], links: [{ traceState: 'x' }] })) }] }] })).finish();
  for (const b of buffers(bytes)) same(b);
});

test('fuzz: protobuf through the string cache = protobufjs on truncated, bit-flipped and random bytes', () => {
  const base = fixtureBytes('sample-app/orders.traces.pb');
  fc.assert(
    fc.property(fc.nat(base.length), fc.array(fc.tuple(fc.nat(base.length - 1), fc.integer({ min: 0, max: 255 })), { maxLength: 6 }), fc.boolean(), (cut, flips, asBuffer) => {
      const b = base.slice(0, cut);
      for (const [i, v] of flips) if (i < b.length) b[i] = v;
      same(asBuffer ? Buffer.from(b) : b);
    }),
    { numRuns: 500 },
  );
  fc.assert(
    fc.property(fc.uint8Array({ maxLength: 512 }), (b) => same(b)),
    { numRuns: 300 },
  );
});
