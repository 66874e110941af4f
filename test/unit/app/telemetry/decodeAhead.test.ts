import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DecodeAhead } from '../../../../src/app/telemetry/decodeAhead';
import { type DecodeAnswer, InlineDecoder, type TelemetryDecoder, type TelemetryPayload } from '../../../../src/core/telemetry/decodePayload';
import { fixtureText } from '../../core/telemetry/fixtures';

/** DecodeAhead: how far decoding may run ahead of the consumer (the telemetry service's aggregation). */

const job = (body: string): TelemetryPayload => ({ kind: 'traces', encoding: 'json', body, source: 'slice' });

/** The real in-thread decoder, with the jobs it was given counted. */
function counting(): { decoder: TelemetryDecoder; started: () => number; disposed: () => boolean } {
  const inline = new InlineDecoder();
  let started = 0;
  let disposed = false;
  return {
    decoder: {
      decode: (j) => {
        started++;
        return inline.decode(j);
      },
      dispose: () => (disposed = true),
    },
    started: () => started,
    disposed: () => disposed,
  };
}

test('decode ahead: at most `limit` jobs start before the consumer releases one; the rest start in order as it does', async () => {
  const c = counting();
  const ahead = new DecodeAhead(c.decoder, 3);
  const body = fixtureText('otlp-traces-node-sdk.json');
  const tickets = Array.from({ length: 10 }, () => ahead.take(job(body)));
  assert.equal(c.started(), 3);
  const first = await tickets[0]!.answer();
  assert.equal(first.kind, 'traces');
  assert.equal(c.started(), 3, 'an answer alone does not start the next: the consumer has not used it yet');
  ahead.release();
  assert.equal(c.started(), 4);
  const kinds: string[] = [first.kind];
  for (let i = 1; i < 10; i++) {
    kinds.push((await tickets[i]!.answer()).kind);
    ahead.release();
  }
  assert.equal(c.started(), 10);
  assert.deepEqual(kinds, Array.from({ length: 10 }, () => 'traces'));
});

test('decode ahead: a ticket asked before its job starts answers once it has; a ticket hands its answer over once', async () => {
  const c = counting();
  const ahead = new DecodeAhead(c.decoder, 1);
  const body = fixtureText('otlp-traces-node-sdk.json');
  const [a, b] = [ahead.take(job(body)), ahead.take(job(body))];
  const early = b.answer(); // b waits for a's release
  assert.equal(c.started(), 1);
  assert.equal((await a.answer()).kind, 'traces');
  assert.deepEqual(await a.answer(), { kind: 'failed', detail: 'the answer was already handed over' });
  ahead.release();
  assert.equal(c.started(), 2);
  assert.equal((await early).kind, 'traces');
});

test('decode ahead: dispose answers the waiting jobs as not decoded (and later ones too), and disposes the decoder', async () => {
  const c = counting();
  const ahead = new DecodeAhead(c.decoder, 2);
  const body = fixtureText('otlp-traces-node-sdk.json');
  const tickets = Array.from({ length: 5 }, () => ahead.take(job(body)));
  ahead.dispose();
  assert.ok(c.disposed());
  const got = await Promise.all(tickets.map((t) => t.answer()));
  assert.deepEqual(
    got.map((a) => a.kind),
    ['traces', 'traces', 'failed', 'failed', 'failed'],
  );
  const late: DecodeAnswer = await ahead.take(job(body)).answer();
  assert.deepEqual(late, { kind: 'failed', detail: 'telemetry stopped before the payload was decoded' });
  assert.equal(c.started(), 2);
});

test('decode ahead: a decoder that throws answers "failed" with its message, and the next job still starts', async () => {
  let calls = 0;
  const decoder: TelemetryDecoder = {
    decode: (j) => {
      calls++;
      if (calls === 1) throw new Error('no worker');
      return new InlineDecoder().decode(j);
    },
    dispose: () => undefined,
  };
  const ahead = new DecodeAhead(decoder, 1);
  const a = ahead.take(job('{"resourceSpans":[]}'));
  const b = ahead.take(job('{"resourceSpans":[]}'));
  assert.deepEqual(await a.answer(), { kind: 'failed', detail: 'the decoder failed: no worker' });
  ahead.release();
  assert.equal((await b.answer()).kind, 'traces');
});
