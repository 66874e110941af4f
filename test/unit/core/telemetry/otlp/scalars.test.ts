import * as assert from 'node:assert/strict';
import { test } from 'node:test';
import { jsonId } from '../../../../../src/core/telemetry/otlp/scalars';

test('jsonId: lowercase hex as it is, uppercase and mixed case lowercased', () => {
  assert.equal(jsonId('4bf92f3577b34da6a3ce929d0e0e4736', 16), '4bf92f3577b34da6a3ce929d0e0e4736');
  assert.equal(jsonId('4BF92F3577B34DA6A3CE929D0E0E4736', 16), '4bf92f3577b34da6a3ce929d0e0e4736');
  assert.equal(jsonId('00f067aa0BA902b7', 8), '00f067aa0ba902b7');
});

test('jsonId: empty, all-zero and non-string ids are no id', () => {
  assert.equal(jsonId('', 16), '');
  assert.equal(jsonId('0'.repeat(32), 16), '');
  assert.equal(jsonId('0'.repeat(16), 8), '');
  assert.equal(jsonId(undefined, 8), '');
  assert.equal(jsonId(1234, 8), '');
});

test('jsonId: base64 ids (proto3 JSON of other tools) become hex; anything else of the hex length is no id', () => {
  assert.equal(jsonId(Buffer.from('4bf92f3577b34da6a3ce929d0e0e4736', 'hex').toString('base64'), 16), '4bf92f3577b34da6a3ce929d0e0e4736');
  assert.equal(jsonId(Buffer.from('00f067aa0ba902b7', 'hex').toString('base64url').replace(/=+$/, ''), 8), '00f067aa0ba902b7');
  // the hex length, but one char is not a hex digit (g, a space, a non-ASCII letter, one beyond 'F'): not hex, and not base64 of 16 bytes
  for (const bad of ['4bf92f3577b34da6a3ce929d0e0e473g', '4bf92f3577b34da6a3ce929d0e0e473 ', '4bf92f3577b34da6a3ce929d0e0e473é', '4bf92f3577b34da6a3ce929d0e0e473G', '4bf92f3577b34da6a3ce929d0e0e473\u0130']) {
    assert.equal(jsonId(bad, 16), '', JSON.stringify(bad));
  }
  assert.equal(jsonId('4bf92f3577b34da6', 16), ''); // too short for a trace id, not base64 of 16 bytes either
});
