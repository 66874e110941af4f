import { type IDisposable } from '../core/base/disposable';
import { Emitter, type Event } from '../core/base/event';

/**
 * Why a lifetime ended. Only `failed` is news to the user; the others are said in the log, quietly:
 * they stopped it, their identity (kube context or user) changed, their slice went away, the editor
 * is shutting down.
 */
export type EndKind = 'stopped' | 'identityChanged' | 'sliceGone' | 'shutdown' | 'failed';

export interface EndReason {
  readonly kind: EndKind;
  readonly message: string;
}

/** True for an end the user should not be told about in a popup. */
export function isQuietEnd(reason: EndReason): boolean {
  return reason.kind !== 'failed';
}

/**
 * A named lifetime: extension → identity + cluster → slice → fork session. Everything that runs in
 * the background (a socket, a watch, a stream, a timer) is added to the lifetime it belongs to and
 * ends with it; ending a lifetime ends its children first (with the same reason), then disposes what
 * it owns in reverse order of registration. Adding to an ended lifetime disposes the newcomer at once.
 */
export class Lifetime implements IDisposable {
  private readonly owned: IDisposable[] = [];
  private readonly children = new Set<Lifetime>();
  private readonly ended = new Emitter<EndReason>();
  private readonly abort = new AbortController();
  private reason: EndReason | undefined;
  /** Fires once, when the lifetime ends, with why. */
  readonly onDidEnd: Event<EndReason> = this.ended.event;

  constructor(
    readonly name: string,
    private readonly parent?: Lifetime,
  ) {
    if (parent?.reason) this.end(parent.reason);
    else parent?.children.add(this);
  }

  /** A lifetime that ends no later than this one. */
  child(name: string): Lifetime {
    return new Lifetime(name, this);
  }

  /** Aborted when the lifetime ends (for requests and waits). */
  get signal(): AbortSignal {
    return this.abort.signal;
  }

  /** Why it ended; undefined while it lasts. */
  get endReason(): EndReason | undefined {
    return this.reason;
  }

  get isEnded(): boolean {
    return this.reason !== undefined;
  }

  add<T extends IDisposable>(item: T): T {
    if (this.reason) item.dispose();
    else this.owned.push(item);
    return item;
  }

  end(reason: EndReason): void {
    if (this.reason) return;
    this.reason = reason;
    for (const c of [...this.children]) c.end(reason);
    this.children.clear();
    this.parent?.children.delete(this);
    const errors: unknown[] = [];
    for (const item of this.owned.splice(0).reverse()) {
      try {
        item.dispose();
      } catch (e) {
        errors.push(e);
      }
    }
    this.abort.abort(new Error(`${this.name} ended: ${reason.message}`));
    this.ended.fire(reason);
    this.ended.dispose();
    if (errors.length === 1) throw errors[0];
    if (errors.length > 1) throw new AggregateError(errors, `${errors.length} errors while ending ${this.name}`);
  }

  dispose(): void {
    this.end({ kind: 'stopped', message: `${this.name} stopped` });
  }
}

/** Who is speaking to the cluster: the kube context and the user the cluster says it is. */
export interface Identity {
  readonly context: string;
  /** Undefined while the cluster has not said (a context change alone already changes the identity). */
  readonly user: string | undefined;
}

/** One slice as the identity sees it now. */
export interface SliceFact {
  readonly namespace: string;
  /** Deleted, waiting for its namespace to go: as good as gone for sessions. */
  readonly deleting: boolean;
}

/**
 * The port through which lifetimes learn about the world (implemented over the cluster watches):
 * the current identity, and the identity's slices once known.
 */
export interface WorldPort {
  /** undefined: no cluster selected. A user of undefined: not known yet (same context: same identity). */
  readonly identity: () => Identity | undefined;
  /** The slices of the current identity; undefined while not (yet) known. */
  readonly slices: () => readonly SliceFact[] | undefined;
  readonly onDidChange: Event<void>;
}

/**
 * The lifetimes below the extension's: one per identity (ended when the context or user changes or
 * the cluster is deselected) and, under it, one per slice (ended when the slice leaves the identity's
 * list or starts deleting). Sessions take `slice(...)` as their parent and end with it, quietly.
 */
export class Lifetimes implements IDisposable {
  private identityLifetime: { readonly key: string; readonly lifetime: Lifetime } | undefined;
  private readonly sliceLifetimes = new Map<string, Lifetime>();
  private readonly subscription: IDisposable;

  constructor(
    readonly extension: Lifetime,
    private readonly world: WorldPort,
  ) {
    this.subscription = world.onDidChange(() => this.judge());
    extension.add(this);
  }

  /** The lifetime of a slice (namespace) of the given identity; undefined when that identity is not current. */
  slice(identity: Identity, namespace: string): Lifetime | undefined {
    const id = this.identity();
    if (!id || !sameIdentity(id.identity, identity)) return undefined;
    let l = this.sliceLifetimes.get(namespace);
    if (!l || l.isEnded) {
      const created = id.lifetime.child(`slice ${namespace}`);
      created.onDidEnd(() => this.sliceLifetimes.get(namespace) === created && this.sliceLifetimes.delete(namespace));
      this.sliceLifetimes.set(namespace, created);
      l = created;
    }
    return l;
  }

  /** The current identity and its lifetime, if there is one. */
  identity(): { readonly identity: Identity; readonly lifetime: Lifetime } | undefined {
    this.judge();
    const current = this.identityLifetime;
    return current ? { identity: parse(current.key), lifetime: current.lifetime } : undefined;
  }

  dispose(): void {
    this.subscription.dispose();
    this.identityLifetime?.lifetime.end({ kind: 'shutdown', message: 'the extension is shutting down' });
    this.identityLifetime = undefined;
  }

  private judge(): void {
    const now = this.world.identity();
    const current = this.identityLifetime;
    if (current && (!now || !sameIdentity(parse(current.key), now))) {
      this.identityLifetime = undefined;
      const message = now ? `the identity changed from ${describe(parse(current.key))} to ${describe(now)}` : `the cluster ${describe(parse(current.key))} is no longer selected`;
      current.lifetime.end({ kind: 'identityChanged', message });
    }
    if (now && !this.identityLifetime) {
      this.identityLifetime = { key: key(now), lifetime: this.extension.child(`identity ${describe(now)}`) };
    } else if (now && this.identityLifetime && now.user !== undefined && parse(this.identityLifetime.key).user === undefined) {
      // the cluster said who the user is: the same lifetime, now knowing its user
      this.identityLifetime = { key: key(now), lifetime: this.identityLifetime.lifetime };
    }
    const slices = this.world.slices();
    if (!slices) return;
    for (const [namespace, l] of [...this.sliceLifetimes]) {
      const fact = slices.find((s) => s.namespace === namespace);
      if (fact && !fact.deleting) continue;
      this.sliceLifetimes.delete(namespace);
      l.end({ kind: 'sliceGone', message: fact ? `the slice in ${namespace} is being deleted` : `the slice in ${namespace} is gone` });
    }
  }
}

/** Same identity: the same context, and the same user once both are known. */
function sameIdentity(a: Identity, b: Identity): boolean {
  return a.context === b.context && (a.user === undefined || b.user === undefined || a.user === b.user);
}

function key(i: Identity): string {
  return `${i.context}\u0000${i.user ?? ''}`;
}

function parse(k: string): Identity {
  const [context = '', user = ''] = k.split('\u0000');
  return { context, user: user === '' ? undefined : user };
}

function describe(i: Identity): string {
  return i.user ? `${i.user}@${i.context}` : i.context;
}
