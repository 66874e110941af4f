// The metric decoders and the store never throw, and the JSON tape answers like JSON.parse, on
// payloads of the right layout with values of any shape in every field, and on cut or corrupted
// protobuf recorded from the sample app.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { decodeMetricsJson, decodeMetricsJsonTree, decodeMetricsProto } from '../../../../../src/core/telemetry/metrics/decode';
import { MetricStore } from '../../../../../src/core/telemetry/metrics/store';
import { RejectionCounter } from '../../../../../src/core/telemetry/rejections';
import { fixtureBytes } from './fixtures';

const RUNS = 300;
const any = fc.jsonValue({ maxDepth: 3 });
/** A field's value: usually a plausible one, sometimes anything. */
const field = <T>(plausible: fc.Arbitrary<T>) => fc.oneof({ weight: 4, arbitrary: plausible }, { weight: 1, arbitrary: any });
const nanos = field(fc.bigInt({ min: 0n, max: 2n ** 64n }).map(String));
const int64 = field(fc.oneof(fc.integer().map(String), fc.integer({ min: 0, max: 1000 })));
const double = field(fc.oneof(fc.double(), fc.constantFrom('NaN', 'Infinity', '-Infinity', '1.5')));
const attrs = field(fc.array(fc.record({ key: field(fc.string({ maxLength: 8 })), value: field(fc.record({ stringValue: fc.string({ maxLength: 8 }) })) }), { maxLength: 3 }));
const point = fc.record(
  {
    attributes: attrs,
    startTimeUnixNano: nanos,
    timeUnixNano: nanos,
    asDouble: double,
    asInt: int64,
    count: int64,
    sum: double,
    min: double,
    max: double,
    bucketCounts: field(fc.array(int64, { maxLength: 5 })),
    explicitBounds: field(fc.array(double, { maxLength: 4 })),
    scale: field(fc.integer({ min: -12, max: 22 })),
    zeroCount: int64,
    positive: field(fc.record({ offset: field(fc.integer({ min: -5, max: 5 })), bucketCounts: field(fc.array(int64, { maxLength: 4 })) })),
    quantileValues: field(fc.array(fc.record({ quantile: double, value: double }), { maxLength: 3 })),
    exemplars: field(fc.array(fc.record({ asDouble: double, traceId: field(fc.string()), timeUnixNano: nanos }), { maxLength: 2 })),
    flags: field(fc.integer({ min: 0, max: 3 })),
  },
  { requiredKeys: [] },
);
const data = fc.record({ dataPoints: field(fc.array(field(point), { maxLength: 3 })), aggregationTemporality: field(fc.integer({ min: 0, max: 3 })), isMonotonic: field(fc.boolean()) }, { requiredKeys: [] });
const metric = fc.record(
  { name: field(fc.constantFrom('a', 'b')), unit: field(fc.string()), sum: field(data), gauge: field(data), histogram: field(data), exponentialHistogram: field(data), summary: field(data) },
  { requiredKeys: [] },
);
const request = fc.record({
  resourceMetrics: field(fc.array(field(fc.record({ resource: field(fc.record({ attributes: attrs })), scopeMetrics: field(fc.array(field(fc.record({ scope: any, metrics: field(fc.array(field(metric), { maxLength: 3 })) })), { maxLength: 2 })) })), { maxLength: 2 })),
});

test('any payload of the metrics layout: the tape answers like JSON.parse, nothing throws, and the store takes what they give', () => {
  const store = new MetricStore({ resolutionMs: 1000 });
  fc.assert(
    fc.property(request, (req) => {
      const text = JSON.stringify(req);
      const c1 = new RejectionCounter();
      const c2 = new RejectionCounter();
      const a = decodeMetricsJson(text, { source: 'slice', counter: c1 });
      const b = decodeMetricsJsonTree(text, { source: 'slice', counter: c2 });
      assert.deepStrictEqual({ r: a, c: c1.snapshot() }, { r: b, c: c2.snapshot() });
      if (a.ok) store.ingest(a.value);
    }),
    { numRuns: RUNS },
  );
});

test('cut and corrupted protobuf from the sample app is rejected or decoded, never thrown', () => {
  const pb = fixtureBytes('cumulative.2.pb');
  const store = new MetricStore();
  fc.assert(
    fc.property(fc.integer({ min: 0, max: pb.length }), fc.array(fc.tuple(fc.nat(), fc.nat({ max: 255 })), { maxLength: 8 }), (cut, flips) => {
      const bytes = pb.slice(0, cut);
      for (const [at, v] of flips) if (bytes.length > 0) bytes[at % bytes.length] = v;
      const r = decodeMetricsProto(bytes, { source: 'slice' });
      if (r.ok) store.ingest(r.value);
    }),
    { numRuns: RUNS },
  );
});
