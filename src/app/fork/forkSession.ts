import { type IDisposable } from '../../core/base/disposable';
import { Emitter, type Event } from '../../core/base/event';
import { type ILogger } from '../../core/base/logger';
import { SUPPORTED_VERSIONS } from '../../core/agent/protocol';
import { type Transport } from '../../core/agent/transport';
import { type EndReason, type Identity, type Lifetime, type Lifetimes, isQuietEnd } from '../lifetimes';
import { ReconnectPolicy, sliceGoneRule } from '../reconnect';
import { AgentLink } from './agentLink';

/** The fork a session speaks to, and who speaks. */
export interface ForkTarget {
  readonly identity: Identity;
  readonly sliceLabel: string;
  /** The slice namespace and the forked workload in it. */
  readonly namespace: string;
  readonly workload: string;
}

/** The transport of one fork (a PortForwardTransport: one local port, the token read once). */
export interface ForkTransport extends Transport, IDisposable {
  /** The pod of the current (or last) connection. */
  readonly currentPod?: string | undefined;
  /** The pod each successful resolution picked. */
  readonly onPodResolved?: Event<string>;
  /** While a connect waits for a pod on its way: what is happening, in words. */
  readonly onWaiting?: Event<string>;
}

export function forkKey(context: string, namespace: string, workload: string): string {
  return `${context}/${namespace}/${workload}`;
}

/**
 * One fork's session: one transport, one agent link (one connection, one HELLO per connection, one
 * reconnect policy) that sync and telemetry share. Each user (sync, telemetry) takes a lifetime
 * with use(); the session ends when its last user ends, when its slice goes (the slice lifetime
 * ends, or the fork answers 403/404), or when the identity changes — always quietly.
 */
export class ForkSession {
  readonly key: string;
  readonly link: AgentLink;
  private readonly users = new Set<Lifetime>();

  constructor(
    readonly target: ForkTarget,
    readonly lifetime: Lifetime,
    readonly transport: ForkTransport,
    options: { readonly clientName: string; readonly requestTimeoutMs?: number; readonly logger: ILogger },
  ) {
    this.key = forkKey(target.identity.context, target.namespace, target.workload);
    lifetime.add(transport);
    const policy = new ReconnectPolicy({ lifetime, gone: sliceGoneRule });
    this.link = lifetime.add(
      new AgentLink({
        transport,
        policy,
        hello: { versions: [...SUPPORTED_VERSIONS], client: options.clientName },
        ...(options.requestTimeoutMs === undefined ? {} : { requestTimeoutMs: options.requestTimeoutMs }),
        podOf: () => transport.currentPod,
      }),
    );
    lifetime.onDidEnd((r) => {
      const line = `fork ${target.namespace}/${target.workload}: session ended: ${r.message}`;
      if (isQuietEnd(r)) options.logger.info(line);
      else options.logger.warn(line);
    });
  }

  /** A lifetime for one user of the connection (sync, telemetry); the session ends with its last user. */
  use(name: string): Lifetime {
    const l = this.lifetime.child(`${name} ${this.target.workload}`);
    this.users.add(l);
    l.onDidEnd(() => {
      this.users.delete(l);
      if (this.users.size === 0 && !this.lifetime.isEnded) this.lifetime.end({ kind: 'stopped', message: 'no sync or telemetry uses it any more' });
    });
    return l;
  }

  /** Starts connecting (once); users subscribe to the link before or after. */
  start(): void {
    this.link.start();
  }
}

export interface ForkSessionsDeps {
  readonly lifetimes: Lifetimes;
  /** Makes the transport to a fork as the identity (platform: PortForwardTransport with the user's kubeconfig). */
  readonly transportFor: (target: ForkTarget) => ForkTransport;
  readonly clientName: string;
  readonly requestTimeoutMs: () => number;
  readonly logger: ILogger;
}

/** Why a fork session cannot be opened now. */
export class NotCurrentIdentityError extends Error {
  override readonly name = 'NotCurrentIdentityError';
}

/**
 * The fork sessions of the extension: at most one per fork (context, namespace, workload), each a
 * child of its slice's lifetime, so a deleted slice or a changed identity ends them.
 */
export class ForkSessions implements IDisposable {
  private readonly sessions = new Map<string, ForkSession>();
  private readonly changed = new Emitter<void>();
  private readonly ends = new Emitter<{ readonly session: ForkSession; readonly reason: EndReason }>();
  readonly onDidChange: Event<void> = this.changed.event;
  /** A session ended, with why. */
  readonly onDidEnd = this.ends.event;

  constructor(private readonly deps: ForkSessionsDeps) {}

  get all(): readonly ForkSession[] {
    return [...this.sessions.values()];
  }

  get(key: string): ForkSession | undefined {
    return this.sessions.get(key);
  }

  /** The fork's session, opened if need be (not yet started). */
  open(target: ForkTarget): ForkSession {
    const key = forkKey(target.identity.context, target.namespace, target.workload);
    const existing = this.sessions.get(key);
    if (existing && !existing.lifetime.isEnded) return existing;
    const slice = this.deps.lifetimes.slice(target.identity, target.namespace);
    if (!slice) throw new NotCurrentIdentityError(`${target.identity.context} is not the selected cluster context (or its user changed): select it first`);
    const lifetime = slice.child(`fork ${target.namespace}/${target.workload}`);
    const session = new ForkSession(target, lifetime, this.deps.transportFor(target), { clientName: this.deps.clientName, requestTimeoutMs: this.deps.requestTimeoutMs(), logger: this.deps.logger });
    this.sessions.set(key, session);
    lifetime.onDidEnd((reason) => {
      if (this.sessions.get(key) === session) this.sessions.delete(key);
      this.ends.fire({ session, reason });
      this.changed.fire();
    });
    this.changed.fire();
    return session;
  }

  dispose(): void {
    for (const s of [...this.sessions.values()]) s.lifetime.end({ kind: 'shutdown', message: 'the extension is shutting down' });
    this.sessions.clear();
    this.changed.dispose();
    this.ends.dispose();
  }
}
