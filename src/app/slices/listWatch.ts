import { Backoff } from '../../core/base/backoff';
import { type IDisposable } from '../../core/base/disposable';
import { messageOf } from '../../core/base/errors';
import { Emitter, type Event } from '../../core/base/event';
import { type ILogger } from '../../core/base/logger';
import { type ListWatchSource, type WatchEvent, WatchGoneError } from '../../core/cluster/watchSource';

export { type ListWatchSource, type WatchEvent, WatchGoneError };

export type ListWatchStatus = { readonly state: 'listing' } | { readonly state: 'live' } | { readonly state: 'retrying'; readonly error: string };

export interface ListWatchOptions<T> {
  readonly what: string;
  readonly keyOf: (item: T) => string;
  readonly versionOf: (item: T) => string | undefined;
  readonly logger: ILogger;
  readonly backoff?: Backoff;
  /** Waits `ms` or until the signal aborts; injected so tests need no clock. */
  readonly sleep?: (ms: number, signal: AbortSignal) => Promise<void>;
}

/**
 * Keeps a current copy of a resource kind: lists, then watches from the list's resourceVersion;
 * after a stream ends it resumes from the last version seen; after 410 Gone or an error it lists
 * again (after a backoff for errors), so a dropped watch never leaves a stale copy behind.
 */
export class ListWatch<T> implements IDisposable {
  private readonly items = new Map<string, T>();
  private readonly changed = new Emitter<void>();
  readonly onDidChange: Event<void> = this.changed.event;
  private readonly abort = new AbortController();
  private readonly backoff: Backoff;
  private readonly sleep: (ms: number, signal: AbortSignal) => Promise<void>;
  private currentStatus: ListWatchStatus = { state: 'listing' };
  private listed = false;
  /** Ends when the loop has stopped (after dispose). */
  readonly done: Promise<void>;

  constructor(
    private readonly source: ListWatchSource<T>,
    private readonly options: ListWatchOptions<T>,
  ) {
    this.backoff = options.backoff ?? new Backoff({ initialMs: 250, maxMs: 30_000 });
    this.sleep = options.sleep ?? sleepFor;
    this.done = this.run();
  }

  /** The items as last seen (empty until the first list). */
  current(): readonly T[] {
    return [...this.items.values()];
  }

  /** True once the first list has landed. */
  get synced(): boolean {
    return this.listed;
  }

  get status(): ListWatchStatus {
    return this.currentStatus;
  }

  private async run(): Promise<void> {
    const signal = this.abort.signal;
    let version: string | undefined;
    while (!signal.aborted) {
      try {
        if (version === undefined) {
          this.currentStatus = { state: 'listing' };
          const list = await this.source.list(signal);
          if (signal.aborted) return;
          this.replace(list.items);
          version = list.resourceVersion;
        }
        this.currentStatus = { state: 'live' };
        let events = 0;
        await this.source.watch(
          version,
          (event) => {
            if (signal.aborted) return;
            events++;
            version = this.options.versionOf(event.object) ?? version;
            this.apply(event);
          },
          signal,
        );
        if (signal.aborted) return;
        // The server ended the stream: resume from the last version. A stream that ended without a
        // single event waits a little first, so a server that closes at once is not hammered.
        if (events > 0) this.backoff.reset();
        else await this.sleep(this.backoff.next(), signal);
      } catch (e) {
        if (signal.aborted) return;
        version = undefined;
        if (e instanceof WatchGoneError) {
          this.options.logger.debug(`${this.options.what}: watch expired (410 Gone), listing again`);
          continue;
        }
        const delay = this.backoff.next();
        this.currentStatus = { state: 'retrying', error: messageOf(e) };
        this.options.logger.warn(`${this.options.what}: watch failed, listing again in ${delay} ms: ${messageOf(e)}`);
        this.changed.fire();
        await this.sleep(delay, signal);
      }
    }
  }

  private replace(items: readonly T[]): void {
    this.items.clear();
    for (const item of items) this.items.set(this.options.keyOf(item), item);
    this.listed = true;
    this.backoff.reset();
    this.changed.fire();
  }

  private apply(event: WatchEvent<T>): void {
    const key = this.options.keyOf(event.object);
    switch (event.type) {
      case 'ADDED':
      case 'MODIFIED':
        this.items.set(key, event.object);
        break;
      case 'DELETED':
        this.items.delete(key);
        break;
      case 'BOOKMARK':
        return;
    }
    this.changed.fire();
  }

  dispose(): void {
    this.abort.abort();
    this.changed.dispose();
  }
}

function sleepFor(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve();
    const timer = setTimeout(done, ms);
    function done(): void {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    }
    signal.addEventListener('abort', done);
  });
}
