/**
 * Counts and a latency sketch over a sliding window of whole minutes: a ring of per-minute buckets,
 * each with its own DDSketch (1% relative accuracy, bin count capped), merged on query.
 */
import { LogCollapsingLowestDenseDDSketch } from '@datadog/sketches-js';
import { type Quantiles, unionQuantiles } from './quantiles';

const NO_QUANTILES: Quantiles = Object.freeze({ p50: NaN, p95: NaN, p99: NaN, maxMs: NaN });

/** The relative accuracy of the latency quantiles. */
export const RELATIVE_ACCURACY = 0.01;
/** Most bins per sketch: 1% accuracy over 1 µs .. 1 h needs ~1,100; the lowest collapse beyond. */
export const BIN_LIMIT = 1024;
/** Durations below this (ms) count as this: the sketch's range starts at 1 µs. */
const MIN_MS = 0.001;

export const MINUTE_MS = 60_000;

interface Bucket {
  minute: number;
  calls: number;
  errors: number;
  sketch: LogCollapsingLowestDenseDDSketch | undefined;
}

/** A new sketch of the window's accuracy and bin limit. */
export function newSketch(): LogCollapsingLowestDenseDDSketch {
  return new LogCollapsingLowestDenseDDSketch({ relativeAccuracy: RELATIVE_ACCURACY, binLimit: BIN_LIMIT });
}

/** The sketches merged into a new one, in order (what the window answered before quantiles.ts). */
export function mergeAll(sketches: readonly LogCollapsingLowestDenseDDSketch[]): LogCollapsingLowestDenseDDSketch {
  const merged = newSketch();
  for (const s of sketches) merged.merge(s);
  return merged;
}

/** Summary of a window. Quantiles are NaN when no duration was recorded. */
export interface WindowSummary {
  readonly calls: number;
  readonly errors: number;
  readonly p50: number;
  readonly p95: number;
  readonly p99: number;
  readonly maxMs: number;
}

/** Per-minute buckets of calls, errors and durations. */
export class WindowedStats {
  private readonly buckets: Bucket[];

  constructor(readonly minutes: number) {
    this.buckets = Array.from({ length: Math.max(1, minutes) }, () => ({ minute: -1, calls: 0, errors: 0, sketch: undefined }));
  }

  private bucket(minute: number): Bucket {
    const b = this.buckets[minute % this.buckets.length]!;
    if (b.minute !== minute) {
      b.minute = minute;
      b.calls = 0;
      b.errors = 0;
      b.sketch = undefined;
    }
    return b;
  }

  /** Records a call of `durationMs` (negative: no duration) at `minute` (Unix minutes). */
  record(minute: number, durationMs: number, error: boolean): void {
    const b = this.bucket(minute);
    b.calls++;
    if (error) b.errors++;
    if (durationMs >= 0) {
      b.sketch ??= newSketch();
      b.sketch.accept(durationMs < MIN_MS ? MIN_MS : durationMs);
    }
  }

  /** Takes back an error recorded at `minute` (it turned out to be an answer, not a failure). */
  unrecordError(minute: number): void {
    const b = this.buckets[minute % this.buckets.length]!;
    if (b.minute === minute && b.errors > 0) b.errors--;
  }

  /** Records an error that is not a call (a throw site, an error log). */
  recordError(minute: number): void {
    this.bucket(minute).errors++;
  }

  /** The summary of the minutes (`minute - minutes`, `minute`]: quantiles of the union of their sketches, in one walk (see quantiles.ts). */
  summary(minute: number): WindowSummary {
    return { ...this.counts(minute), ...this.quantiles(minute) };
  }

  /** Calls and errors of the minutes (`minute - minutes`, `minute`]. */
  counts(minute: number): { calls: number; errors: number } {
    let calls = 0;
    let errors = 0;
    for (const b of this.buckets) {
      if (b.minute < 0 || b.minute > minute || b.minute <= minute - this.buckets.length) continue;
      calls += b.calls;
      errors += b.errors;
    }
    return { calls, errors };
  }

  /** The sketches of the minutes (`minute - minutes`, `minute`] that hold durations. */
  sketches(minute: number): LogCollapsingLowestDenseDDSketch[] {
    const sketches: LogCollapsingLowestDenseDDSketch[] = [];
    for (const b of this.buckets) {
      if (b.minute < 0 || b.minute > minute || b.minute <= minute - this.buckets.length) continue;
      if (b.sketch && b.sketch.count > 0) sketches.push(b.sketch);
    }
    return sketches;
  }

  /** Latency quantiles of the minutes (`minute - minutes`, `minute`]; NaN when no duration was recorded. */
  quantiles(minute: number): Quantiles {
    const sketches = this.sketches(minute);
    return sketches.length === 0 ? NO_QUANTILES : unionQuantiles(sketches, BIN_LIMIT, () => mergeAll(sketches));
  }

  /** Drops everything recorded. */
  reset(): void {
    for (const b of this.buckets) {
      b.minute = -1;
      b.calls = 0;
      b.errors = 0;
      b.sketch = undefined;
    }
  }

  /** True when nothing in the window is newer than `minute - minutes`. */
  isEmpty(minute: number): boolean {
    return this.buckets.every((b) => b.minute <= minute - this.buckets.length || b.minute < 0);
  }
}
