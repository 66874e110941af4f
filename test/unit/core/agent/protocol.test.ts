import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { FRAME_HEADER_BYTES, FrameFlags, MessageType, PROTOCOL_VERSION, decodeFrame, encodeFrame } from '../../../../src/core/agent/protocol';
import { encodeMessage, parseMessage } from '../../../../src/core/agent/messages';
import { decodeManifest, encodeManifest } from '../../../../src/core/sync/manifestPayload';

test('a frame round-trips: header, metadata and payload', () => {
  const payload = new Uint8Array([0, 1, 2, 255]);
  const bytes = encodeFrame({ type: MessageType.Batch, requestId: 0xfffffffe, flags: FrameFlags.Compressed, meta: { ops: [] }, payload });
  assert.deepEqual([...bytes.subarray(0, 4)], [0x53, 0x4c, 0x43, PROTOCOL_VERSION]);
  assert.equal(PROTOCOL_VERSION, 3);
  const r = decodeFrame(bytes);
  assert.ok(r.ok);
  assert.equal(r.value.type, MessageType.Batch);
  assert.equal(r.value.requestId, 0xfffffffe);
  assert.equal(r.value.flags, FrameFlags.Compressed);
  assert.deepEqual(r.value.meta, { ops: [] });
  assert.deepEqual([...r.value.payload], [0, 1, 2, 255]);
});

test('typed messages round-trip through parseMessage', () => {
  const ops = [
    { op: 'write' as const, path: 'a/b.txt', size: 3, hash: 'h', mode: 0o755 },
    { op: 'delete' as const, path: 'gone' },
    { op: 'rename' as const, from: 'x', path: 'y', hash: 'h2' },
    { op: 'mkdir' as const, path: 'empty/dir' },
    { op: 'rmdir' as const, path: 'old' },
  ];
  const frame = decodeFrame(encodeMessage({ type: MessageType.Batch, meta: { ops } }, 7, new Uint8Array(3)));
  assert.ok(frame.ok);
  const msg = parseMessage(frame.value);
  assert.ok(msg.ok);
  assert.deepEqual(msg.value, { type: MessageType.Batch, meta: { ops } });
});

test('truncated, padded and garbage frames are rejected with a code, never a throw', () => {
  const good = encodeFrame({ type: MessageType.Hello, requestId: 1, meta: { versions: [1], client: 't' }, payload: new Uint8Array(10) });
  for (let cut = 0; cut < good.length; cut++) {
    const r = decodeFrame(good.subarray(0, cut));
    assert.equal(r.ok, false, `cut at ${cut}`);
    if (!r.ok) assert.equal(r.error.code, 'BAD_FRAME');
  }
  const padded = new Uint8Array(good.length + 1);
  padded.set(good);
  assert.equal(decodeFrame(padded).ok, false);
  fc.assert(
    fc.property(fc.uint8Array({ maxLength: 200 }), (bytes) => {
      const r = decodeFrame(bytes);
      if (r.ok) {
        const m = parseMessage(r.value);
        assert.equal(typeof m.ok, 'boolean');
      }
    }),
    { numRuns: 2000 },
  );
  // Garbage after a valid header: bit flips anywhere.
  fc.assert(
    fc.property(fc.nat(good.length - 1), fc.integer({ min: 1, max: 255 }), (i, x) => {
      const copy = good.slice();
      copy[i] = (copy[i] ?? 0) ^ x;
      const r = decodeFrame(copy);
      if (r.ok) assert.equal(typeof parseMessage(r.value).ok, 'boolean');
    }),
    { numRuns: 2000 },
  );
});

test('an unknown version, type, flag or malformed metadata is named in the error', () => {
  const good = encodeFrame({ type: MessageType.Hello, requestId: 9, meta: { versions: [1], client: 't' } });
  for (const other of [2, 4]) {
    const v = good.slice();
    v[3] = other;
    const r = decodeFrame(v);
    assert.ok(!r.ok);
    assert.equal(r.error.code, 'UNSUPPORTED_VERSION');
    assert.equal(r.error.requestId, 9);
    assert.match(r.error.message, new RegExp(`version ${other} is not supported \\(this side speaks 3\\)`));
  }
  const badType = good.slice();
  badType[4] = 99;
  assert.match(decodeFrame(badType).ok ? '' : 'unknown message type', /unknown message type/);
  const badFlags = good.slice();
  badFlags[5] = 0x80;
  assert.equal(decodeFrame(badFlags).ok, false);
  const notObject = encodeFrame({ type: MessageType.Hello, requestId: 1, meta: {} });
  const arrayMeta = new TextEncoder().encode('[1]');
  const bytes = new Uint8Array(FRAME_HEADER_BYTES + arrayMeta.length);
  bytes.set(notObject.subarray(0, FRAME_HEADER_BYTES));
  new DataView(bytes.buffer).setUint32(12, arrayMeta.length);
  bytes.set(arrayMeta, FRAME_HEADER_BYTES);
  assert.equal(decodeFrame(bytes).ok, false);
  const hello = decodeFrame(encodeFrame({ type: MessageType.Hello, requestId: 1, meta: { versions: 'x' } }));
  assert.ok(hello.ok);
  const parsed = parseMessage(hello.value);
  assert.ok(!parsed.ok);
  assert.match(parsed.error.message, /malformed Hello message: versions must be an array/);
  const op = decodeFrame(encodeFrame({ type: MessageType.Batch, requestId: 1, meta: { ops: [{ op: 'chmod', path: 'x' }] } }));
  assert.ok(op.ok);
  assert.equal(parseMessage(op.value).ok, false);
});

test('protocol 3 manifests carry files, directories and the agent\'s record; a defect is a clear error', () => {
  const parts = {
    files: [{ path: 'a.ts', size: 3, mode: 0o644, hash: 'h1' }, { path: 'b.ts', size: 4, hash: 'h2' }],
    dirs: ['src', 'src/empty'],
    written: [['a.ts', [{ size: 3, mode: 0o644, hash: 'h1' }]], ['gone.ts', [null]], ['moving.ts', [{ size: 5, mode: -1, hash: 'h0' }, null]]] as const,
    made: ['src/empty'],
  };
  const r = decodeManifest(encodeManifest(parts), 2);
  assert.ok(r.ok);
  assert.deepEqual([...r.value.files.values()], parts.files);
  assert.deepEqual([...r.value.dirs], parts.dirs);
  assert.deepEqual([...r.value.written], parts.written);
  assert.deepEqual([...r.value.made], parts.made);
  assert.equal(decodeManifest(encodeManifest(parts), 3).ok, false, 'the count must match');
  const v2 = decodeManifest(new TextEncoder().encode('[["a.ts",3,420,"h1",1]]'), 1);
  assert.ok(!v2.ok);
  assert.match(v2.error.message, /must be an object \{files, dirs, written, made\}/);
  const bad = decodeManifest(new TextEncoder().encode('{"files":[],"dirs":[],"written":[["a",[]]],"made":[]}'), 0);
  assert.ok(!bad.ok);
  assert.match(bad.error.message, /at least one candidate/);
});
