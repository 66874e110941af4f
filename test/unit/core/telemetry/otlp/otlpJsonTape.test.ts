// The OTLP/JSON tape (WebAssembly scanner + tape reader) against the JSON.parse tree path: the same
// spans, attributes and rejection counts for every payload, valid or not; the scanner's grammar
// against JSON.parse's.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import fc from 'fast-check';
import { decodeLogsJson, decodeLogsJsonTree, decodeTracesJson, decodeTracesJsonTree } from '../../../../../src/core/telemetry/otlp/decodeJson';
import { type DecodeOptions } from '../../../../../src/core/telemetry/otlp/limits';
import { TapeScanner } from '../../../../../src/core/telemetry/otlp/jsonTape/tape';
import { CACHED_VALUES, OTLP_KEYS } from '../../../../../src/core/telemetry/otlp/jsonTape/keys';
import { RejectionCounter } from '../../../../../src/core/telemetry/rejections';
import { type LogRecord, type Span } from '../../../../../src/core/telemetry/model';
import { FIXTURES, fixtureText } from '../fixtures';

const ROOT = join(FIXTURES, '..', '..', '..', '..', '..');
const RUNS = 400;

/** What a decode answered: spans with their attribute objects (built on read, so not compared by deepEqual otherwise) or log records, or the rejection; and the counts. */
function outcome(r: ReturnType<typeof decodeTracesJson> | ReturnType<typeof decodeLogsJson>, counter: RejectionCounter): unknown {
  return {
    result: r.ok ? r.value.map((x: Span | LogRecord) => ({ item: x, attributes: x.attributes })) : r.error,
    counts: counter.snapshot(),
  };
}

type Decode = (payload: string | Uint8Array, options: DecodeOptions) => ReturnType<typeof decodeTracesJson> | ReturnType<typeof decodeLogsJson>;
const TRACES: readonly [Decode, Decode] = [decodeTracesJson, decodeTracesJsonTree];
const LOGS: readonly [Decode, Decode] = [decodeLogsJson, decodeLogsJsonTree];

/** Decodes `payload` both ways (and as bytes and with views through the tape) and asserts the same outcome. */
function same(payload: string, options: Omit<DecodeOptions, 'counter'> = { source: 'slice' }, [viaTape, viaTree]: readonly [Decode, Decode] = TRACES): void {
  const run = (decode: Decode, input: string | Uint8Array, extra: Partial<DecodeOptions> = {}) => {
    const counter = new RejectionCounter();
    return outcome(decode(input, { ...options, ...extra, counter }), counter);
  };
  const tree = run(viaTree, payload);
  assert.deepStrictEqual(run(viaTape, payload), tree, `payload: ${payload.slice(0, 300)}`);
  assert.deepStrictEqual(run(viaTape, new TextEncoder().encode(payload)), tree, 'as bytes');
  assert.deepStrictEqual(run(viaTape, payload, { transient: true }), tree, 'strings as views of the text (transient)');
}

const scanner = new TapeScanner(OTLP_KEYS, CACHED_VALUES);
const verdict = (text: string) => scanner.read(text, (t) => t.count);

/** The scanner's verdict on `s` is JSON.parse's, unless it leaves `s` to JSON.parse. */
function agrees(s: string): void {
  let parses = true;
  try {
    JSON.parse(s);
  } catch {
    parses = false;
  }
  const v = verdict(s);
  if (v !== 'unhandled') assert.equal(v !== 'invalid', parses, JSON.stringify(s));
}

test('tape: the generated WebAssembly module is compiled from wasm/jsonTape.ts as it is now', () => {
  execFileSync(process.execPath, [join(ROOT, 'scripts', 'build-wasm.mjs'), '--check'], { cwd: ROOT, stdio: 'pipe' });
});

