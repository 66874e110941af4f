import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import fc from 'fast-check';
import { decodeLogsJson, decodeLogsJsonScan, decodeTracesJson, decodeTracesJsonScan } from '../../../src/core/telemetry/otlp/decodeJson';
import { fastLogsJson, fastTracesJson } from '../../../src/core/telemetry/otlp/fastJson';
import { type DecodeOptions } from '../../../src/core/telemetry/otlp/limits';
import { RejectionCounter } from '../../../src/core/telemetry/rejections';
import { makePayloads } from '../../../bench/telemetry/payloads';
import { FIXTURES, fixtureText } from './fixtures';

/**
 * The OTLP/JSON one-pass scanner (src/core/telemetry/otlp/fastJson.ts) must answer exactly what the
 * JSON.parse path answers: the same spans and log records (attributes included), the same
 * rejections, the same counts. Differential: both paths on the same input, deep-equal.
 */

type Outcome = { ok: true; value: unknown[] } | { ok: false; error: unknown };

/** The items as plain data: own fields plus the lazily built attributes. */
function plain(r: Outcome): unknown {
  if (!r.ok) return r;
  return { ok: true, value: r.value.map((x) => ({ ...(x as object), attributes: (x as { attributes: unknown }).attributes })) };
}

const OPTIONS: Omit<DecodeOptions, 'counter'>[] = [{ source: 'slice' }, { source: 'baseline', maxStringLength: 8, maxAttributes: 3, maxItems: 2, maxEvents: 1, maxDepth: 1 }];

/** Both paths on `text`, with fresh counters; asserts they agree and returns whether the scanner went through (no fallback). */
function same(text: string | Uint8Array, what: 'traces' | 'logs', base: Omit<DecodeOptions, 'counter'> = OPTIONS[0]!): boolean {
  const treeCounter = new RejectionCounter();
  const scanCounter = new RejectionCounter();
  const tree = what === 'traces' ? decodeTracesJson(text, { ...base, counter: treeCounter }) : decodeLogsJson(text, { ...base, counter: treeCounter });
  const scan = what === 'traces' ? decodeTracesJsonScan(text, { ...base, counter: scanCounter }) : decodeLogsJsonScan(text, { ...base, counter: scanCounter });
  assert.deepStrictEqual(plain(scan), plain(tree));
  assert.deepStrictEqual(scanCounter.snapshot(), treeCounter.snapshot());
  if (typeof text !== 'string') return true;
  const fast = what === 'traces' ? fastTracesJson(text, base) : fastLogsJson(text, base);
  return fast !== undefined;
}

function jsonFixtures(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) out.push(...jsonFixtures(p));
    else if (name.endsWith('.json')) out.push(relative(FIXTURES, p));
  }
  return out;
}

test('scanner = JSON.parse path on every JSON fixture (real SDK payloads), traces and logs, default and tight caps; none falls back', () => {
  const files = jsonFixtures(FIXTURES);
  assert.ok(files.length >= 10, `fixtures found: ${files.join(', ')}`);
  for (const f of files) {
    const text = fixtureText(f);
    for (const o of OPTIONS) {
      for (const what of ['traces', 'logs'] as const) assert.ok(same(text, what, o), `${f} (${what}) fell back to JSON.parse`);
      same(new TextEncoder().encode(text), 'traces', o);
    }
  }
});

test('scanner = JSON.parse path on the benchmark payloads; none falls back', () => {
  const { json } = makePayloads(3);
  for (const text of json) {
    assert.ok(same(text, 'traces'));
    assert.ok(same(text, 'traces', OPTIONS[1]));
  }
});

