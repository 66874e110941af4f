import { type IDisposable } from '../../core/base/disposable';
import { Emitter, type Event } from '../../core/base/event';
import { type ILogger } from '../../core/base/logger';
import { type SliceObject, type SlicePhase } from '../../core/slice/sliceResource';
import { ListWatch, type ListWatchSource, type ListWatchStatus } from './listWatch';

/** Who the store speaks for: the kube context and the user the cluster says it is. */
export interface SliceIdentity {
  readonly context: string;
  readonly user: string;
}

export function identityKey(identity: SliceIdentity): string {
  return `${identity.context}\u0000${identity.user}`;
}

/** One Slice as the cluster has it now. */
export interface SliceState {
  readonly name: string;
  readonly owner: string;
  readonly namespace: string;
  readonly phase: SlicePhase | undefined;
  readonly expiresAt: string | undefined;
  /** Deleted, waiting for its namespace to go. */
  readonly deleting: boolean;
  readonly object: SliceObject;
}

export function toSliceState(object: SliceObject): SliceState {
  return {
    name: object.metadata.name,
    owner: object.spec.owner,
    namespace: object.status?.namespace ?? `slice-${object.metadata.name}`,
    phase: object.status?.phase,
    expiresAt: object.spec.expiresAt ?? object.status?.expiresAt,
    deleting: Boolean(object.metadata.deletionTimestamp),
    object,
  };
}

/**
 * The Slice objects one identity sees, kept current by a watch of the cluster (list, watch,
 * resync after a dropped watch). Disposed when the identity changes: a store never outlives the
 * identity it belongs to.
 */
export class SliceStore implements IDisposable {
  private readonly watch: ListWatch<SliceObject>;
  private readonly changed = new Emitter<readonly SliceState[]>();
  /** Fires with the identity's own slices whenever any visible Slice changes. */
  readonly onDidChange: Event<readonly SliceState[]> = this.changed.event;
  private readonly subscription: IDisposable;
  readonly key: string;

  constructor(
    readonly identity: SliceIdentity,
    source: ListWatchSource<SliceObject>,
    logger: ILogger,
  ) {
    this.key = identityKey(identity);
    this.watch = new ListWatch(source, {
      what: `slices of ${identity.user} in ${identity.context}`,
      keyOf: (s) => s.metadata.name,
      versionOf: (s) => s.metadata.resourceVersion,
      logger,
    });
    this.subscription = this.watch.onDidChange(() => this.changed.fire(this.current()));
  }

  /** The identity's own slices, oldest first. */
  current(): readonly SliceState[] {
    return this.all().filter((s) => s.owner === this.identity.user);
  }

  /** Every Slice the identity may see (other owners' too: the tree lists them). */
  all(): readonly SliceState[] {
    return this.watch
      .current()
      .map(toSliceState)
      .sort((a, b) => (a.object.metadata.creationTimestamp ?? '').localeCompare(b.object.metadata.creationTimestamp ?? '') || a.name.localeCompare(b.name));
  }

  /** One of the identity's own slices, by object name. */
  get(name: string): SliceState | undefined {
    return this.current().find((s) => s.name === name);
  }

  /** True once the first list has landed. */
  get synced(): boolean {
    return this.watch.synced;
  }

  get status(): ListWatchStatus {
    return this.watch.status;
  }

  /** Resolves once `predicate` holds for the identity's own slices (checked at once and on every change). */
  when(predicate: (slices: readonly SliceState[]) => boolean, signal?: AbortSignal): Promise<readonly SliceState[]> {
    return this.whenOf(() => this.current(), predicate, signal);
  }

  /** Resolves once `predicate` holds for every visible Slice. */
  whenAll(predicate: (slices: readonly SliceState[]) => boolean, signal?: AbortSignal): Promise<readonly SliceState[]> {
    return this.whenOf(() => this.all(), predicate, signal);
  }

  private whenOf(read: () => readonly SliceState[], predicate: (slices: readonly SliceState[]) => boolean, signal?: AbortSignal): Promise<readonly SliceState[]> {
    return new Promise((resolve, reject) => {
      const holds = (): boolean => this.synced && predicate(read());
      if (holds()) return resolve(read());
      const sub = this.onDidChange(() => {
        if (!holds()) return;
        sub.dispose();
        resolve(read());
      });
      signal?.addEventListener('abort', () => {
        sub.dispose();
        reject(signal.reason instanceof Error ? signal.reason : new Error('aborted'));
      });
    });
  }

  dispose(): void {
    this.subscription.dispose();
    this.watch.dispose();
    this.changed.dispose();
  }
}
