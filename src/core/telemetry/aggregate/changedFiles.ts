import { type IDisposable } from '../../base/disposable';
import { type Event, Emitter } from '../../base/event';
import { type SourceTag } from '../model';
import { type FileEntry } from './entries';

/** The files with new data since the editor last took them, and the one event that says there are some. */
export class ChangedFiles implements IDisposable {
  /** Replaced, not cleared, when taken: a cleared map's old hash table links to its new one, and V8 keeps such chains alive until a full collection. */
  private changed = new Map<SourceTag, Set<string>>();
  private changedEmpty = true;
  /** Moved on when {@link changed} is emptied: a FileEntry marked in this epoch is in it already. */
  private changedEpoch = 0;
  private readonly emitter = new Emitter<void>();
  /** Fires (at most once until {@link take} is called) when data arrives. */
  readonly onDidChange: Event<void> = this.emitter.event;

  /** `f` has new data. */
  mark(f: FileEntry): void {
    // most writes go to a file already marked since the editor last took the changes
    if (f.changedMark === this.changedEpoch) return;
    f.changedMark = this.changedEpoch;
    let files = this.changed.get(f.source);
    if (!files) {
      files = new Set();
      this.changed.set(f.source, files);
    }
    if (files.has(f.path)) return;
    files.add(f.path);
    if (this.changedEmpty) {
      this.changedEmpty = false;
      this.emitter.fire();
    }
  }

  /** The (source, file) pairs with new data since the last call; re-arms {@link onDidChange}. */
  take(): { source: SourceTag; file: string }[] {
    const out: { source: SourceTag; file: string }[] = [];
    for (const [source, files] of this.changed) for (const file of files) out.push({ source, file });
    this.changed = new Map();
    this.changedEpoch++;
    this.changedEmpty = true;
    return out;
  }

  clear(): void {
    this.changed.clear();
    this.changedEpoch++;
    this.changedEmpty = true;
  }

  dispose(): void {
    this.emitter.dispose();
  }
}
