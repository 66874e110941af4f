// The metric decoders on real payloads recorded from the sample app and the OpenTelemetry JS SDK
// (fixtures/, sample/shop/scripts/capture-metrics-fixtures.mjs), OTLP/JSON and protobuf; the
// tape reader against the JSON.parse tree; rejections, caps and redaction.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { decodeMetricsJson, decodeMetricsJsonTree, decodeMetricsProto } from '../../../../../src/core/telemetry/metrics/decode';
import { type HistogramMetric, type Metric, type NumberPoint, type SumMetric } from '../../../../../src/core/telemetry/metrics/model';
import { RejectionCounter } from '../../../../../src/core/telemetry/rejections';
import { MASK } from '../../../../../src/core/telemetry/redact';
import { fixtureBytes, fixtureText } from './fixtures';

const JSON_FIXTURES = ['cumulative.1.json', 'cumulative.2.json', 'cumulative.3.json', 'delta.1.json', 'delta.2.json', 'delta.3.json', 'exponential.1.json', 'exponential.2.json'];

function decodeBoth(payload: string): { tape: unknown; tree: unknown } {
  const c1 = new RejectionCounter();
  const c2 = new RejectionCounter();
  const tape = decodeMetricsJson(payload, { source: 'slice', counter: c1 });
  const tree = decodeMetricsJsonTree(payload, { source: 'slice', counter: c2 });
  return { tape: { tape, counts: c1.snapshot() }, tree: { tape: tree, counts: c2.snapshot() } };
}

function ok(r: ReturnType<typeof decodeMetricsJson>): Metric[] {
  assert.ok(r.ok, r.ok ? '' : `${r.error.reason}: ${r.error.detail}`);
  return r.value;
}

const byName = (ms: readonly Metric[], name: string): Metric => {
  const m = ms.find((x) => x.name === name);
  assert.ok(m, `no metric ${name} in ${ms.map((x) => x.name).join(', ')}`);
  return m;
};

test('every recorded OTLP/JSON payload decodes the same off the tape and through JSON.parse, with nothing rejected', () => {
  for (const name of JSON_FIXTURES) {
    const { tape, tree } = decodeBoth(fixtureText(name));
    assert.deepStrictEqual(tape, tree, name);
    assert.deepStrictEqual((tape as { counts: object }).counts, {}, name);
  }
});

test('the sample app\'s metrics: the HTTP server histogram by http.route, runtime gauges and sums, the business counter', () => {
  const counter = new RejectionCounter();
  const ms = ok(decodeMetricsJson(fixtureText('cumulative.2.json'), { source: 'slice', counter }));
  const http = byName(ms, 'http.server.request.duration') as HistogramMetric;
  assert.equal(http.kind, 'histogram');
  assert.equal(http.temporality, 'cumulative');
  assert.equal(http.unit, 's');
  assert.equal(http.resource.serviceName, 'orders');
  assert.equal(http.scope, '@opentelemetry/instrumentation-http');
  const post = http.points.find((p) => p.attributes['http.route'] === '/orders');
  assert.ok(post, 'a point with http.route /orders');
  assert.equal(post.counts.length, post.bounds.length + 1);
  assert.equal(post.counts.reduce((a, b) => a + b, 0), post.count);
  assert.ok(post.sum > 0 && post.min <= post.max);
  assert.ok(post.startMs > 0 && post.timeMs >= post.startMs);
  const orders = byName(ms, 'shop.orders.created') as SumMetric;
  assert.equal(orders.kind, 'sum');
  assert.equal(orders.monotonic, true);
  assert.equal(orders.temporality, 'cumulative');
  assert.deepEqual(orders.points.map((p) => [p.attributes['shop.coupon.applied'], Number.isInteger(p.value) && p.value > 0]).sort(), [[false, true], [true, true]]);
  assert.equal(byName(ms, 'nodejs.eventloop.delay.p99').kind, 'gauge');
  assert.equal(byName(ms, 'v8js.gc.duration').kind, 'histogram');
  const heap = byName(ms, 'v8js.memory.heap.used');
  assert.ok(heap.points.length > 3 && heap.points.every((p) => typeof p.attributes['v8js.heap.space.name'] === 'string'));
  assert.equal(counter.total, 0);
});

