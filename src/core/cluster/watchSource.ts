/**
 * The port of a Kubernetes list+watch (implemented in src/platform/kube, kept current by
 * src/app/slices/listWatch.ts).
 */

/** One event of a Kubernetes watch. BOOKMARK only moves the resourceVersion on. */
export interface WatchEvent<T> {
  readonly type: 'ADDED' | 'MODIFIED' | 'DELETED' | 'BOOKMARK';
  readonly object: T;
}

/** The list+watch pair of one resource kind, as the API server offers it. */
export interface ListWatchSource<T> {
  /** A consistent list and the resourceVersion it was read at. */
  list(signal: AbortSignal): Promise<{ readonly items: readonly T[]; readonly resourceVersion: string }>;
  /**
   * Streams the changes after `resourceVersion` to `onEvent`; resolves when the server ends the
   * stream (a watch timeout, a dropped connection), rejects with {@link WatchGoneError} when the
   * version is too old to resume from (410 Gone), or with any other error.
   */
  watch(resourceVersion: string, onEvent: (event: WatchEvent<T>) => void, signal: AbortSignal): Promise<void>;
}

/** 410 Gone: the watch cannot resume from its resourceVersion; list again. */
export class WatchGoneError extends Error {
  override readonly name = 'WatchGoneError';
}
