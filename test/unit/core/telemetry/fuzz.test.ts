import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { decodeLogsJson, decodeTracesJson } from '../../../../src/core/telemetry/otlp/decodeJson';
import { decodeLogsProto, decodeTracesProto } from '../../../../src/core/telemetry/otlp/decodeProto';
import { otlpTypes } from '../../../../src/core/telemetry/otlp/proto/schema';
import { parseLogLine } from '../../../../src/core/telemetry/logs';
import { parseStack } from '../../../../src/core/telemetry/stack';
import { RejectionCounter } from '../../../../src/core/telemetry/rejections';
import { type Span } from '../../../../src/core/telemetry/model';
import { fixtureBytes, fixtureText } from './fixtures';

const RUNS = 300;
const jsonFixture = fixtureText('otlp-traces-node-sdk.json');
const protoFixture = fixtureBytes('go-traces.pb');
const stacks = ['node-cjs.txt', 'node-esm-async.txt', 'python-chained.txt', 'python-group.txt', 'java-caused-by.txt', 'go-dump.txt'].map((n) => fixtureText(`stacks/${n}`));

/** Every outcome is a Result; a rejection is counted exactly once. */
function checkOutcome(counter: RejectionCounter, run: () => { ok: boolean; value?: unknown }): void {
  const before = counter.total;
  const r = run();
  if (!r.ok) assert.ok(counter.total >= before + 1);
}

function checkSpans(spans: readonly Span[], maxString: number): void {
  for (const s of spans) {
    assert.ok(s.name.length <= maxString);
    assert.ok(Number.isFinite(s.startMs) && Number.isFinite(s.durationMs) && s.durationMs >= 0);
    assert.ok(s.traceId === '' || /^[0-9a-f]{32}$/.test(s.traceId));
  }
}

test('fuzz: OTLP/JSON decoders on arbitrary JSON values, strings and mutated fixtures never throw', () => {
  const counter = new RejectionCounter();
  const o = { source: 'fuzz', counter, maxStringLength: 256, maxItems: 100 };
  fc.assert(
    fc.property(fc.jsonValue({ maxDepth: 6 }), (v) => {
      checkOutcome(counter, () => decodeTracesJson(JSON.stringify(v), o));
      checkOutcome(counter, () => decodeLogsJson(JSON.stringify(v), o));
      // the same value placed where OTLP expects structure
      const r = decodeTracesJson(JSON.stringify({ resourceSpans: [{ resource: v, scopeSpans: [{ scope: v, spans: [v, { name: v, attributes: v, events: v, status: v }] }] }] }), o);
      if (r.ok) checkSpans(r.value, 256);
    }),
    { numRuns: RUNS },
  );
  fc.assert(
    fc.property(fc.string({ maxLength: 200 }), fc.nat(jsonFixture.length), fc.nat(jsonFixture.length), (junk, at, cut) => {
      const mutated = jsonFixture.slice(0, at) + junk + jsonFixture.slice(at, Math.max(at, cut));
      checkOutcome(counter, () => decodeTracesJson(mutated, o));
    }),
    { numRuns: RUNS },
  );
});

test('fuzz: protobuf decoders on arbitrary bytes, truncated and bit-flipped fixtures never throw', () => {
  const counter = new RejectionCounter();
  const o = { source: 'fuzz', counter, maxStringLength: 256, maxItems: 100 };
  fc.assert(
    fc.property(fc.uint8Array({ maxLength: 2048 }), (bytes) => {
      checkOutcome(counter, () => decodeTracesProto(bytes, o));
      checkOutcome(counter, () => decodeLogsProto(bytes, o));
    }),
    { numRuns: RUNS },
  );
  fc.assert(
    fc.property(fc.nat(protoFixture.length), fc.array(fc.tuple(fc.nat(protoFixture.length - 1), fc.integer({ min: 0, max: 255 })), { maxLength: 8 }), (cut, flips) => {
      const b = protoFixture.slice(0, Math.max(1, cut));
      for (const [i, v] of flips) if (i < b.length) b[i] = v;
      checkOutcome(counter, () => decodeTracesProto(b, o));
      const r = decodeTracesProto(b, o);
      if (r.ok) checkSpans(r.value, 256);
    }),
    { numRuns: RUNS },
  );
});