test('delta temporality is read as delta', () => {
  const ms = ok(decodeMetricsJson(fixtureText('delta.1.json'), { source: 'slice' }));
  assert.equal((byName(ms, 'http.server.request.duration') as HistogramMetric).temporality, 'delta');
  assert.equal((byName(ms, 'shop.orders.created') as SumMetric).temporality, 'delta');
});

/** The metrics with times dropped (the two encodings were recorded in two runs). */
function shape(ms: readonly Metric[]): unknown {
  return ms.map((m) => ({ ...m, points: m.points.map((p) => ({ ...p, startMs: 0, timeMs: 0 })) }));
}

test('protobuf and JSON of the SDK\'s exponential histograms decode to the same metrics', () => {
  for (const n of [1, 2]) {
    const counter = new RejectionCounter();
    const pb = ok(decodeMetricsProto(fixtureBytes(`exponential.${n}.pb`), { source: 'slice', counter }));
    const json = ok(decodeMetricsJson(fixtureText(`exponential.${n}.json`), { source: 'slice', counter }));
    assert.deepStrictEqual(shape(pb), shape(json));
    assert.equal(counter.total, 0);
  }
  const [m] = ok(decodeMetricsProto(fixtureBytes('exponential.1.pb'), { source: 'slice' }));
  assert.ok(m && m.kind === 'exponentialHistogram');
  const fast = m.points.find((p) => p.attributes.error === false)!;
  assert.equal(fast.count, 200);
  assert.equal(fast.sum, 3850);
  assert.equal(fast.positive.counts.reduce((a, b) => a + b, 0) + fast.zeroCount, 200);
});

test('protobuf from the sample app decodes like its JSON: the same metrics, kinds, temporalities and series', () => {
  for (const n of [1, 2, 3]) {
    const counter = new RejectionCounter();
    const pb = ok(decodeMetricsProto(fixtureBytes(`cumulative.${n}.pb`), { source: 'slice', counter }));
    const json = ok(decodeMetricsJson(fixtureText(`cumulative.${n}.json`), { source: 'slice' }));
    const sig = (ms: readonly Metric[]) =>
      ms.map((m) => `${m.scope} ${m.name} ${m.kind} ${'temporality' in m ? m.temporality : '-'} ${m.unit} ${m.points.map((p) => Object.keys(p.attributes).join(',')).sort().join('|')}`).sort();
    // series that appear in one run only (a GC kind, a new heap space) aside, the two runs export the same metrics
    assert.deepEqual(
      pb.map((m) => m.name).sort(),
      json.map((m) => m.name).sort(),
    );
    const shared = (ms: readonly Metric[]) => sig(ms).filter((s) => !s.includes('v8js.gc.duration'));
    assert.deepEqual(shared(pb).map((s) => s.split(' ').slice(0, 5).join(' ')), shared(json).map((s) => s.split(' ').slice(0, 5).join(' ')));
    assert.equal(counter.total, 0);
    const http = byName(pb, 'http.server.request.duration') as HistogramMetric;
    assert.ok(http.points.some((p) => p.attributes['http.route'] === '/orders' && p.count > 0 && p.counts.length === p.bounds.length + 1));
  }
});

const request = (metrics: unknown[], resource: unknown[] = []) =>
  JSON.stringify({ resourceMetrics: [{ resource: { attributes: resource }, scopeMetrics: [{ scope: { name: 's' }, metrics }] }] });
const gauge = (points: unknown[]) => ({ name: 'g', gauge: { dataPoints: points } });

