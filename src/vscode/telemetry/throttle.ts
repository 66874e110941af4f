import { type IDisposable } from '../../core/base/disposable';

/**
 * Runs `fn` at most once per `ms`: the first request schedules a run `ms` later, requests in
 * between join it. `flush()` runs a pending request now (tests, benchmarks).
 */
export class Throttle implements IDisposable {
  private timer: ReturnType<typeof setTimeout> | undefined;
  private waiters: (() => void)[] = [];

  constructor(
    private readonly ms: number,
    private readonly fn: () => void,
  ) {}

  get pending(): boolean {
    return this.timer !== undefined;
  }

  schedule(): void {
    if (this.timer !== undefined) return;
    this.timer = setTimeout(() => this.run(), this.ms);
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
