import { encodeMessage, parseMessage } from '../core/agent/messages';
import { FrameFlags, MessageType, decodeFrame } from '../core/agent/protocol';
import { deflateIfWorthIt } from './compression';
import { type PayloadRing } from './otlpRing';

/** The socket side a relay needs: send a frame, and how much is queued but not yet on the wire. */
export interface RelaySocket {
  send(frame: Uint8Array): void;
  readonly bufferedAmount: number;
}

/** Above this many queued bytes the relay waits for the socket to drain before sending more. */
export const RELAY_HIGH_WATER = 4 * 1024 * 1024;
const DRAIN_POLL_MS = 25;

/** Where one subscription of a socket is in one ring. */
class Cursor {
  /** The last sequence number sent (or skipped as dropped) to this subscriber. */
  position = 0;
  subscribed = false;
  waiting: ReturnType<typeof setTimeout> | undefined;
  readonly unsubscribe: () => void;

  constructor(
    readonly ring: PayloadRing,
    pump: () => void,
  ) {
    this.unsubscribe = ring.onPush(pump);
  }
}

/**
 * One subscriber of the ring over one authenticated agent socket. After TelemetrySubscribe{since}
 * it sends every held payload after `since`, in order, then each new one as it arrives, one
 * TelemetryPayload frame each (deflated when large). It never queues more than RELAY_HIGH_WATER
 * bytes on the socket: past it, it waits, and the ring keeps filling; payloads the ring evicted
 * meanwhile are reported in the next frame's `dropped` (the sequence numbers show the gap too).
 * A resubscribe on the same socket moves the cursor. TelemetrySubscribe{since, stream: 'metrics'}
 * does the same over the metrics ring (its own sequence numbers), with a cursor of its own.
 */
export class TelemetryRelay {
  private readonly cursors = new Map<'main' | 'metrics', Cursor>();
  private disposed = false;
  sent = 0;

  constructor(
    private readonly ring: PayloadRing,
    private readonly socket: RelaySocket,
    private readonly highWater = RELAY_HIGH_WATER,
  ) {}

  /** Answers a TelemetrySubscribe with the ring's bounds, then starts relaying after `since`. */
  subscribe(requestId: number, since: number, stream?: 'metrics'): void {
    if (this.disposed) return;
    const name = stream ?? 'main';
    const ring = stream === 'metrics' ? this.ring.metrics : this.ring;
    if (!ring) {
      // no metrics ring on this agent: nothing will ever come on this stream
      this.socket.send(encodeMessage({ type: MessageType.TelemetrySubscribed, meta: { first: 0, last: 0, dropped: 0 } }, requestId));
      return;
    }
    let c = this.cursors.get(name);
    if (!c) {
      const made: Cursor = new Cursor(ring, () => this.pump(made));
      this.cursors.set(name, made);
      c = made;
    }
    // a `since` from the future (the agent restarted and counts from 1 again) means: everything held
    const from = since > ring.last ? 0 : since;
    const first = ring.first;
    const dropped = first > from + 1 ? first - from - 1 : 0;
    c.position = from;
    c.subscribed = true;
    this.socket.send(encodeMessage({ type: MessageType.TelemetrySubscribed, meta: { first, last: ring.last, dropped } }, requestId));
    this.pump(c);
  }

  dispose(): void {
    this.disposed = true;
    for (const c of this.cursors.values()) {
      clearTimeout(c.waiting);
      c.unsubscribe();
    }
  }

  private pump(c: Cursor): void {
    if (this.disposed || !c.subscribed || c.waiting) return;
    for (;;) {
      if (this.socket.bufferedAmount > this.highWater) {
        c.waiting = setTimeout(() => {
          c.waiting = undefined;
          this.pump(c);
        }, DRAIN_POLL_MS);
        return;
      }
      const next = c.ring.after(c.position);
      if (!next) return;
      const dropped = next.seq - c.position - 1;
      c.position = next.seq;
      const { payload, compressed } = deflateIfWorthIt(next.body);
      const meta = { seq: next.seq, kind: next.kind, encoding: next.encoding, receivedMs: next.receivedMs, dropped };
      this.socket.send(encodeMessage({ type: MessageType.TelemetryPayload, meta }, 0, payload, compressed ? FrameFlags.Compressed : 0));
      this.sent++;
    }
  }
}

/** A well-formed TelemetrySubscribe frame's request id, cursor and stream; undefined for any other frame. */
export function relayRequest(bytes: Uint8Array): { requestId: number; since: number; stream?: 'metrics' } | undefined {
  if (bytes.length < 5 || bytes[4] !== MessageType.TelemetrySubscribe) return undefined;
  const frame = decodeFrame(bytes);
  if (!frame.ok) return undefined;
  const msg = parseMessage(frame.value);
  if (!msg.ok || msg.value.type !== MessageType.TelemetrySubscribe) return undefined;
  const { since, stream } = msg.value.meta;
  return stream ? { requestId: frame.value.requestId, since, stream } : { requestId: frame.value.requestId, since };
}
