import { test } from 'node:test';
import assert from 'node:assert/strict';
import { decodeTracesProto } from '../../../../../src/core/telemetry/otlp/decodeProto';
import { otlpTypes } from '../../../../../src/core/telemetry/otlp/proto/schema';
import { RejectionCounter } from '../../../../../src/core/telemetry/rejections';

/** The decoders' view of the OTLP schema: same bytes, fewer objects; what it answers must not change. */

const t = otlpTypes().exportTraceRequest;
const kv = (key: string, value: Record<string, unknown>) => ({ key, value });

test('decode view: every AnyValue member (empty and zero ones too), links and trace state skipped unread', () => {
  const bytes = t
    .encode(
      t.fromObject({
        resourceSpans: [
          {
            scopeSpans: [
              {
                scope: { name: 'sc', version: '1', attributes: [kv('a', { stringValue: 'b' })] },
                spans: [
                  {
                    name: 'n',
                    traceState: 'x=1',
                    flags: 1,
                    links: [{ traceId: new Uint8Array(16).fill(1), spanId: new Uint8Array(8).fill(2), attributes: [kv('l', { stringValue: 'm' })] }],
                    attributes: [kv('s', { stringValue: '' }), kv('i', { intValue: 0 }), kv('d', { doubleValue: 0 }), kv('b', { boolValue: false }), kv('arr', { arrayValue: { values: [{ stringValue: 'x' }] } }), kv('none', {})],
                  },
                ],
              },
            ],
          },
        ],
      }),
    )
    .finish();
  const r = decodeTracesProto(bytes, { source: 's' });
  assert.ok(r.ok);
  const s = r.value[0]!;
  assert.equal(s.scope, 'sc');
  assert.deepEqual({ ...s.attributes }, { s: '', i: 0, d: 0, b: false, arr: ['x'], none: null });
});

test('decode view: a string that is not UTF-8 is read with U+FFFD instead of failing the whole request', () => {
  const counter = new RejectionCounter();
  // Span { name (5): 0xff 'A' }, in ScopeSpans (2), in ResourceSpans (1), in the request (1)
  const span = [0x2a, 0x02, 0xff, 0x41];
  const scopeSpans = [0x12, span.length, ...span];
  const resourceSpans = [0x12, scopeSpans.length, ...scopeSpans];
  const request = new Uint8Array([0x0a, resourceSpans.length, ...resourceSpans]);
  const r = decodeTracesProto(request, { source: 's', counter });
  assert.ok(r.ok);
  assert.equal(r.value[0]!.name, '\uFFFDA');
  assert.deepEqual(counter.snapshot(), {});
});