/** Spellings the decoders accept, and shapes they must reject or skip the same way. */
const idish = fc.oneof(
  fc.constantFrom('', '0123456789abcdef0123456789abcdef', '0123456789ABCDEF0123456789ABCDEF', '00000000000000000000000000000000', '0123456789abcdef', 'ASNFZ4mrze8BI0VniavN7w==', 'ASNFZ4mrze8=', 'not an id', '\u00e9\u00e9'),
  fc.integer(),
  fc.constant(null),
);
const nanos = fc.oneof(fc.constantFrom('1718000000000000000', '1718000000123456789', '', '-5', '1e18', '99999999999999999999999', '0017', ' 12', '1.5'), fc.integer(), fc.double(), fc.constant(null), fc.bigInt({ min: 0n, max: 2n ** 64n }).map(String));
const text = fc.oneof(fc.string({ maxLength: 12 }), fc.string({ unit: 'grapheme', maxLength: 12 }), fc.string({ unit: 'binary', maxLength: 12 }), fc.constantFrom('a\u0000b', 'line\nbreak', 'quote"in', 'back\\slash', '\ud83d\ude00 emoji', '\ud800 lone', 'x'.repeat(40), '/app/src/module1/service.js'));
const anyValue: fc.Arbitrary<unknown> = fc.letrec((tie) => ({
  v: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    fc.record({ stringValue: text }),
    fc.record({ intValue: fc.oneof(fc.integer(), fc.constantFrom('42', '-7', '9007199254740993', 'x', '1e3'), fc.double()) }),
    fc.record({ doubleValue: fc.oneof(fc.double(), fc.constantFrom('NaN', 'Infinity', '-Infinity', 'x')) }),
    fc.record({ boolValue: fc.oneof(fc.boolean(), fc.constant('true')) }),
    fc.record({ bytesValue: fc.constantFrom('aGVsbG8=', '', '!!') }),
    fc.record({ arrayValue: fc.record({ values: fc.array(tie('v'), { maxLength: 3 }) }, { requiredKeys: [] }) }),
    fc.record({ kvlistValue: fc.record({ values: fc.array(fc.record({ key: text, value: tie('v') }, { requiredKeys: [] }), { maxLength: 3 }) }, { requiredKeys: [] }) }),
    fc.record({ stringValue: text, intValue: fc.integer() }),
    fc.constantFrom({}, null, [], 'str', 7),
  ),
})).v;
const keyValue = fc.oneof(
  { weight: 6, arbitrary: fc.record({ key: text, value: anyValue }) },
  { weight: 1, arbitrary: fc.record({ value: anyValue, key: fc.oneof(text, fc.constant('__proto__'), fc.integer()) }) },
  { weight: 1, arbitrary: fc.oneof(fc.constant(null), fc.constant(3), fc.record({ key: text }), fc.record({ key: text, value: anyValue, extra: fc.jsonValue({ maxDepth: 2 }) })) },
);
const attributes = fc.oneof({ weight: 5, arbitrary: fc.array(keyValue, { maxLength: 6 }) }, { weight: 1, arbitrary: fc.constantFrom(null, {}, 'x', []) });
const status = fc.oneof(fc.record({ code: fc.oneof(fc.integer({ min: -1, max: 3 }), fc.constantFrom('STATUS_CODE_ERROR', 'STATUS_CODE_OK', 'nope')), message: text }, { requiredKeys: [] }), fc.constantFrom(null, [], 'x'));
const event = fc.oneof(fc.record({ name: fc.oneof(text, fc.constant('exception')), timeUnixNano: nanos, attributes }, { requiredKeys: [] }), fc.constant(null));
const span = fc.oneof(
  { weight: 8, arbitrary: fc.record({ traceId: idish, spanId: idish, parentSpanId: idish, name: fc.oneof(text, fc.integer()), kind: fc.oneof(fc.integer({ min: -1, max: 7 }), fc.constantFrom('SPAN_KIND_SERVER', 'SPAN_KIND_CLIENT', 'x')), startTimeUnixNano: nanos, endTimeUnixNano: nanos, attributes, events: fc.oneof(fc.array(event, { maxLength: 3 }), fc.constant('x')), status, links: fc.jsonValue({ maxDepth: 2 }) }, { requiredKeys: [] }) },
  { weight: 1, arbitrary: fc.jsonValue({ maxDepth: 2 }) },
);
const logRecord = fc.oneof(
  { weight: 8, arbitrary: fc.record({ timeUnixNano: nanos, observedTimeUnixNano: nanos, severityNumber: fc.oneof(fc.integer({ min: -1, max: 30 }), fc.constantFrom('SEVERITY_NUMBER_ERROR', 'SEVERITY_NUMBER_INFO2', 'x')), severityText: text, body: anyValue, attributes, traceId: idish, spanId: idish }, { requiredKeys: [] }) },
  { weight: 1, arbitrary: fc.jsonValue({ maxDepth: 2 }) },
);
const resource = fc.oneof(fc.record({ attributes, droppedAttributesCount: fc.nat() }, { requiredKeys: [] }), fc.constantFrom(null, 'x'));
const scope = fc.oneof(fc.record({ name: fc.oneof(text, fc.integer()), version: text }, { requiredKeys: [] }), fc.constant(null));
const tracesRequest = fc.record({
  resourceSpans: fc.oneof(
    fc.array(
      fc.oneof(
        fc.record({ resource, scopeSpans: fc.oneof(fc.array(fc.oneof(fc.record({ scope, spans: fc.oneof(fc.array(span, { maxLength: 4 }), fc.constant('x')) }, { requiredKeys: [] }), fc.constant(7)), { maxLength: 3 }), fc.constant(null)), schemaUrl: text }, { requiredKeys: [] }),
        fc.record({ resource, instrumentationLibrarySpans: fc.array(fc.record({ instrumentationLibrary: scope, spans: fc.array(span, { maxLength: 3 }) }, { requiredKeys: [] }), { maxLength: 2 }) }, { requiredKeys: [] }),
        fc.constant('x'),
      ),
      { maxLength: 3 },
    ),
    fc.constantFrom(null, 'x', {}),
  ),
}, { requiredKeys: [] });
const logsRequest = fc.record({
  resourceLogs: fc.array(
    fc.oneof(
      fc.record({ resource, scopeLogs: fc.array(fc.oneof(fc.record({ scope, logRecords: fc.oneof(fc.array(logRecord, { maxLength: 4 }), fc.constant(3)) }, { requiredKeys: [] }), fc.constant(null)), { maxLength: 3 }) }, { requiredKeys: [] }),
      fc.record({ resource, instrumentationLibraryLogs: fc.array(fc.record({ logRecords: fc.array(logRecord, { maxLength: 3 }) }, { requiredKeys: [] }), { maxLength: 2 }) }, { requiredKeys: [] }),
    ),
    { maxLength: 3 },
  ),
}, { requiredKeys: [] });