test('tape: every JSON trace fixture (Node and Python SDKs, Go protojson, the sample app) decodes as JSON.parse + tree does, as text and as bytes', () => {
  const names = ['otlp-traces-node-sdk.json', 'go-traces.protojson.json', 'sample-app/orders.traces.json', 'sample-app/storefront.traces.json', 'sample-app/inventory.traces.json'];
  for (const name of names) {
    const text = fixtureText(name);
    assert.equal(typeof verdict(text), 'number', `${name} is read off the tape`);
    same(text);
    same(JSON.stringify(JSON.parse(text), null, 2)); // whitespace everywhere
    same(text, { source: 'baseline', maxItems: 1, maxAttributes: 2, maxStringLength: 5, maxEvents: 0 });
  }
});

test('tape: every JSON logs fixture (Python SDK, Go protojson, the sample app) decodes as JSON.parse + tree does', () => {
  for (const name of ['otlp-logs-python-sdk.json', 'go-logs.protojson.json', 'sample-app/orders.logs.json', 'sample-app/storefront.logs.json', 'sample-app/inventory.logs.json']) {
    const text = fixtureText(name);
    assert.equal(typeof verdict(text), 'number', `${name} is read off the tape`);
    same(text, undefined, LOGS);
    same(JSON.stringify(JSON.parse(text), null, 2), undefined, LOGS);
    same(text, { source: 'baseline', maxItems: 1, maxAttributes: 1, maxStringLength: 4 }, LOGS);
  }
});

test('tape: the scanner accepts exactly what JSON.parse accepts', () => {
  const invalid = ['', ' ', '{', '}', '[1,]', '{"a":1,}', '{"a" 1}', '[1 2]', '01', '-', '1.', '1e', '1e+', '.5', '+1', 'tru', 'nul', 'falsy', '"abc', '"\\x"', '"\\u12G4"', '"\\u12"', '"a\u0001b"', '{"a":1}}', '[[]', '{,}', '[,1]', '{"a":}', '{1:2}', "'a'", 'NaN', '[1]x', '"\\'];
  for (const s of invalid) {
    assert.throws(() => JSON.parse(s), `JSON.parse rejects ${JSON.stringify(s)}`);
    assert.equal(verdict(s), 'invalid', JSON.stringify(s));
  }
  const valid = ['{}', '[]', ' {"a" : [ 1 , -0 , 1E+2 , 0.5e-3 , true , false , null , "x\\n\\u00e9\\/" ] } ', '"\\ud800"', '-0', '123', '[{}, [], {"": ""}]'];
  for (const s of valid) assert.equal(typeof verdict(s), 'number', JSON.stringify(s));
  // random strings over JSON's alphabet: the scanner's verdict is JSON.parse's (or it leaves the text to JSON.parse)
  const alphabet = fc.constantFrom('{', '}', '[', ']', ',', ':', '"', '\\', 'u', 'a', '0', '1', '9', '-', '+', '.', 'e', 'E', ' ', '\n', 't', 'r', 'n', 'l', 'f', 's', '\u0001', 'é');
  fc.assert(
    fc.property(fc.array(alphabet, { maxLength: 24 }), (chars) => {
      agrees(chars.join(''));
    }),
    { numRuns: 20_000 },
  );
  fc.assert(
    fc.property(fc.jsonValue({ maxDepth: 5, stringUnit: 'binary' }), (v) => {
      const s = JSON.stringify(v);
      assert.notEqual(verdict(s), 'invalid');
      for (let cut = 1; cut < s.length; cut += Math.max(1, Math.floor(s.length / 7))) agrees(s.slice(0, cut));
    }),
    { numRuns: RUNS },
  );
});

