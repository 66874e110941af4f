/** The ring every series of the metric store is (./series.ts, ./expSeries.ts), and what ingesting a point did. */

/** What ingesting one point did. */
export interface Ingested {
  /** Stored in its slot; only the baseline of a cumulative series (or a point without a value); older than the ring holds. */
  readonly outcome: 'stored' | 'baseline' | 'late';
  /** A cumulative series restarted at this point. */
  readonly reset: boolean;
}

export const STORED: Ingested = { outcome: 'stored', reset: false };
export const STORED_RESET: Ingested = { outcome: 'stored', reset: true };
export const BASELINE: Ingested = { outcome: 'baseline', reset: false };
/** The late-point outcome. */
export const LATE: Ingested = { outcome: 'late', reset: false };

/**
 * The ring: slot s at position s mod slots. A position holds a slot or nothing (one bit each); the
 * slot it holds is the one of its position among the last `slots` up to {@link newest} (a slot
 * older than that is gone: a newer one took its position, or would have), so no slot number is
 * kept per position.
 */
export abstract class Ring {
  /** Bit p: position p holds a slot. */
  private readonly heldBits: Uint32Array;
  /** The newest slot written. */
  newest = -1;

  constructor(readonly slots: number) {
    this.heldBits = new Uint32Array((slots + 31) >>> 5);
  }

  /** Where slot `slot` lives, cleared when it held no data for it; -1 when the slot is older than the ring holds (the point is too old). */
  protected at(slot: number): number {
    const n = this.slots;
    if (!Number.isSafeInteger(slot) || slot < 0) return -1; // no real time (and s++ below would not move past 2^53)
    if (slot > this.newest) {
      // the positions of the slots after the newest up to this one held older slots, gone now
      if (slot - this.newest >= n) this.forget();
      else for (let s = this.newest + 1; s <= slot; s++) this.unhold(s % n);
      this.newest = slot;
    } else if (slot <= this.newest - n) return -1;
    const p = slot % n;
    const i = p >>> 5;
    const bit = 1 << (p & 31);
    const w = this.heldBits[i]!;
    if ((w & bit) === 0) {
      this.clear(p);
      this.heldBits[i] = w | bit;
    }
    return p;
  }

  private unhold(p: number): void {
    this.heldBits[p >>> 5]! &= ~(1 << (p & 31));
  }

  /** Holds no slot. */
  protected forget(): void {
    this.heldBits.fill(0);
  }

  /** The positions of the slots from `from` to `to` (absolute numbers) that hold data, oldest first. */
  held(from: number, to: number): { slot: number; p: number }[] {
    const out: { slot: number; p: number }[] = [];
    for (let s = Math.max(from, this.newest - this.slots + 1), end = Math.min(to, this.newest); s <= end; s++) {
      const p = s % this.slots;
      if ((this.heldBits[p >>> 5]! >>> (p & 31)) & 1) out.push({ slot: s, p });
    }
    return out;
  }

  protected abstract clear(p: number): void;
}