test('requests of the wrong shape are rejected and counted; bad points are skipped and counted, the same on both paths', () => {
  const cases: [string, string][] = [
    ['', 'empty'],
    ['{"resourceMetrics":', 'malformed-json'],
    ['[]', 'unexpected-shape'],
    ['{"resourceMetrics":{}}', 'unexpected-shape'],
  ];
  for (const [payload, reason] of cases) {
    const counter = new RejectionCounter();
    const r = decodeMetricsJson(payload, { source: 'slice', counter });
    assert.ok(!r.ok && r.error.reason === reason, `${payload}: ${JSON.stringify(r)}`);
    assert.equal(counter.get(reason as 'empty'), 1);
    assert.deepStrictEqual(decodeBoth(payload).tape, decodeBoth(payload).tree);
  }
  const over = decodeMetricsJson(request([]), { source: 'slice', maxBytes: 10 });
  assert.ok(!over.ok && over.error.reason === 'oversize');
  const bad = request([
    gauge([{ asDouble: 1.5, timeUnixNano: '1000000' }, { timeUnixNano: '1' }, 7, { asInt: '12' }, { asDouble: 'NaN' }, { asDouble: 'Infinity', flags: 1 }]),
    { name: 'h', histogram: { aggregationTemporality: 'AGGREGATION_TEMPORALITY_DELTA', dataPoints: [{ count: '3', bucketCounts: ['1', '2'], explicitBounds: [1] }, { count: 3, bucketCounts: [1, 2, 0], explicitBounds: [1] }, { count: 1, explicitBounds: [2, 1] }, { count: 1.5 }] } },
    { name: 'x' },
    { name: 's', summary: { dataPoints: [{ count: 2, sum: 3, quantileValues: [{ quantile: 0.5, value: 1 }, { quantile: 1, value: 2 }] }, { quantileValues: [{ quantile: 2, value: 1 }] }] } },
    { name: 'e', exponentialHistogram: { dataPoints: [{ count: 2, scale: 30 }, { count: 2, scale: 0, positive: { offset: -1, bucketCounts: [1, 1] } }] } },
  ]);
  const { tape, tree } = decodeBoth(bad);
  assert.deepStrictEqual(tape, tree);
  const counter = new RejectionCounter();
  const ms = ok(decodeMetricsJson(bad, { source: 'slice', counter }));
  assert.deepEqual(
    ms.map((m) => [m.name, m.points.length]),
    [['g', 3], ['h', 2], ['s', 1], ['e', 1]],
  );
  assert.deepEqual((ms[0]!.points as readonly NumberPoint[]).map((p) => p.value), [1.5, 12, NaN]);
  assert.equal((ms[1] as HistogramMetric).temporality, 'delta');
  // g: no value, not an object, NaN; h: counts for other bounds, bounds that do not increase; x: no data; s: a quantile past 1; e: scale 30
  assert.equal(counter.get('invalid-item'), 3 + 2 + 1 + 1 + 1);
});

test('points past maxItems are dropped and counted; the cap counts points', () => {
  const payload = request([gauge([{ asInt: 1 }, { asInt: 2 }]), gauge([{ asInt: 3 }, { asInt: 4 }, { asInt: 5 }])]);
  for (const decode of [decodeMetricsJson, decodeMetricsJsonTree]) {
    const counter = new RejectionCounter();
    const ms = ok(decode(payload, { source: 'slice', counter, maxItems: 3 }));
    assert.deepEqual(ms.map((m) => m.points.length), [2, 1]);
    assert.equal(counter.get('item-limit'), 2);
  }
});

test('metric attributes are redacted as log attributes are', () => {
  const payload = request([
    gauge([
      {
        asInt: 1,
        attributes: [
          { key: 'db.password', value: { stringValue: 'hunter2' } },
          { key: 'db.connection', value: { stringValue: 'postgres://app:s3cret@db:5432/shop' } },
          { key: 'http.route', value: { stringValue: '/orders/:id' } },
        ],
      },
    ]),
  ]);
  for (const decode of [decodeMetricsJson, decodeMetricsJsonTree]) {
    const [m] = ok(decode(payload, { source: 'slice' }));
    assert.deepEqual(m!.points[0]!.attributes, { 'db.password': MASK, 'db.connection': `postgres://app:${MASK}@db:5432/shop`, 'http.route': '/orders/:id' });
  }
});

test('a payload the scanner leaves to JSON.parse (non-ASCII text) answers the same', () => {
  const payload = request([gauge([{ asDouble: 2, attributes: [{ key: 'région', value: { stringValue: 'Île-de-France' } }] }])]);
  const { tape, tree } = decodeBoth(payload);
  assert.deepStrictEqual(tape, tree);
  const [m] = ok(decodeMetricsJson(payload, { source: 'slice' }));
  assert.equal(m!.points[0]!.attributes['région'], 'Île-de-France');
});