const hexDigit = fc.constantFrom(...'0123456789abcdefABCDEF');
const id = (n: number) => fc.oneof(fc.string({ unit: hexDigit, minLength: n, maxLength: n }), fc.string({ unit: fc.constantFrom(...'0123456789abcdef'), minLength: n, maxLength: n }), fc.constant('0'.repeat(n)), fc.base64String({ minLength: 4, maxLength: 24 }), fc.jsonValue({ maxDepth: 1 }));
const nanos = fc.oneof(fc.bigInt({ min: 0n, max: 2n ** 64n }).map(String), fc.integer({ min: -5, max: 2 ** 53 }), fc.jsonValue({ maxDepth: 1 }), fc.constant('17e17'));
const scalarValue = fc.oneof(
  fc.record({ stringValue: fc.string({ unit: 'binary', maxLength: 40 }) }),
  fc.record({ intValue: fc.oneof(fc.integer(), fc.string({ maxLength: 22 }), fc.double()) }),
  fc.record({ doubleValue: fc.oneof(fc.double(), fc.constantFrom('NaN', 'Infinity', '-Infinity', 'x')) }),
  fc.record({ boolValue: fc.oneof(fc.boolean(), fc.integer()) }),
  fc.record({ bytesValue: fc.base64String({ maxLength: 12 }) }),
  fc.record({ arrayValue: fc.record({ values: fc.array(fc.record({ stringValue: fc.string() }), { maxLength: 3 }) }) }),
  fc.record({ kvlistValue: fc.record({ values: fc.array(fc.record({ key: fc.string(), value: fc.record({ intValue: fc.integer() }) }), { maxLength: 3 }) }) }),
  fc.record({ stringValue: fc.string(), intValue: fc.integer() }),
  fc.jsonValue({ maxDepth: 2 }),
);
const attribute = fc.oneof(
  { weight: 6, arbitrary: fc.record({ key: fc.oneof(fc.constantFrom('code.file.path', 'code.lineno', 'code.function.name', 'http.route', '__proto__'), fc.string({ unit: 'binary', maxLength: 300 })), value: scalarValue }, { requiredKeys: [] }) },
  { weight: 1, arbitrary: fc.jsonValue({ maxDepth: 2 }) },
);
const span = fc.record(
  {
    traceId: id(32),
    spanId: id(16),
    parentSpanId: id(16),
    name: fc.oneof(fc.string({ unit: 'binary', maxLength: 30 }), fc.jsonValue({ maxDepth: 1 })),
    kind: fc.oneof(fc.integer({ min: -1, max: 6 }), fc.constantFrom('SPAN_KIND_SERVER', 'SPAN_KIND_NOPE', 2.5, null)),
    startTimeUnixNano: nanos,
    endTimeUnixNano: nanos,
    attributes: fc.oneof({ weight: 5, arbitrary: fc.array(attribute, { maxLength: 8 }) }, { weight: 1, arbitrary: fc.jsonValue({ maxDepth: 2 }) }),
    events: fc.oneof(
      fc.array(fc.record({ name: fc.constantFrom('exception', 'log'), timeUnixNano: nanos, attributes: fc.array(attribute, { maxLength: 3 }) }), { maxLength: 3 }),
      fc.jsonValue({ maxDepth: 2 }),
    ),
    status: fc.oneof(fc.record({ code: fc.oneof(fc.integer({ min: 0, max: 3 }), fc.constantFrom('STATUS_CODE_ERROR', 'x')), message: fc.oneof(fc.string(), fc.integer()) }, { requiredKeys: [] }), fc.jsonValue({ maxDepth: 1 })),
  },
  { requiredKeys: [] },
);
const request = fc.record({
  resourceSpans: fc.oneof(
    { weight: 8, arbitrary: fc.array(fc.record({ resource: fc.oneof(fc.record({ attributes: fc.array(attribute, { maxLength: 3 }) }), fc.jsonValue({ maxDepth: 1 })), scopeSpans: fc.oneof({ weight: 6, arbitrary: fc.array(fc.record({ scope: fc.oneof(fc.record({ name: fc.string() }), fc.jsonValue({ maxDepth: 1 })), spans: fc.oneof({ weight: 6, arbitrary: fc.array(fc.oneof({ weight: 8, arbitrary: span }, { weight: 1, arbitrary: fc.jsonValue({ maxDepth: 1 }) }), { maxLength: 5 }) }, { weight: 1, arbitrary: fc.jsonValue({ maxDepth: 1 }) }) }, { requiredKeys: [] }), { maxLength: 3 }) }, { weight: 1, arbitrary: fc.jsonValue({ maxDepth: 1 }) }) }, { requiredKeys: [] }), { maxLength: 3 }) },
    { weight: 1, arbitrary: fc.jsonValue({ maxDepth: 2 }) },
  ),
}, { requiredKeys: [] });

