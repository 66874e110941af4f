/**
 * Client-side back-pressure: at most `maxBatches` unacknowledged batches and `maxBytes` of their
 * payload in flight. A single batch larger than the window is admitted when nothing else is in
 * flight, so a big file cannot deadlock the stream.
 */
export class FlowWindow {
  private readonly inFlight = new Map<number, number>();
  private bytes = 0;

  constructor(
    readonly maxBytes = 8 * 1024 * 1024,
    readonly maxBatches = 4,
  ) {}

  canSend(bytes: number): boolean {
    if (this.inFlight.size === 0) return true;
    return this.inFlight.size < this.maxBatches && this.bytes + bytes <= this.maxBytes;
  }

  sent(id: number, bytes: number): void {
    this.inFlight.set(id, bytes);
    this.bytes += bytes;
  }

  acked(id: number): void {
    const b = this.inFlight.get(id);
    if (b === undefined) return;
    this.inFlight.delete(id);
    this.bytes -= b;
  }

  clear(): void {
    this.inFlight.clear();
    this.bytes = 0;
  }

  get inFlightBatches(): number {
    return this.inFlight.size;
  }

  get inFlightBytes(): number {
    return this.bytes;
  }
}
