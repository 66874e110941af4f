import { type KubeConfig } from '@kubernetes/client-node';
import { type IDisposable } from '../core/base/disposable';
import { Emitter, type Event } from '../core/base/event';
import { type ILogger } from '../core/base/logger';
import { PortForwardTransport } from '../platform/agent-link/portForwardTransport';
import { type ForkTarget, ForkSessions, type ForkTransport } from './fork/forkSession';
import { LiveTelemetrySession, type LiveTarget, type TelemetrySink } from './fork/liveTelemetrySession';
import { type Lifetimes } from './lifetimes';
import { SyncSession, type SyncTarget } from './sync/syncSession';

export interface SessionsDeps {
  readonly lifetimes: Lifetimes;
  /** The identity's credentials for a context (the kubeconfig as loaded now). */
  readonly kubeConfigFor: (contextName: string) => KubeConfig;
  readonly sink: TelemetrySink;
  readonly logger: ILogger;
  readonly requestTimeoutMs: () => number;
  readonly clientName: string;
  /** Tests: the transport to a fork (default: a port-forward with the identity's credentials). */
  readonly transportFor?: (target: ForkTarget, kubeConfig: KubeConfig) => ForkTransport;
}

/**
 * What the editor asks of the app layer for forks: start sync, start live telemetry. Both ride the
 * fork's one session (one port-forward, one agent connection); each ends by itself (Stop) or with
 * its slice or identity, quietly, and leaves the registry then.
 */
export class Sessions implements IDisposable {
  readonly forks: ForkSessions;
  private readonly syncs = new Map<string, SyncSession>();
  private readonly lives = new Map<string, LiveTelemetrySession>();
  private readonly changed = new Emitter<void>();
  /** A sync or telemetry session started or ended. */
  readonly onDidChange: Event<void> = this.changed.event;

  constructor(private readonly deps: SessionsDeps) {
    this.forks = new ForkSessions({
      lifetimes: deps.lifetimes,
      transportFor: (target) => {
        const kubeConfig = deps.kubeConfigFor(target.identity.context);
        if (deps.transportFor) return deps.transportFor(target, kubeConfig);
        return new PortForwardTransport({ kubeConfig, namespace: target.namespace, workload: target.workload, logger: deps.logger, requestTimeoutMs: deps.requestTimeoutMs() });
      },
      clientName: deps.clientName,
      requestTimeoutMs: deps.requestTimeoutMs,
      logger: deps.logger,
    });
  }

  get syncSessions(): readonly SyncSession[] {
    return [...this.syncs.values()];
  }

  get liveSessions(): readonly LiveTelemetrySession[] {
    return [...this.lives.values()];
  }

  sync(key: string): SyncSession | undefined {
    return this.syncs.get(key);
  }

  live(key: string): LiveTelemetrySession | undefined {
    return this.lives.get(key);
  }

  /** Opens (or joins) the fork's session and starts syncing into it; throws NotCurrentIdentityError when the context is not the selected one. */
  startSync(target: SyncTarget, options: { readonly ignorePatterns: readonly string[] }): SyncSession {
    const fork = this.forks.open(this.forkTarget(target.contextName, target));
    this.syncs.get(fork.key)?.dispose();
    const session = new SyncSession(target, fork, fork.use('sync'), { ignorePatterns: options.ignorePatterns, logger: this.deps.logger, clientName: this.deps.clientName });
    this.syncs.set(fork.key, session);
    session.onDidEnd(() => {
      if (this.syncs.get(session.key) === session) this.syncs.delete(session.key);
      this.changed.fire();
    });
    session.onDidChange(() => this.changed.fire());
    session.start();
    this.changed.fire();
    return session;
  }

  /** Opens (or joins) the fork's session and streams its telemetry (the one already running, if any). */
  startTelemetry(target: LiveTarget): LiveTelemetrySession {
    const fork = this.forks.open(this.forkTarget(target.contextName, target));
    const existing = this.lives.get(fork.key);
    if (existing && !existing.isEnded) return existing;
    const session = new LiveTelemetrySession(target, fork, fork.use('telemetry'), { kubeConfig: this.deps.kubeConfigFor(target.contextName), sink: this.deps.sink, logger: this.deps.logger, requestTimeoutMs: this.deps.requestTimeoutMs() });
    this.lives.set(fork.key, session);
    session.onDidEnd(() => {
      if (this.lives.get(session.key) === session) this.lives.delete(session.key);
      this.changed.fire();
    });
    session.start();
    this.changed.fire();
    return session;
  }

  dispose(): void {
    this.forks.dispose();
    this.syncs.clear();
    this.lives.clear();
    this.changed.dispose();
  }

  private forkTarget(contextName: string, t: { readonly sliceLabel: string; readonly namespace: string; readonly workload: string }): ForkTarget {
    const current = this.deps.lifetimes.identity();
    const user = current?.identity.context === contextName ? current.identity.user : undefined;
    return { identity: { context: contextName, user }, sliceLabel: t.sliceLabel, namespace: t.namespace, workload: t.workload };
  }
}