test('tape: OTLP-shaped requests with any value anywhere decode as JSON.parse + tree does', () => {
  const limits = fc.record({ maxItems: fc.integer({ min: 1, max: 6 }), maxAttributes: fc.integer({ min: 1, max: 6 }), maxStringLength: fc.integer({ min: 1, max: 64 }), maxEvents: fc.integer({ min: 0, max: 3 }) }, { requiredKeys: [] });
  let onTape = 0;
  fc.assert(
    fc.property(request, limits, fc.boolean(), (req, lim, indent) => {
      const text = JSON.stringify(req, null, indent ? 1 : undefined);
      if (typeof verdict(text) === 'number') onTape++;
      same(text, { source: 'slice', ...lim });
    }),
    { numRuns: RUNS },
  );
  assert.ok(onTape > RUNS / 3, `${onTape} of ${RUNS} requests were read off the tape`);
});

const logRecord = fc.record(
  {
    timeUnixNano: nanos,
    observedTimeUnixNano: nanos,
    severityNumber: fc.oneof(fc.integer({ min: -1, max: 30 }), fc.constantFrom('SEVERITY_NUMBER_ERROR', 'SEVERITY_NUMBER_NOPE', 'INFO', true, null, 9.5)),
    severityText: fc.oneof(fc.string({ maxLength: 12 }), fc.jsonValue({ maxDepth: 1 })),
    body: scalarValue,
    attributes: fc.oneof({ weight: 5, arbitrary: fc.array(attribute, { maxLength: 6 }) }, { weight: 1, arbitrary: fc.jsonValue({ maxDepth: 2 }) }),
    traceId: id(32),
    spanId: id(16),
  },
  { requiredKeys: [] },
);
const logsRequest = fc.record({
  resourceLogs: fc.oneof(
    { weight: 8, arbitrary: fc.array(fc.record({ resource: fc.oneof(fc.record({ attributes: fc.array(attribute, { maxLength: 3 }) }), fc.jsonValue({ maxDepth: 1 })), scopeLogs: fc.oneof({ weight: 6, arbitrary: fc.array(fc.oneof({ weight: 6, arbitrary: fc.record({ scope: fc.record({ name: fc.string() }), logRecords: fc.oneof({ weight: 6, arbitrary: fc.array(fc.oneof({ weight: 8, arbitrary: logRecord }, { weight: 1, arbitrary: fc.jsonValue({ maxDepth: 1 }) }), { maxLength: 5 }) }, { weight: 1, arbitrary: fc.jsonValue({ maxDepth: 1 }) }) }, { requiredKeys: [] }) }, { weight: 1, arbitrary: fc.jsonValue({ maxDepth: 1 }) }), { maxLength: 3 }) }, { weight: 1, arbitrary: fc.jsonValue({ maxDepth: 1 }) }) }, { requiredKeys: [] }), { maxLength: 3 }) },
    { weight: 1, arbitrary: fc.jsonValue({ maxDepth: 2 }) },
  ),
}, { requiredKeys: [] });

test('tape: OTLP-shaped logs requests with any value anywhere decode as JSON.parse + tree does', () => {
  let onTape = 0;
  fc.assert(
    fc.property(logsRequest, fc.integer({ min: 1, max: 6 }), fc.integer({ min: 1, max: 40 }), (req, maxItems, maxStringLength) => {
      const text = JSON.stringify(req);
      if (typeof verdict(text) === 'number') onTape++;
      same(text, { source: 'slice', maxItems, maxStringLength }, LOGS);
    }),
    { numRuns: RUNS },
  );
  assert.ok(onTape > RUNS / 3, `${onTape} of ${RUNS} requests were read off the tape`);
  same('{"resourceLogs":[{"instrumentationLibraryLogs":[{"logRecords":[{"body":{"stringValue":"legacy"}}]}]}]}', undefined, LOGS);
  same('{"resourceLogs":[1,{"scopeLogs":[2,{"logRecords":{}},{"logRecords":[null,{"severityText":"WARN"}]}]}]}', undefined, LOGS);
  same('{"resourceLogs":"x"}', undefined, LOGS);
});

