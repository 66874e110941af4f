/** Holds reconnects of a test transport until released (one gate, shared by the fault harnesses). */
export class ReconnectGate {
  private gate: Promise<void> | undefined;
  private open: (() => void) | undefined;

  /** Reconnects wait until release(). */
  hold(): void {
    this.gate ??= new Promise((resolve) => (this.open = resolve));
  }

  release(): void {
    this.open?.();
    this.gate = undefined;
    this.open = undefined;
  }

  /** Resolves at once when not held. */
  async passed(): Promise<void> {
    if (this.gate) await this.gate;
  }
}
