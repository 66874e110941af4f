import { type TelemetryEncoding, type TelemetryKind } from '../core/agent/messages';

/** One OTLP export request as received (decompressed). */
export interface ReceivedPayload {
  readonly seq: number;
  readonly kind: TelemetryKind;
  readonly encoding: TelemetryEncoding;
  readonly body: Uint8Array;
  readonly receivedMs: number;
}

export interface RingLimits {
  /** At most this many payloads are held (default 2048). */
  readonly maxCount?: number;
  /** At most this many body bytes are held (default 48 MiB). */
  readonly maxBytes?: number;
  /** The limits of the metrics ring (default 256 payloads, 8 MiB); `false`: no metrics ring (metrics pushed are dropped and counted). */
  readonly metrics?: { readonly maxCount?: number; readonly maxBytes?: number } | false;
}

export const DEFAULT_RING_COUNT = 2048;
export const DEFAULT_RING_BYTES = 48 * 1024 * 1024;
/** Metrics come every export interval (10 s by default) per process, each payload a snapshot: a few minutes of them is plenty. */
export const DEFAULT_METRICS_RING_COUNT = 256;
export const DEFAULT_METRICS_RING_BYTES = 8 * 1024 * 1024;

/**
 * The agent's memory of received telemetry: a ring bounded in count and bytes, each payload with a
 * sequence number that only grows (1, 2, 3, …). When full, the oldest payloads are evicted and
 * counted as dropped; a subscriber that had not been sent them learns how many it lost from the gap.
 *
 * Metrics go to a ring of their own ({@link PayloadRing.metrics}: its own bounds and sequence
 * numbers), relayed only to clients that subscribe to the metrics stream: a burst of one signal
 * never evicts the other, and a client that does not read metrics never sees a gap for them.
 */
export class PayloadRing {
  private readonly items: ReceivedPayload[] = [];
  /** Index of the oldest held item in `items` (items before it are evicted lazily). */
  private head = 0;
  private bytes = 0;
  private nextSeq = 1;
  private droppedCount = 0;
  private readonly listeners = new Set<() => void>();
  readonly maxCount: number;
  readonly maxBytes: number;

  /** The ring that holds the metrics (undefined in a metrics ring itself, or when turned off). */
  readonly metrics: PayloadRing | undefined;
  /** Metrics pushed while there is no metrics ring (dropped). */
  metricsRefused = 0;

  /** `holdsMetrics`: this is a metrics ring (made by the main ring for itself). */
  constructor(
    limits: RingLimits = {},
    private readonly holdsMetrics = false,
  ) {
    this.maxCount = limits.maxCount ?? DEFAULT_RING_COUNT;
    this.maxBytes = limits.maxBytes ?? DEFAULT_RING_BYTES;
    const m = limits.metrics;
    this.metrics = m === false ? undefined : new PayloadRing({ maxCount: m?.maxCount ?? DEFAULT_METRICS_RING_COUNT, maxBytes: m?.maxBytes ?? DEFAULT_METRICS_RING_BYTES, metrics: false }, true);
  }

  /** Payloads evicted before anyone could have read them all (since the agent started). */
  get dropped(): number {
    return this.droppedCount;
  }

  get size(): number {
    return this.items.length - this.head;
  }

  get heldBytes(): number {
    return this.bytes;
  }

  /** The oldest held sequence number, or 0 when empty. */
  get first(): number {
    return this.items[this.head]?.seq ?? 0;
  }

  /** The newest sequence number ever assigned, or 0 when none yet. */
  get last(): number {
    return this.nextSeq - 1;
  }

  /** Holds a payload; metrics go to the metrics ring (and answer undefined when there is none). */
  push(kind: TelemetryKind, encoding: TelemetryEncoding, body: Uint8Array, receivedMs = Date.now()): ReceivedPayload | undefined {
    if (kind === 'metrics' && !this.holdsMetrics) {
      if (this.metrics) return this.metrics.push(kind, encoding, body, receivedMs);
      this.metricsRefused++;
      return undefined;
    }
    const item: ReceivedPayload = { seq: this.nextSeq++, kind, encoding, body, receivedMs };
    this.items.push(item);
    this.bytes += body.length;
    while (this.size > this.maxCount || (this.bytes > this.maxBytes && this.size > 1)) this.evict();
    if (this.head > 1024 && this.head * 2 > this.items.length) {
      this.items.splice(0, this.head);
      this.head = 0;
    }
    for (const l of [...this.listeners]) l();
    return item;
  }

  /** The oldest held payload with a sequence number above `seq`, if any. */
  after(seq: number): ReceivedPayload | undefined {
    const first = this.first;
    if (first === 0 || seq >= this.last) return undefined;
    const index = Math.max(0, seq + 1 - first);
    return this.items[this.head + index];
  }

  /** Called after every push; returns the unsubscribe function. */
  onPush(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private evict(): void {
    const item = this.items[this.head];
    if (!item) return;
    this.items[this.head] = undefined as unknown as ReceivedPayload;
    this.head++;
    this.bytes -= item.body.length;
    this.droppedCount++;
  }
}