test('tape: duplicate keys (the last wins), legacy names, escaped keys and strings, non-ASCII text, deep nesting', () => {
  const spanText = (extra: string) => `{"resourceSpans":[{"resource":{"attributes":[{"key":"service.name","value":{"stringValue":"a"}}]},"scopeSpans":[{"scope":{"name":"s"},"spans":[${extra}]}]}]}`;
  same(spanText('{"traceId":"0102030405060708090a0b0c0d0e0f10","traceId":"AAAAAAAAAAAAAAAAAAAAAQ==","name":"a","name":"b","attributes":[{"key":"x","value":{"stringValue":"1"},"key":"y"}]}'));
  same(spanText('{"name":"caf\\u00e9 \\"q\\"","attributes":[{"key":"k\\n","value":{"stringValue":"\\ud83d\\ude00"}}]}'));
  same(spanText('{"tr\\u0061ceId":"0102030405060708090a0b0c0d0e0f10","name":"x"}')); // an escaped key: JSON.parse reads it
  same(spanText('{"name":"café ☕","attributes":[{"key":"ключ","value":{"stringValue":"значение"}}]}')); // non-ASCII: JSON.parse reads it
  same(spanText(`{"name":"deep","attributes":[{"key":"d","value":{"kvlistValue":{"values":[{"key":"n","value":${'['.repeat(600)}${']'.repeat(600)}}]}}}]}`));
  same(`{"resourceSpans":[{"instrumentationLibrarySpans":[{"instrumentationLibrary":{"name":"old"},"spans":[{"name":"legacy"}]}]}]}`);
  same(`{"resourceSpans":[{"scopeSpans":null,"instrumentationLibrarySpans":[{"spans":[{"name":"not read"}]}]}]}`);
  same(`{"resourceSpans":[{"scopeSpans":[{"scope":null,"instrumentationLibrary":{"name":"fallback"},"spans":[{"name":"n"}]}]}]}`);
  same('{"resourceSpans":null}');
  same('{"resourceSpans":{}}');
  same('[]');
  same('{"resourceSpans":[1,[],{"scopeSpans":7},{"scopeSpans":[2,{"spans":"x"},{"spans":[3,null,{"name":"ok"}]}]}]}');
  assert.equal(verdict(spanText('{"tr\\u0061ceId":"x"}')), 'unhandled');
  assert.equal(verdict('{"name":"é"}'), 'unhandled');
  assert.equal(verdict(`${'['.repeat(600)}${']'.repeat(600)}`), 'unhandled');
});

test('tape: mutated fixture text decodes (or is rejected) as JSON.parse + tree does', () => {
  const fixture = fixtureText('otlp-traces-node-sdk.json');
  fc.assert(
    fc.property(fc.string({ maxLength: 40 }), fc.nat(fixture.length), fc.nat(fixture.length), (junk, at, cut) => {
      same(fixture.slice(0, at) + junk + fixture.slice(at, Math.max(at, cut)));
      same(fixture.slice(0, at) + fixture.slice(Math.min(fixture.length, at + 1 + (cut % 5))));
    }),
    { numRuns: RUNS },
  );
});

test('tape: a payload of many small tokens grows the tape; a scanner whose memory passed its cap starts a new instance, with a fresh string cache', () => {
  const many = JSON.stringify({ resourceSpans: [{ scopeSpans: [{ spans: [{ name: 'n', attributes: [{ key: 'a', value: { arrayValue: { values: new Array<number>(60_000).fill(1) } } }] }] }] }] });
  assert.ok(Number(scanner.read(many, (t) => t.count)) > many.length / 4, 'more tokens than the first guess of the tape (one per four bytes) holds');
  same(many, { source: 'slice', maxAttributes: 100_000 });
  const small = new TapeScanner(OTLP_KEYS, CACHED_VALUES, 1);
  const text = fixtureText('otlp-traces-node-sdk.json');
  assert.equal(small.read(text, (t) => t.count), verdict(text));
  assert.equal(small.instances, 1);
  assert.equal(small.read(text, (t) => t.count), verdict(text));
  assert.equal(small.instances, 2, 'the first instance was dropped after its payload');
});
