/**
 * A keyed work queue: one reconcile per key at a time, a key enqueued while it runs runs again
 * afterwards, delayed re-queues (earliest wins), and retry with exponential backoff on failure.
 */
export type Handler = (key: string) => Promise<{ requeueAfterMs?: number } | void>;

export class WorkQueue {
  private readonly pending = new Set<string>();
  private readonly running = new Set<string>();
  private readonly dirty = new Set<string>();
  private readonly timers = new Map<string, { at: number; timer: NodeJS.Timeout }>();
  private readonly failures = new Map<string, number>();
  private active = 0;
  private disposed = false;

  constructor(
    private readonly handler: Handler,
    private readonly log: (line: string) => void,
    private readonly concurrency = 4,
  ) {}

  add(key: string): void {
    if (this.disposed) return;
    if (this.running.has(key)) {
      this.dirty.add(key);
      return;
    }
    this.pending.add(key);
    this.pump();
  }

  addAfter(key: string, ms: number): void {
    if (this.disposed) return;
    const at = Date.now() + ms;
    const existing = this.timers.get(key);
    if (existing && existing.at <= at) return;
    if (existing) clearTimeout(existing.timer);
    const timer = setTimeout(() => {
      this.timers.delete(key);
      this.add(key);
    }, Math.max(0, ms));
    timer.unref();
    this.timers.set(key, { at, timer });
  }

  dispose(): void {
    this.disposed = true;
    for (const t of this.timers.values()) clearTimeout(t.timer);
    this.timers.clear();
    this.pending.clear();
  }

  /** Resolves when nothing is pending or running (for shutdown). */
  async idle(timeoutMs = 10_000): Promise<void> {
    const until = Date.now() + timeoutMs;
    while ((this.active > 0 || this.pending.size > 0) && Date.now() < until) await new Promise((r) => setTimeout(r, 50));
  }

  private pump(): void {
    while (!this.disposed && this.active < this.concurrency && this.pending.size > 0) {
      const key = this.pending.values().next().value as string;
      this.pending.delete(key);
      this.running.add(key);
      this.active++;
      void this.run(key);
    }
  }

  private async run(key: string): Promise<void> {
    try {
      const res = await this.handler(key);
      this.failures.delete(key);
      if (res?.requeueAfterMs !== undefined) this.addAfter(key, res.requeueAfterMs);
    } catch (e) {
      const n = (this.failures.get(key) ?? 0) + 1;
      this.failures.set(key, n);
      const delay = Math.min(60_000, 500 * 2 ** Math.min(n, 7));
      this.log(`reconcile ${key} failed (attempt ${n}, retry in ${Math.round(delay / 1000)}s): ${e instanceof Error ? e.message : String(e)}`);
      this.addAfter(key, delay);
    } finally {
      this.running.delete(key);
      this.active--;
      if (this.dirty.delete(key)) this.pending.add(key);
      this.pump();
    }
  }
}
