/** A tiny step runner for browser scenarios: each step passes or fails, failures do not stop the report. */
export interface StepResult {
  readonly name: string;
  readonly ok: boolean;
  readonly skipped: boolean;
  readonly ms: number;
  readonly error?: string;
}

export class Steps {
  readonly results: StepResult[] = [];
  private readonly started = Date.now();

  async step(name: string, fn: () => Promise<void>, onFail?: (name: string) => Promise<void>): Promise<boolean> {
    const t0 = Date.now();
    try {
      await fn();
      this.results.push({ name, ok: true, skipped: false, ms: Date.now() - t0 });
      console.log(`  ✔ ${name} (${Date.now() - t0} ms)`);
      return true;
    } catch (e) {
      const error = e instanceof Error ? e.message : String(e);
      this.results.push({ name, ok: false, skipped: false, ms: Date.now() - t0, error });
      console.log(`  ✖ ${name}\n    ${error.split('\n').join('\n    ')}`);
      if (onFail) await onFail(name).catch(() => undefined);
      return false;
    }
  }

  skip(name: string, why: string): void {
    this.results.push({ name, ok: true, skipped: true, ms: 0 });
    console.log(`  - ${name} (skipped: ${why})`);
  }

  summary(prefix: string): number {
    const passed = this.results.filter((r) => r.ok && !r.skipped).length;
    const failed = this.results.filter((r) => !r.ok).length;
    const skipped = this.results.filter((r) => r.skipped).length;
    console.log(`${prefix}: ${passed} passed, ${failed} failed, ${skipped} skipped (${((Date.now() - this.started) / 1000).toFixed(1)} s)`);
    return failed;
  }
}
