/**
 * A pass of a controller loop that many events ask for: it runs `delayMs` after the first ask (later
 * asks join that one), one at a time; an ask that comes while a pass runs makes one more pass run
 * right after it. Ends with dispose: no new pass starts.
 */
export class CoalescedPass {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private again = false;
  private disposed = false;

  /** `pass` handles its own errors (a rejection is dropped). */
  constructor(
    private readonly pass: () => Promise<void>,
    private readonly debounceMs: number,
  ) {}

  schedule(delayMs = this.debounceMs): void {
    if (this.disposed || this.timer) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      void this.run();
    }, delayMs);
  }

  private async run(): Promise<void> {
    if (this.running) {
      this.again = true;
      return;
    }
    this.running = this.pass().catch(() => undefined);
    try {
      await this.running;
    } finally {
      this.running = undefined;
      if (this.again && !this.disposed) {
        this.again = false;
        this.schedule(0);
      }
    }
  }

  dispose(): void {
    this.disposed = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
  }
}
