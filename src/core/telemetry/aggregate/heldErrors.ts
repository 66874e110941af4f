import { type Entry, type FileEntry } from './entries';
import { type ErrorSample } from './view';

/**
 * Errors held until their request's server span says how it was answered: the last this many, in a
 * ring (no allocation per error; a server span arrives in the same export as its handler's spans,
 * or the next).
 */
const HELD = 128;
/** Errors recorded at entries, until their request's server span arrives: a ring of {@link HELD} slots. */
export class HeldErrors {
  readonly traceIds: (string | undefined)[] = new Array<string | undefined>(HELD).fill(undefined);
  readonly services: (string | undefined)[] = new Array<string | undefined>(HELD).fill(undefined);
  readonly entries: (Entry | undefined)[] = new Array<Entry | undefined>(HELD).fill(undefined);
  readonly files: (FileEntry | undefined)[] = new Array<FileEntry | undefined>(HELD).fill(undefined);
  readonly minutes = new Float64Array(HELD);
  readonly samples: (ErrorSample | undefined)[] = new Array<ErrorSample | undefined>(HELD).fill(undefined);
  next = 0;
  count = 0;

  hold(traceId: string, service: string | undefined, entry: Entry, file: FileEntry, minute: number, sample: ErrorSample): void {
    const i = this.next;
    this.next = (i + 1) % HELD;
    this.release(i);
    this.traceIds[i] = traceId;
    this.services[i] = service;
    this.entries[i] = entry;
    this.files[i] = file;
    this.minutes[i] = minute;
    this.samples[i] = sample;
    this.count++;
  }

  /** Empties slot `i`. */
  release(i: number): void {
    const id = this.traceIds[i];
    if (id === undefined) return;
    this.count--;
    this.traceIds[i] = this.services[i] = undefined;
    this.entries[i] = this.files[i] = this.samples[i] = undefined;
  }

  /** Releases every error held for this trace and service, each passed to `each` first. */
  takeBack(traceId: string, service: string | undefined, each: (entry: Entry, file: FileEntry, minute: number, sample: ErrorSample) => void): void {
    for (let i = 0; i < HELD; i++) {
      if (this.traceIds[i] !== traceId || this.services[i] !== service) continue;
      const entry = this.entries[i]!;
      const file = this.files[i]!;
      const sample = this.samples[i]!;
      const minute = this.minutes[i]!;
      this.release(i);
      each(entry, file, minute, sample);
    }
  }

  clear(): void {
    for (let i = 0; i < HELD; i++) this.release(i);
  }
}