test('fuzz: hostile sizes are bounded: oversize rejected before parsing, huge declared lengths, item and depth caps', () => {
  const counter = new RejectionCounter();
  // a decompression bomb is capped by the caller; what reaches the decoder past the cap is rejected unread
  const bomb = new Uint8Array(32 * 1024 * 1024 + 1);
  const t0 = performance.now();
  const big = decodeTracesProto(bomb, { source: 's', counter });
  const bigJson = decodeTracesJson(bomb, { source: 's', counter });
  assert.ok(!big.ok && big.error.reason === 'oversize' && !bigJson.ok && bigJson.error.reason === 'oversize');
  assert.ok(performance.now() - t0 < 50);
  // a field declaring 2 GiB of bytes in a small payload
  const liar = decodeTracesProto(new Uint8Array([0x0a, 0xff, 0xff, 0xff, 0xff, 0x07, 0x01]), { source: 's', counter });
  assert.ok(!liar.ok && liar.error.reason === 'malformed-protobuf');
  // many spans: only maxItems are kept, the rest counted
  const t = otlpTypes();
  const many = t.exportTraceRequest.encode(t.exportTraceRequest.fromObject({ resourceSpans: [{ scopeSpans: [{ spans: Array.from({ length: 5000 }, (_, i) => ({ name: `s${i}` })) }] }] })).finish();
  const r = decodeTracesProto(many, { source: 's', counter, maxItems: 1000 });
  assert.ok(r.ok && r.value.length === 1000);
  assert.equal(counter.get('item-limit'), 4000);
  // deep AnyValue nesting is cut at the depth cap
  const nested = (n: number) => `${'{"arrayValue":{"values":['.repeat(n)}{"stringValue":"leaf"}${']}}'.repeat(n)}`;
  const d = decodeTracesJson(`{"resourceSpans":[{"scopeSpans":[{"spans":[{"name":"d","attributes":[{"key":"deep","value":${nested(500)}}]}]}]}]}`, { source: 's', counter });
  assert.ok(d.ok);
  assert.ok(counter.get('attribute-limit') >= 1);
  // nesting deeper than JSON.parse's own limit is a rejection, not a crash
  const deeper = decodeTracesJson(`{"resourceSpans":[{"scopeSpans":[{"spans":[{"name":"d","attributes":[{"key":"deep","value":${nested(200_000)}}]}]}]}]}`, { source: 's', counter, maxBytes: 64 * 1024 * 1024 });
  assert.ok(deeper.ok || deeper.error.reason === 'malformed-json');
  // very long strings are cut
  const long = decodeTracesJson(JSON.stringify({ resourceSpans: [{ scopeSpans: [{ spans: [{ name: 'x'.repeat(1_000_000) }] }] }] }), { source: 's', counter });
  assert.ok(long.ok && long.value[0]!.name.length === 16 * 1024);
});

test('fuzz: the log-line parser takes any text, ANSI and binary included, without throwing', () => {
  const counter = new RejectionCounter();
  const ansi = fc.constantFrom('\x1b[31m', '\x1b[0m', '\x1b]0;t\x07', '\x1b[2K', '\u0000', '\uFFFD', '\r', '{', '}', '"caller":"', ':12:3');
  const line = fc.array(fc.oneof(fc.string({ maxLength: 20 }), ansi, fc.jsonValue({ maxDepth: 3 }).map((v) => JSON.stringify(v))), { maxLength: 20 }).map((parts) => parts.join(''));
  fc.assert(
    fc.property(line, (l) => {
      const r = parseLogLine(l, { source: 's', counter, maxLineLength: 512 });
      if (r.ok) {
        assert.ok(!r.value.body.includes('\x1b['));
        assert.ok(r.value.body.length <= 512);
      } else assert.equal(r.error.reason, 'binary-line');
    }),
    { numRuns: RUNS },
  );
  fc.assert(
    fc.property(fc.uint8Array({ minLength: 8, maxLength: 256 }), (bytes) => {
      parseLogLine(new TextDecoder().decode(bytes), { source: 's', counter });
    }),
    { numRuns: RUNS },
  );
});

test('fuzz: stack parsers on arbitrary and mutated traces never throw and keep at most 256 frames', () => {
  fc.assert(
    fc.property(fc.constantFrom(...stacks), fc.string({ maxLength: 60 }), fc.nat(4000), (base, junk, at) => {
      const s = parseStack(base.slice(0, at) + junk + base.slice(at));
      assert.ok(s.frames.length <= 256);
      for (const f of s.frames) assert.ok(Number.isInteger(f.line) && f.line >= 0);
    }),
    { numRuns: RUNS },
  );
  const huge = `Error: x\n${'    at f (/app/a.js:1:1)\n'.repeat(10_000)}`;
  assert.equal(parseStack(huge).frames.length, 256);
  const t0 = performance.now();
  parseStack(`${'a:1:'.repeat(4000)}\n    at ${'('.repeat(4000)}`);
  parseStack(`  File "${'"'.repeat(8000)}", line 1`);
  assert.ok(performance.now() - t0 < 500, 'no catastrophic backtracking');
});
