import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { nullLogger } from '../../../../src/core/base/logger';
import { type Span, EMPTY_ATTRIBUTES, EMPTY_RESOURCE } from '../../../../src/core/telemetry/model';
import { decodeLogsJson, decodeTracesJson } from '../../../../src/core/telemetry/otlp/decodeJson';
import { decodeTracesProto } from '../../../../src/core/telemetry/otlp/decodeProto';
import { RejectionCounter } from '../../../../src/core/telemetry/rejections';
import { attrsFromJson, attrsToJson } from '../../../../src/core/telemetry/attrJson';
import { type DecodeAnswer, InlineDecoder, decodePayload } from '../../../../src/core/telemetry/decodePayload';
import { WorkerDecoder } from '../../../../src/platform/telemetry/otlpDecoder';
import { packSpans, spansOf } from '../../../../src/core/telemetry/spanBatch';
import { fixtureBytes, fixtureText } from '../../core/telemetry/fixtures';

/** The transfer form of spans (decode worker → main thread): unpacked spans answer exactly what the decoder's spans answer. */

/** Everything a span answers, as plain data (the two span classes differ only in their prototype). */
const plain = (s: Span) => ({
  source: s.source,
  traceId: s.traceId,
  spanId: s.spanId,
  parentSpanId: s.parentSpanId,
  name: s.name,
  kind: s.kind,
  startMs: s.startMs,
  durationMs: s.durationMs,
  status: s.status,
  attributes: s.attributes,
  code: s.code,
  events: s.events,
  exceptions: s.exceptions,
  resource: s.resource,
  scope: s.scope,
});

/** Packs, sends through a structured clone (what postMessage does), unpacks. */
const roundTrip = (spans: readonly Span[]) => spansOf(structuredClone(packSpans(spans)));

const kv = (key: string, value: unknown) => ({ key, value });

/** Spans with every kind of attribute value, events, exceptions, no code location, empty attributes. */
function edgePayload(): string {
  const attrs = [
    kv('s', { stringValue: 'héllo \u0000 "q" \n' }),
    kv('i', { intValue: '9007199254740993' }),
    kv('d', { doubleValue: 1.5 }),
    kv('nan', { doubleValue: 'NaN' }),
    kv('inf', { doubleValue: 'Infinity' }),
    kv('ninf', { doubleValue: '-Infinity' }),
    kv('negzero', { doubleValue: '-0' }),
    kv('b', { boolValue: false }),
    kv('bytes', { bytesValue: 'AAEC/w==' }),
    kv('arr', { arrayValue: { values: [{ stringValue: 'x' }, { intValue: 2 }, { bytesValue: 'AQ==' }] } }),
    kv('kv', { kvlistValue: { values: [kv('inner', { doubleValue: 'NaN' }), kv('deep', { kvlistValue: { values: [kv('z', { boolValue: true })] } })] } }),
    kv('empty', {}),
    kv('code.filepath', { stringValue: '/app/x.py' }),
    kv('code.lineno', { intValue: 7 }),
    kv('code.function', { stringValue: 'f' }),
    kv('code.namespace', { stringValue: 'M' }),
  ];
  const spans = [
    {
      traceId: '0af7651916cd43dd8448eb211c80319c',
      spanId: 'b7ad6b7169203331',
      name: 'with everything',
      kind: 2,
      startTimeUnixNano: '1718000000000000000',
      endTimeUnixNano: '1718000000123456789',
      attributes: attrs,
      events: [
        { name: 'note', timeUnixNano: '1718000000000000100', attributes: [kv('bytes', { bytesValue: 'AQID' })] },
        { name: 'bare', timeUnixNano: '1718000000000000200' },
        { name: 'exception', timeUnixNano: '1718000000000000300', attributes: [kv('exception.type', { stringValue: 'TypeError' }), kv('exception.message', { stringValue: 'x is undefined' }), kv('exception.stacktrace', { stringValue: 'TypeError: x\n    at f (/app/x.js:1:2)' })] },
      ],
      status: { code: 2, message: 'boom' },
    },
    { traceId: '0af7651916cd43dd8448eb211c80319c', spanId: 'b7ad6b7169203332', parentSpanId: 'b7ad6b7169203331', name: 'bare' },
    { name: 'no ids, no times', attributes: [kv('code.column.number', { intValue: 4 })] },
  ];
  return JSON.stringify({
    resourceSpans: [
      { resource: { attributes: [kv('service.name', { stringValue: 'svc' }), kv('k8s.pod.name', { stringValue: 'pod-1' })] }, scopeSpans: [{ scope: { name: 'scope-a' }, spans }] },
      { scopeSpans: [{ spans: [{ name: 'no resource' }] }] },
    ],
  });
}

