import { type IDisposable } from '../../core/base/disposable';

/** While `busy()` (a burst of telemetry is being ingested), runs are spaced `ms` apart at least. */
export interface BurstOptions {
  readonly busy: () => boolean;
  readonly ms: number;
}

/**
 * Runs `fn` at most once per `ms`, and as soon as that allows: a request after a quiet spell runs
 * on the next turn of the event loop (the requests of one turn join it), so new data is rendered as
 * soon as it arrives, not `ms` later; a request within `ms` of the last run waits for the rest of
 * it, and the requests in between join it. During a burst (see {@link BurstOptions}) runs are
 * coalesced further: a run due less than `burst.ms` after the last one waits for the rest.
 * `flush()` runs a pending request now (tests, benchmarks).
 */
export class Throttle implements IDisposable {
  private timer: ReturnType<typeof setTimeout> | undefined;
  private waiters: (() => void)[] = [];
  private lastRun = -Infinity;
  private lastUrgent = -Infinity;

  constructor(
    private readonly ms: number,
    private readonly fn: () => void,
    private readonly burst?: BurstOptions,
    /** The clock (ms), for tests. */
    private readonly now: () => number = () => performance.now(),
  ) {}

  get pending(): boolean {
    return this.timer !== undefined;
  }

  schedule(): void {
    if (this.timer !== undefined) return;
    this.timer = setTimeout(() => this.due(), Math.max(0, this.lastRun + this.ms - this.now()));
  }

  private due(): void {
    const wait = this.burst && this.burst.busy() ? this.lastRun + this.burst.ms - this.now() : 0;
    if (wait > 1) this.timer = setTimeout(() => this.due(), wait);
    else this.run();
  }

  /**
   * A request that should not wait (the figure a developer waits for): runs on the next turn even
   * within the period of the last run, unless an urgent run happened within the period already,
   * and then waits as {@link schedule} does. So runs stay at most two per period: a stream of
   * urgent requests is spaced as ordinary ones are.
   */
  urgent(): void {
    if (this.now() - this.lastUrgent < this.ms) return this.schedule();
    this.lastUrgent = this.now();
    clearTimeout(this.timer);
    this.timer = setTimeout(() => this.run(), 0);
  }

  /** Resolves after the next run (at once when nothing is pending). */
  idle(): Promise<void> {
    if (this.timer === undefined) return Promise.resolve();
    return new Promise((r) => this.waiters.push(r));
  }

  flush(): void {
    if (this.timer !== undefined) this.run();
  }

  private run(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    const waiters = this.waiters;
    this.waiters = [];
    this.lastRun = this.now();
    try {
      this.fn();
    } finally {
      for (const w of waiters) w();
    }
  }

  dispose(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    for (const w of this.waiters) w();
    this.waiters = [];
  }
}
