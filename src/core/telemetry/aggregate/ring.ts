/** A fixed-capacity ring buffer: pushing past capacity overwrites the oldest item. */
export class Ring<T> {
  private readonly items: (T | undefined)[];
  private next = 0;
  private size = 0;

  constructor(readonly capacity: number) {
    this.items = new Array<T | undefined>(Math.max(1, capacity));
  }

  get length(): number {
    return this.size;
  }

  push(item: T): void {
    this.items[this.next] = item;
    this.next = (this.next + 1) % this.items.length;
    if (this.size < this.items.length) this.size++;
  }

  /** The items, newest first. */
  newestFirst(): T[] {
    const out: T[] = [];
    for (let i = 1; i <= this.size; i++) out.push(this.items[(this.next - i + this.items.length) % this.items.length]!);
    return out;
  }

  clear(): void {
    this.items.fill(undefined);
    this.next = 0;
    this.size = 0;
  }
}