test('span transfer: the round trip of every trace fixture equals the direct decode (JSON and protobuf)', () => {
  const decoded = [
    decodeTracesJson(fixtureText('otlp-traces-node-sdk.json'), { source: 'slice' }),
    decodeTracesJson(fixtureText('go-traces.protojson.json'), { source: 'baseline' }),
    decodeTracesProto(fixtureBytes('go-traces.pb'), { source: 'slice' }),
    decodeTracesJson(fixtureText('sample-app/orders.traces.json'), { source: 'slice' }),
    decodeTracesProto(fixtureBytes('sample-app/orders.traces.pb'), { source: 'slice' }),
    decodeTracesJson(edgePayload(), { source: 'slice' }),
  ];
  for (const r of decoded) {
    assert.ok(r.ok);
    assert.ok(r.value.length > 0);
    const back = roundTrip(r.value);
    assert.equal(back.length, r.value.length);
    for (let i = 0; i < back.length; i++) assert.deepStrictEqual(plain(back[i]!), plain(r.value[i]!));
  }
});

test('span transfer: bytes, NaN, ±Infinity and -0 survive; empty attributes and resources keep their shared objects', () => {
  const r = decodeTracesJson(edgePayload(), { source: 'slice' });
  assert.ok(r.ok);
  const [s, bare, noIds, noResource] = roundTrip(r.value);
  const a = s!.attributes;
  assert.ok(a.bytes instanceof Uint8Array);
  assert.deepEqual([...a.bytes], [0, 1, 2, 255]);
  assert.ok(Number.isNaN(a.nan));
  assert.equal(a.inf, Infinity);
  assert.equal(a.ninf, -Infinity);
  assert.ok(Object.is(a.negzero, -0));
  assert.equal(a.s, 'héllo \u0000 "q" \n');
  assert.equal(s!.attributes, a, 'parsed once');
  assert.equal(s!.exceptions[0]!.type, 'TypeError');
  assert.equal(s!.events.length, 2);
  assert.deepEqual(s!.code, { file: '/app/x.py', line: 7, column: undefined, function: 'M.f' });
  assert.equal(s!.resource, bare!.resource, 'one resource object per batch');
  assert.equal(bare!.attributes, EMPTY_ATTRIBUTES);
  assert.equal(noIds!.code, undefined, 'a column alone is no location');
  assert.equal(noResource!.resource, EMPTY_RESOURCE);
});

test('span transfer: attributes go as their list: duplicate and integer-like keys come back as the decoder\'s object, read before packing or not', () => {
  const attributes = [kv('b', { stringValue: 'first' }), kv('10', { intValue: 1 }), kv('a', { boolValue: true }), kv('b', { stringValue: 'last' }), kv('2', { doubleValue: 0.5 }), kv('n', { kvlistValue: { values: [kv('x', { bytesValue: 'AAE=' })] } })];
  const payload = () => JSON.stringify({ resourceSpans: [{ scopeSpans: [{ spans: [{ traceId: '0af7651916cd43dd8448eb211c80319c', spanId: 'b7ad6b7169203331', name: 'n', attributes }, { name: 'none', attributes: [] }, { name: 'bad', attributes: [null] }] }] }] });
  const direct = decodeTracesJson(payload(), { source: 'slice' });
  const readFirst = decodeTracesJson(payload(), { source: 'slice' });
  assert.ok(direct.ok && readFirst.ok);
  for (const s of readFirst.value) void s.attributes; // built before packing: packed from the object
  for (const back of [roundTrip(direct.value), roundTrip(readFirst.value)]) {
    const [s, none, bad] = back;
    assert.deepStrictEqual(Object.keys(s!.attributes), ['2', '10', 'b', 'a', 'n']);
    assert.deepStrictEqual(s!.attributes, direct.value[0]!.attributes);
    assert.equal(s!.attributes.b, 'last');
    assert.deepEqual([...((s!.attributes.n as Record<string, Uint8Array>).x ?? [])], [0, 1]);
    assert.equal(none!.attributes, EMPTY_ATTRIBUTES);
    assert.deepStrictEqual(bad!.attributes, {});
  }
});

test('attribute JSON: a value that looks like a tag but is not one is kept as it is', () => {
  const v = { a: { '\u0000slice:bytes': 'not an array' }, b: [1, { '\u0000slice:number': 3 }], c: 'x' };
  assert.deepStrictEqual(attrsFromJson(attrsToJson(v)), v);
});

