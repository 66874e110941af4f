/**
 * Exponential backoff with full jitter, capped: attempt n waits a random time in
 * [base·2ⁿ/2, base·2ⁿ] (never above maxMs). `reset()` after a connection proved healthy.
 */
export interface BackoffOptions {
  readonly initialMs?: number;
  readonly maxMs?: number;
  readonly factor?: number;
  /** A source of randomness in [0, 1); injected so tests are deterministic. */
  readonly random?: () => number;
}

export class Backoff {
  private attempt = 0;
  private readonly initialMs: number;
  private readonly maxMs: number;
  private readonly factor: number;
  private readonly random: () => number;

  constructor(options: BackoffOptions = {}) {
    this.initialMs = options.initialMs ?? 100;
    this.maxMs = options.maxMs ?? 10_000;
    this.factor = options.factor ?? 2;
    this.random = options.random ?? Math.random;
  }

  /** How long to wait before the next attempt; each call counts an attempt. */
  next(): number {
    const ceiling = Math.min(this.maxMs, this.initialMs * this.factor ** this.attempt);
    if (ceiling < this.maxMs) this.attempt++;
    return Math.round(ceiling / 2 + (ceiling / 2) * this.random());
  }

  reset(): void {
    this.attempt = 0;
  }
}

/**
 * What a reconnecting loop asks before each new attempt (the app layer's ReconnectPolicy): how long
 * to wait, or undefined to stop for good (its lifetime ended, or the failure says the thing it
 * reaches is gone). `reset()` after a connection proved healthy.
 */
export interface RetryPolicy {
  next(failure: unknown): number | undefined;
  reset(): void;
}

/** A RetryPolicy that never stops: plain backoff (adapters used on their own, tests). */
export function backoffPolicy(options: BackoffOptions = {}): RetryPolicy {
  const b = new Backoff(options);
  return { next: () => b.next(), reset: () => b.reset() };
}