test('exemplars link a point to its trace', () => {
  const payload = request([
    {
      name: 'lat',
      histogram: {
        aggregationTemporality: 1,
        dataPoints: [{ count: 1, sum: 4, bucketCounts: [0, 1], explicitBounds: [1], exemplars: [{ asDouble: 4, timeUnixNano: '2000000', traceId: '5b8efff798038103d269b633813fc60c', spanId: 'eee19b7ec3c1b174' }] }],
      },
    },
  ]);
  for (const decode of [decodeMetricsJson, decodeMetricsJsonTree]) {
    const [m] = ok(decode(payload, { source: 'slice' }));
    assert.deepEqual(m!.points[0]!.exemplars, [{ timeMs: 2, value: 4, traceId: '5b8efff798038103d269b633813fc60c', spanId: 'eee19b7ec3c1b174' }]);
  }
});

test('malformed protobuf is rejected and counted; an empty one is an empty request', () => {
  const counter = new RejectionCounter();
  const r = decodeMetricsProto(new Uint8Array([0x0a, 0xff, 0xff, 0x01]), { source: 'slice', counter });
  assert.ok(!r.ok && r.error.reason === 'malformed-protobuf');
  assert.equal(counter.get('malformed-protobuf'), 1);
  assert.deepEqual(ok(decodeMetricsProto(new Uint8Array(0), { source: 'slice' })), []);
});

// go-metrics.pb was encoded by the official Go bindings of opentelemetry-proto (fixtures/go-encoder),
// independently of the protobufjs schema under test: decoding it proves the field numbers, for the
// kinds the JS SDK does not emit (summaries, negative exponential buckets, exemplars, flags).
test('protobuf metrics encoded by the Go bindings decode field by field, and like their proto3 JSON', () => {
  const counter = new RejectionCounter();
  const pb = ok(decodeMetricsProto(fixtureBytes('go-metrics.pb'), { source: 'slice', counter }));
  const json = ok(decodeMetricsJson(fixtureText('go-metrics.protojson.json'), { source: 'slice', counter }));
  assert.deepStrictEqual(pb, json);
  assert.equal(counter.total, 0);
  const T = 1_700_000_000_000;
  const [sum, gauge, hist, exp, summary] = pb;
  assert.ok(sum?.kind === 'sum' && gauge?.kind === 'gauge' && hist?.kind === 'histogram' && exp?.kind === 'exponentialHistogram' && summary?.kind === 'summary');
  assert.deepEqual([sum.name, sum.unit, sum.description, sum.scope, sum.resource.serviceName, sum.resource.podName], ['requests', '{request}', 'Requests served', 'go-encoder', 'orders', 'orders-7d9f-abc12']);
  assert.deepEqual([sum.temporality, sum.monotonic], ['cumulative', true]);
  assert.deepEqual(sum.points[0], {
    attributes: { 'http.route': '/orders/:id', 'db.password': MASK },
    startMs: T,
    timeMs: T + 10_000,
    exemplars: [{ timeMs: T + 5000, value: 1, traceId: '5b8efff798038103d269b633813fc60c', spanId: 'eee19b7ec3c1b174' }],
    flags: 0,
    value: 42,
  });
  assert.deepEqual(gauge.points.map((p) => [p.value, p.flags]), [[2.5, 0], [NaN, 1]]);
  assert.equal(hist.temporality, 'delta');
  const h = hist.points[0]!;
  assert.deepEqual([h.count, h.sum, h.min, h.max, h.bounds, h.counts, h.exemplars[0]!.value], [6, 123.5, 1.5, 80, [5, 10, 50], [1, 2, 0, 3], 80]);
  const e = exp.points[0]!;
  assert.deepEqual([e.count, e.sum, e.scale, e.zeroCount, e.zeroThreshold, e.positive, e.negative, e.min], [9, 20, 2, 1, 0.001, { offset: -3, counts: [1, 0, 4] }, { offset: 2, counts: [3] }, NaN]);
  const q = summary.points[0]!;
  assert.deepEqual([q.count, q.sum, q.quantiles], [100, 12.5, [{ quantile: 0.5, value: 0.1 }, { quantile: 0.99, value: 0.9 }]]);
});