/** Ways to write the same JSON value, and ways to break it. */
const spelling = fc.constantFrom('compact', 'pretty', 'tabs', 'escaped-keys', 'escaped-strings');
function write(v: unknown, how: string): string {
  switch (how) {
    case 'pretty':
      return JSON.stringify(v, null, 2);
    case 'tabs':
      return JSON.stringify(v, null, '\t').replace(/\n/g, '\r\n');
    case 'escaped-keys':
      return JSON.stringify(v).replace(/"(name|key|value|stringValue|traceId|spans|attributes)":/g, (_m, k: string) => `"${k[0]}\\u00${k.charCodeAt(1).toString(16)}${k.slice(2)}":`);
    case 'escaped-strings':
      return JSON.stringify(v).replace(/:"([a-z])/g, (_m, c: string) => `:"\\u00${c.charCodeAt(0).toString(16)}`);
    default:
      return JSON.stringify(v);
  }
}
const RUNS = 1000;

test('fuzz: scanner = JSON.parse path on generated OTLP traces and logs requests (any field shape, legacy keys, enum names, base64 ids, escapes, unicode, whitespace)', () => {
  fc.assert(
    fc.property(tracesRequest, spelling, fc.nat(1), (req, how, o) => {
      same(write(req, how), 'traces', OPTIONS[o]);
    }),
    { numRuns: RUNS },
  );
  fc.assert(
    fc.property(logsRequest, spelling, fc.nat(1), (req, how, o) => {
      same(write(req, how), 'logs', OPTIONS[o]);
    }),
    { numRuns: RUNS },
  );
});

const MUTATIONS = ['"', '\\', '\\u', '\\ud800', '\\"', '\u0000', '\u001f', '\n', ',', ':', '{', '}', '[', ']', 'null', '-', '0', '01', '1e', '.5', '\ud83d', '\ud83d\ude00', '\u2028', ' ', 'true', 'tru', '"__proto__":1,', '"name":"dup",', '"attributes":[],', '"resource":{},', '"spans":[],'];

test('fuzz: scanner = JSON.parse path on mutated real payloads (truncations, inserted and flipped characters, duplicate keys)', () => {
  const bases = ['otlp-traces-node-sdk.json', 'sample-app/orders.traces.json', 'go-traces.protojson.json', 'otlp-logs-python-sdk.json', 'sample-app/orders.logs.json'].map((f) => fixtureText(f));
  fc.assert(
    fc.property(fc.nat(bases.length - 1), fc.array(fc.tuple(fc.nat(), fc.oneof(fc.constantFrom(...MUTATIONS), fc.string({ maxLength: 3 })), fc.nat(3)), { minLength: 1, maxLength: 3 }), fc.option(fc.nat()), (b, edits, cut) => {
      let t = bases[b]!;
      for (const [at, s, del] of edits) {
        const i = at % (t.length + 1);
        t = t.slice(0, i) + s + t.slice(i + del);
      }
      if (cut !== null) t = t.slice(0, cut % (t.length + 1));
      same(t, 'traces');
      same(t, 'logs');
    }),
    { numRuns: RUNS + 500 },
  );
});

test('scanner edge cases: numbers, literals, nesting, duplicate and reordered keys, trailing text', () => {
  const wrap = (spanJson: string) => `{"resourceSpans":[{"scopeSpans":[{"spans":[${spanJson}]}]}]}`;
  const cases = [
    '',
    ' ',
    '{}',
    '[]',
    '{"resourceSpans":[]} x',
    '{"resourceSpans":[]}\n',
    '{"resourceSpans":[],}',
    '{"resourceSpans":[1,]}',
    '{"resourceSpans":null}',
    '{"resourceSpans":[],"resourceSpans":[{}]}',
    '{"__proto__":{"resourceSpans":[]},"resourceSpans":[]}',
    '{"scopeSpans":[],"resource":{}}',
    '{"resourceSpans":[{"scopeSpans":[{"spans":[{}]}],"resource":{"attributes":[{"key":"service.name","value":{"stringValue":"late"}}]}}]}',
    '{"resourceSpans":[{"scopeSpans":[],"instrumentationLibrarySpans":[{"spans":[{}]}]}]}',
    '{"resourceSpans":[{"scopeSpans":[{"spans":[{"name":"a"}],"scope":{"name":"late"}}]}]}',
    wrap('{"name":"a","name":"b"}'),
    wrap('{"kind":-0,"startTimeUnixNano":-0.0,"endTimeUnixNano":1E3}'),
    wrap('{"startTimeUnixNano":1718000000000000000,"endTimeUnixNano":"1718000000000000001"}'),
    wrap('{"startTimeUnixNano":123456789012345678901234567890,"endTimeUnixNano":1e400}'),
    wrap('{"startTimeUnixNano":"\\u0031718000000000000000"}'),
    wrap('{"attributes":[{"value":{"stringValue":"v"},"key":"k"},{"value":{"stringValue":"' + 'x'.repeat(20) + '"},"key":1}]}'),
    wrap('{"attributes":[{"key":"k","value":{"stringValue":"a","stringValue":"b"}},{"key":"i","value":{"intValue":"12","intValue":3}}]}'),
    wrap('{"attributes":[{"key":"k","key":"k2","value":{"stringValue":"a"}}]}'),
    wrap('{"attributes":[{"key":"n","value":{"intValue":01}}]}'),
    wrap('{"attributes":[{"key":"n","value":{"intValue":-}}]}'),
    wrap(`{"attributes":[{"key":"deep","value":${'{"arrayValue":{"values":['.repeat(80)}{"stringValue":"x"}${']}}'.repeat(80)}}]}`),
    wrap(`{"links":${'['.repeat(70)}${']'.repeat(70)}}`),
    wrap('{"attributes":[{"key":"' + 'k'.repeat(300) + '","value":{"stringValue":"v"}}]}'),
    wrap('{"traceId":"0123456789abcdef0123456789abcde\\u0066","spanId":"0123456789abcdeF"}'),
    wrap('{"name":"tab\there"}'),
    wrap('{"name":"\\ud83d\\ude00"}'),
    wrap('{"name":"\\x"}'),
    wrap('{"events":[{"name":"exception","attributes":[{"key":"exception.message","value":{"stringValue":"boom"}}]}],"events":[]}'),
    wrap('{"status":{"code":2,"message":"m"},"status":{"code":1}}'),
    wrap('{"status":{"code":"STATUS_CODE_ERROR"}}  '),
    wrap('tru'),
    wrap('{"name":"a"} {"name":"b"}'),
  ];
  for (const c of cases) {
    same(c, 'traces');
    same(c, 'logs');
    same(c, 'traces', OPTIONS[1]);
  }
  // the common SDK shapes go through without falling back
  assert.ok(same(wrap('{"traceId":"0123456789abcdef0123456789abcdef","spanId":"0123456789abcdef","name":"n","kind":2,"startTimeUnixNano":"1","endTimeUnixNano":"2","attributes":[{"key":"code.file.path","value":{"stringValue":"/app/a.js"}},{"key":"code.line.number","value":{"intValue":"12"}}],"status":{}}'), 'traces'));
});

test('scanner: repeated strings come from its cache as one string, equal to what JSON.parse gives', () => {
  const payload = (lead: string) => `${lead}{"resourceSpans":[{"scopeSpans":[{"spans":[{"name":"GET /api/v1/items/:id","attributes":[{"key":"http.request.method","value":{"stringValue":"/app/src/module1/x.js"}}]}]}]}]}`;
  const a = fastTracesJson(payload(''), { source: 's' });
  const b = fastTracesJson(payload('  '), { source: 's' });
  assert.ok(a?.ok && b?.ok);
  assert.equal(a.value[0]!.name, 'GET /api/v1/items/:id');
  assert.deepStrictEqual(b.value[0]!.attributes, { 'http.request.method': '/app/src/module1/x.js' });
  assert.deepStrictEqual(plain(a), plain(decodeTracesJson(payload(''), { source: 's' })));
});

test('scanner on hostile sizes: nesting past its own limit and JSON.parse\'s, megabyte strings, oversize and empty payloads answer as the JSON.parse path', () => {
  const nested = (n: number) => `${'{"arrayValue":{"values":['.repeat(n)}{"stringValue":"leaf"}${']}}'.repeat(n)}`;
  const wrap = (value: string) => `{"resourceSpans":[{"scopeSpans":[{"spans":[{"name":"d","attributes":[{"key":"deep","value":${value}}]}]}]}]}`;
  same(wrap(nested(500)), 'traces');
  same(wrap(nested(200_000)), 'traces', { source: 's', maxBytes: 64 * 1024 * 1024 });
  same(`{"resourceSpans":[{"scopeSpans":[{"spans":[{"links":${'['.repeat(100_000)}${']'.repeat(100_000)}}]}]}]}`, 'traces');
  same(JSON.stringify({ resourceSpans: [{ scopeSpans: [{ spans: [{ name: 'x'.repeat(1_000_000), attributes: [{ key: 'k', value: { stringValue: 'y'.repeat(1_000_000) } }] }] }] }] }), 'traces');
  same('{"resourceSpans":[]}', 'traces', { source: 's', maxBytes: 5 });
  same('', 'traces');
  same(new Uint8Array(0), 'logs');
});
