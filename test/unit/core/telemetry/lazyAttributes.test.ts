import { test } from 'node:test';
import assert from 'node:assert/strict';
import { codeLocationOf } from '../../../../src/core/telemetry/attributes';
import { decodeTracesJson } from '../../../../src/core/telemetry/otlp/decodeJson';
import { decodeTracesProto } from '../../../../src/core/telemetry/otlp/decodeProto';
import { RejectionCounter } from '../../../../src/core/telemetry/rejections';
import { fixtureBytes, fixtureText } from './fixtures';

/** Spans build their attribute object on first read; what they answer must not depend on it. */

test('lazy attributes: the protobuf and JSON of the same message give the same attribute objects', () => {
  const p = decodeTracesProto(fixtureBytes('go-traces.pb'), { source: 's' });
  const j = decodeTracesJson(fixtureText('go-traces.protojson.json'), { source: 's' });
  assert.ok(p.ok && j.ok);
  assert.equal(p.value.length, j.value.length);
  for (let i = 0; i < p.value.length; i++) {
    assert.deepEqual(p.value[i]!.attributes, j.value[i]!.attributes);
    assert.equal(p.value[i]!.attributes, p.value[i]!.attributes, 'built once');
  }
});

test('lazy attributes: the code location read from the list is the one of the attribute object (both generations, duplicates, bad values)', () => {
  const kv = (key: string, value: unknown) => ({ key, value });
  const cases: unknown[][] = [
    [kv('code.file.path', { stringValue: '/app/a.js' }), kv('code.line.number', { intValue: '12' }), kv('code.function.name', { stringValue: 'f' })],
    [kv('code.filepath', { stringValue: '/app/b.py' }), kv('code.lineno', { intValue: 3 }), kv('code.function', { stringValue: 'g' }), kv('code.namespace', { stringValue: 'M' }), kv('code.column', { intValue: 7 })],
    [kv('code.file.path', { stringValue: '' }), kv('code.filepath', { stringValue: '/old.js' }), kv('code.line.number', { stringValue: 'x' }), kv('code.lineno', { stringValue: '9' })],
    [kv('code.function.name', { stringValue: 'first' }), kv('http.route', { stringValue: '/x' }), kv('code.function.name', { stringValue: 'last' })],
    [kv('code.column.number', { intValue: 4 })],
    [kv('http.route', { stringValue: '/x' }), kv('codex.thing', { stringValue: 'no' })],
    [],
  ];
  for (const attributes of cases) {
    const r = decodeTracesJson(JSON.stringify({ resourceSpans: [{ scopeSpans: [{ spans: [{ name: 'n', attributes }] }] }] }), { source: 's' });
    assert.ok(r.ok);
    const s = r.value[0]!;
    assert.deepEqual(s.code, codeLocationOf(s.attributes), JSON.stringify(attributes));
  }
});

test('lazy attributes: bad entries and caps are counted at decode time, before anything reads the attributes', () => {
  const counter = new RejectionCounter();
  const attributes = [{ key: '__proto__', value: { stringValue: 'x' } }, { nokey: 1 }, { key: 'k', value: { stringValue: 'y'.repeat(50) } }, { key: 'k2', value: { stringValue: 'z' } }];
  const r = decodeTracesJson(JSON.stringify({ resourceSpans: [{ scopeSpans: [{ spans: [{ name: 'a', attributes }] }] }] }), { source: 's', counter, maxStringLength: 10, maxAttributes: 3 });
  assert.ok(r.ok);
  assert.deepEqual(counter.snapshot(), { 'invalid-item': 2, 'attribute-limit': 1, truncated: 1 });
  assert.deepEqual(r.value[0]!.attributes, { k: 'yyyyyyyyyy' });
  assert.deepEqual(counter.snapshot(), { 'invalid-item': 2, 'attribute-limit': 1, truncated: 1 }, 'reading them counts nothing more');
});

test('lazy attributes: a list whose entries are all bad is an empty object with no code location; a key over 256 characters is cut', () => {
  const counter = new RejectionCounter();
  const long = `code.${'k'.repeat(300)}`;
  const spans = [
    { name: 'bad', attributes: [null, { key: 1 }, { key: '__proto__', value: { stringValue: 'x' } }] },
    { name: 'long', attributes: [{ key: long, value: { boolValue: true } }, { key: 'code.function.name', value: { stringValue: 'f' } }] },
  ];
  const r = decodeTracesJson(JSON.stringify({ resourceSpans: [{ scopeSpans: [{ spans }] }] }), { source: 's', counter });
  assert.ok(r.ok);
  const [bad, cut] = r.value;
  assert.deepEqual(bad!.attributes, {});
  assert.equal(bad!.code, undefined);
  assert.deepEqual(cut!.attributes, { [long.slice(0, 256)]: true, 'code.function.name': 'f' });
  assert.deepEqual(cut!.code, { file: undefined, line: undefined, column: undefined, function: 'f' });
  assert.deepEqual(counter.snapshot(), { 'invalid-item': 3 });
});
