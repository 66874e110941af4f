/** A pending local change to one path. `renamedFrom` remembers a rename so the planner can move instead of copy. */
export interface Change {
  readonly path: string;
  readonly kind: 'upsert' | 'delete';
  readonly renamedFrom?: string;
}

/**
 * Local changes keyed by path, the newest winning: a burst of saves, file-system events and
 * renames collapses into at most one operation per path. Pure data; the engine decides when to
 * take a set (after a few quiet milliseconds) and puts back what the agent never acknowledged.
 */
export class ChangeSet {
  private readonly changes = new Map<string, Change>();

  get size(): number {
    return this.changes.size;
  }

  get(path: string): Change | undefined {
    return this.changes.get(path);
  }

  upsert(path: string): void {
    const previous = this.changes.get(path);
    this.changes.set(path, previous?.kind === 'upsert' && previous.renamedFrom ? previous : { path, kind: 'upsert' });
  }

  delete(path: string): void {
    this.changes.set(path, { path, kind: 'delete' });
  }

  /** A rename is a delete of the source and a creation of the target that may be satisfied by a move. */
  rename(from: string, to: string): void {
    if (from === to) return;
    const source = this.changes.get(from);
    const origin = source?.kind === 'upsert' ? source.renamedFrom : from;
    this.changes.set(from, { path: from, kind: 'delete' });
    this.changes.set(to, origin && origin !== to ? { path: to, kind: 'upsert', renamedFrom: origin } : { path: to, kind: 'upsert' });
  }

  /** Empties the set and returns what it held, in insertion order. */
  take(): Change[] {
    const all = [...this.changes.values()];
    this.changes.clear();
    return all;
  }

  /** Puts back changes that were taken but never acknowledged; a newer change to the same path wins. */
  restore(changes: Iterable<Change>): void {
    for (const c of changes) if (!this.changes.has(c.path)) this.changes.set(c.path, c);
  }

  paths(): string[] {
    return [...this.changes.keys()];
  }
}
