/**
 * Counted rejections: the decoders and parsers never throw out of the core. A whole payload that
 * cannot be used is returned as `err(Rejection)`; an item dropped or cut inside a usable payload is
 * counted too. Both increment the counter by reason so the UI and logs can show what was lost.
 */
import { type Result, err } from '../base/result';

/** Why a payload, an item or a line was rejected or cut. */
export type RejectReason =
  /** The payload is larger than the decoder's byte cap (the caller enforces the cap before decompression). */
  | 'oversize'
  /** The payload is empty. */
  | 'empty'
  /** Not JSON, or JSON cut short. */
  | 'malformed-json'
  /** Not an OTLP protobuf message, or one cut short. */
  | 'malformed-protobuf'
  /** Valid JSON that is not an OTLP export request. */
  | 'unexpected-shape'
  /** More items in one payload than the decoder keeps; the rest are dropped. */
  | 'item-limit'
  /** An item (span, log record, attribute) whose shape is wrong; skipped. */
  | 'invalid-item'
  /** Attributes past the per-item cap, or nested deeper than the depth cap; dropped. */
  | 'attribute-limit'
  /** A string longer than the cap; cut. */
  | 'truncated'
  /** A log line that is binary (NUL bytes or mostly control characters); dropped. */
  | 'binary-line';

/** A payload that could not be used at all. */
export interface Rejection {
  readonly reason: RejectReason;
  readonly detail: string;
}

/** Counts rejections by reason. One per decoding pipeline (e.g. per slice connection). */
export class RejectionCounter {
  private readonly counts = new Map<RejectReason, number>();

  /** Adds `n` (default 1) to the count of `reason`. */
  add(reason: RejectReason, n = 1): void {
    if (n <= 0) return;
    this.counts.set(reason, (this.counts.get(reason) ?? 0) + n);
  }

  get(reason: RejectReason): number {
    return this.counts.get(reason) ?? 0;
  }

  get total(): number {
    let t = 0;
    for (const n of this.counts.values()) t += n;
    return t;
  }

  /** A copy of the counts, for display or logging. */
  snapshot(): Partial<Record<RejectReason, number>> {
    return Object.fromEntries(this.counts);
  }

  reset(): void {
    this.counts.clear();
  }
}

/** Counts `reason` on `counter` (when given) and returns it as a failed Result. */
export function reject(counter: RejectionCounter | undefined, reason: RejectReason, detail: string): Result<never, Rejection> {
  counter?.add(reason);
  return err({ reason, detail });
}
