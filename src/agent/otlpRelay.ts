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

/**
 * One subscriber of the ring over one authenticated agent socket. After TelemetrySubscribe{since}
 * it sends every held payload after `since`, in order, then each new one as it arrives, one
 * TelemetryPayload frame each (deflated when large). It never queues more than RELAY_HIGH_WATER
 * bytes on the socket: past it, it waits, and the ring keeps filling; payloads the ring evicted
 * meanwhile are reported in the next frame's `dropped` (the sequence numbers show the gap too).
 * A resubscribe on the same socket moves the cursor.
 */
export class TelemetryRelay {
  /** The last sequence number sent (or skipped as dropped) to this subscriber. */
  private cursor = 0;
  private subscribed = false;
  private disposed = false;
  private waiting: ReturnType<typeof setTimeout> | undefined;
  private readonly unsubscribe: () => void;
  sent = 0;

  constructor(
    private readonly ring: PayloadRing,
    private readonly socket: RelaySocket,
    private readonly highWater = RELAY_HIGH_WATER,
  ) {
    this.unsubscribe = ring.onPush(() => this.pump());
  }

  /** Answers a TelemetrySubscribe with the ring's bounds, then starts relaying after `since`. */
  subscribe(requestId: number, since: number): void {
    if (this.disposed) return;
    // a `since` from the future (the agent restarted and counts from 1 again) means: everything held
    const from = since > this.ring.last ? 0 : since;
    const first = this.ring.first;
    const dropped = first > from + 1 ? first - from - 1 : 0;
    this.cursor = from;
    this.subscribed = true;
    this.socket.send(encodeMessage({ type: MessageType.TelemetrySubscribed, meta: { first, last: this.ring.last, dropped } }, requestId));
    this.pump();
  }

  dispose(): void {
    this.disposed = true;
    clearTimeout(this.waiting);
    this.unsubscribe();
  }

  private pump(): void {
    if (this.disposed || !this.subscribed || this.waiting) return;
    for (;;) {
      if (this.socket.bufferedAmount > this.highWater) {
        this.waiting = setTimeout(() => {
          this.waiting = undefined;
          this.pump();
        }, DRAIN_POLL_MS);
        return;
      }
      const next = this.ring.after(this.cursor);
      if (!next) return;
      const dropped = next.seq - this.cursor - 1;
      this.cursor = next.seq;
      const { payload, compressed } = deflateIfWorthIt(next.body);
      const meta = { seq: next.seq, kind: next.kind, encoding: next.encoding, receivedMs: next.receivedMs, dropped };
      this.socket.send(encodeMessage({ type: MessageType.TelemetryPayload, meta }, 0, payload, compressed ? FrameFlags.Compressed : 0));
      this.sent++;
    }
  }
}

/** A well-formed TelemetrySubscribe frame's request id and cursor; undefined for any other frame. */
export function relayRequest(bytes: Uint8Array): { requestId: number; since: number } | undefined {
  if (bytes.length < 5 || bytes[4] !== MessageType.TelemetrySubscribe) return undefined;
  const frame = decodeFrame(bytes);
  if (!frame.ok) return undefined;
  const msg = parseMessage(frame.value);
  if (!msg.ok || msg.value.type !== MessageType.TelemetrySubscribe) return undefined;
  return { requestId: frame.value.requestId, since: msg.value.meta.since };
}