test('decode job: rejections are counted by reason and sent back; a refused payload says why', () => {
  const bad = decodePayload({ kind: 'traces', encoding: 'json', body: '{"resourceSpans": [', source: 'slice' });
  assert.equal(bad.kind, 'rejected');
  assert.ok(bad.kind === 'rejected' && bad.rejection.reason === 'malformed-json' && bad.counts['malformed-json'] === 1);
  const partly = decodePayload({ kind: 'traces', encoding: 'json', body: JSON.stringify({ resourceSpans: [{ scopeSpans: [{ spans: [{ name: 'ok' }, 42] }] }] }), source: 'slice' });
  assert.ok(partly.kind === 'traces' && partly.spans.count === 1 && partly.counts['invalid-item'] === 1);
  const logs = decodePayload({ kind: 'logs', encoding: 'json', body: fixtureText('otlp-logs-python-sdk.json'), source: 'slice' });
  const direct = decodeLogsJson(fixtureText('otlp-logs-python-sdk.json'), { source: 'slice', counter: new RejectionCounter() });
  assert.ok(logs.kind === 'logs' && direct.ok);
  assert.deepStrictEqual(structuredClone(logs.logs), direct.value);
});

const WORKER = join(__dirname, '..', '..', '..', '..', 'src', 'platform', 'telemetry', 'decodeWorker.js');

test('worker decoder: answers in order, equal to the in-thread decoder, and stops with dispose', async () => {
  const worker = new WorkerDecoder(WORKER, nullLogger);
  const inline = new InlineDecoder();
  try {
    const jobs = [
      { kind: 'traces', encoding: 'json', body: fixtureText('otlp-traces-node-sdk.json'), source: 'slice' },
      { kind: 'traces', encoding: 'protobuf', body: fixtureBytes('go-traces.pb'), source: 'baseline' },
      { kind: 'logs', encoding: 'json', body: fixtureText('otlp-logs-python-sdk.json'), source: 'slice' },
      { kind: 'traces', encoding: 'json', body: 'not json', source: 'slice' },
      { kind: 'traces', encoding: 'json', body: edgePayload(), source: 'slice' },
    ] as const;
    const answers = await Promise.all(jobs.map((j) => worker.decode(j)));
    assert.ok(worker.running);
    const expected = await Promise.all(jobs.map((j) => inline.decode(j)));
    const comparable = (a: DecodeAnswer) => (a.kind === 'traces' ? { ...a, spans: spansOf(a.spans).map(plain) } : a);
    for (let i = 0; i < jobs.length; i++) assert.deepStrictEqual(comparable(answers[i]!), comparable(expected[i]!), `job ${i}`);
  } finally {
    worker.dispose();
  }
  assert.equal(worker.running, false);
});

test('worker decoder: on Linux the decode thread runs at a lower priority than the thread that started it (nice + 10)', { skip: process.platform !== 'linux' }, async () => {
  const worker = new WorkerDecoder(WORKER, nullLogger);
  try {
    assert.equal((await worker.decode({ kind: 'traces', encoding: 'json', body: fixtureText('otlp-traces-node-sdk.json'), source: 'slice' })).kind, 'traces');
    // /proc/<pid>/task/<tid>/stat: the fields after "(comm) " start with the state; nice is the 17th of them
    const nice = (tid: string) => Number(readFileSync(`/proc/self/task/${tid}/stat`, 'utf8').split(') ')[1]!.split(' ')[16]);
    const tasks = readdirSync('/proc/self/task').map((tid) => ({ tid, comm: readFileSync(`/proc/self/task/${tid}/comm`, 'utf8').trim() }));
    const decoder = tasks.find((t) => t.comm === 'slice-otlp-deco'); // the worker's name, cut to 15 characters
    assert.ok(decoder, JSON.stringify(tasks));
    assert.equal(nice(decoder.tid), Math.min(19, nice(String(process.pid)) + 10));
  } finally {
    worker.dispose();
  }
});

test('worker decoder: a worker that cannot run answers "failed" with the reason, then decoding goes on in-thread', async () => {
  const warnings: string[] = [];
  const logger = { ...nullLogger, warn: (m: string) => void warnings.push(m) };
  const worker = new WorkerDecoder(join(__dirname, 'no-such-worker.js'), logger);
  const job = { kind: 'traces', encoding: 'json', body: fixtureText('otlp-traces-node-sdk.json'), source: 'slice' } as const;
  try {
    for (let i = 0; i < 3; i++) {
      const a = await worker.decode(job);
      assert.equal(a.kind, 'failed');
      assert.match(a.kind === 'failed' ? a.detail : '', /the decode worker stopped/);
    }
    assert.match(warnings.at(-1) ?? '', /decoding on the main thread from now on/);
    const a = await worker.decode(job);
    assert.equal(a.kind, 'traces');
  } finally {
    worker.dispose();
  }
});
