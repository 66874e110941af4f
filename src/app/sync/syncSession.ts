import { type IDisposable } from '../../core/base/disposable';
import { Emitter } from '../../core/base/event';
import { type ILogger } from '../../core/base/logger';
import { type HookResultMeta } from '../../core/agent/messages';
import { type DriftEntry } from '../../core/sync/planner';
import { type EndReason, type Lifetime } from '../lifetimes';
import { type ForkSession } from '../fork/forkSession';
import { type OpFailure, SyncEngine, type SyncReport, type SyncState } from './syncEngine';

export interface SyncTarget {
  readonly contextName: string;
  /** The Slice resource name and the label shown to people. */
  readonly sliceName: string;
  readonly sliceLabel: string;
  readonly namespace: string;
  readonly workload: string;
  /** The local folder that mirrors the container (absolute). */
  readonly localRoot: string;
  /** Where the files appear in the app container (informational: slice.yaml's sync.container). */
  readonly containerPath: string;
  /** slice.yaml has a restart command for this fork: run the agent's after-sync action. */
  readonly runAfterSync: boolean;
}

export interface SyncSessionDeps {
  readonly ignorePatterns: readonly string[];
  readonly logger: ILogger;
  readonly clientName: string;
}

/** What the status bar and the tests read. */
export interface SyncStatus {
  readonly state: SyncState;
  readonly pod: string | undefined;
  /** Local save → acknowledged in the container, of the last batch of saves. */
  readonly lastLatencyMs: number | undefined;
  readonly lastSyncAt: Date | undefined;
  readonly lastReport: SyncReport | undefined;
  readonly lastError: string | undefined;
  readonly drift: readonly DriftEntry[];
  readonly lastHook: HookResultMeta | undefined;
}

/**
 * One fork kept in sync with a local folder: a SyncEngine on the fork session's agent link (the
 * connection telemetry shares), fed with local changes by the editor. Reads local files only. Lives
 * as long as its lifetime (a user of the fork session): Stop Sync, a deleted slice or a changed
 * identity ends it, quietly.
 */
export class SyncSession implements IDisposable {
  readonly key: string;
  readonly engine: SyncEngine;
  private readonly changeEmitter = new Emitter<SyncSession>();
  private readonly driftEmitter = new Emitter<readonly DriftEntry[]>();
  private readonly failedEmitter = new Emitter<OpFailure>();
  private readonly connectFailedEmitter = new Emitter<Error>();
  private readonly endEmitter = new Emitter<EndReason>();
  /** Any change of state, timing, drift or error. */
  readonly onDidChange = this.changeEmitter.event;
  readonly onDrift = this.driftEmitter.event;
  readonly onOpFailed = this.failedEmitter.event;
  /** A connection attempt failed (the first one fails Start Sync; later ones only show in the status). */
  readonly onConnectFailed = this.connectFailedEmitter.event;
  /** The session ended (stopped, slice gone, identity changed), with why. */
  readonly onDidEnd = this.endEmitter.event;
  private firstChangeAt: number | undefined;
  private status: SyncStatus = { state: 'disconnected', pod: undefined, lastLatencyMs: undefined, lastSyncAt: undefined, lastReport: undefined, lastError: undefined, drift: [], lastHook: undefined };
  private ended = false;

  constructor(
    readonly target: SyncTarget,
    readonly fork: ForkSession,
    readonly lifetime: Lifetime,
    private readonly deps: SyncSessionDeps,
  ) {
    this.key = fork.key;
    const log = deps.logger;
    const label = `sync ${target.workload}`;
    const transport = fork.transport;
    this.engine = new SyncEngine({ link: fork.link, localRoot: target.localRoot, ignorePatterns: deps.ignorePatterns, runAfterSync: target.runAfterSync, logger: log, label, clientName: deps.clientName });
    const e = this.engine;
    // A new pod is a new sync root (a fresh copy of the image): the engine's reconcile puts the local tree back.
    e.podOf = () => transport.currentPod;
    const own = (d: IDisposable) => lifetime.add(d);
    own(e);
    own(e.onStateChange((state) => this.update({ state, ...(state === 'idle' ? { lastError: undefined } : {}) })));
    if (transport.onPodResolved) own(transport.onPodResolved((pod) => this.update({ pod })));
    if (transport.onWaiting) {
      own(transport.onWaiting((message) => {
        log.info(`${label}: ${message}`);
        this.update({ lastError: message });
      }));
    }
    // The engine logs a failed connect once per change of reason; here it only shows.
    own(fork.link.onLost((l) => {
      if (!l.failure) return;
      this.update({ lastError: l.failure.message });
      this.connectFailedEmitter.fire(l.failure);
    }));
    own(e.onConnected((w) => log.info(`${label}: ${w.description} (agent ${w.agentVersion}, protocol ${w.version})`)));
    own(e.onSynced((r) => this.synced(r)));
    own(e.onDrift((drift) => {
      this.update({ drift });
      if (drift.length > 0) {
        log.warn(`${label}: ${drift.length} file(s) differ in the container: ${drift.slice(0, 10).map((d) => `${d.path} (${d.kind})`).join(', ')}`);
        this.driftEmitter.fire(drift);
      }
    }));
    own(e.onSkipped((skipped) => log.warn(`${label}: not synced: ${skipped.map((s) => `${s.path} (${s.reason})`).join(', ')}`)));
    own(e.onOpFailed((f) => {
      log.error(`${label}: ${f.path}: ${f.code} ${f.message}`);
      this.update({ lastError: `${f.path}: ${f.message}` });
      this.failedEmitter.fire(f);
    }));
    own(e.onHookResult((h) => {
      const line = `${label}: after-sync action ${hookSummary(h)}${h.outputTail ? `\n${h.outputTail.trimEnd()}` : ''}`;
      if (h.ran && h.exitCode === 0) log.info(line);
      else log.warn(line);
      this.update({ lastHook: h });
    }));
    lifetime.onDidEnd((reason) => {
      this.ended = true;
      log.info(`${label}: stopped: ${reason.message}`);
      this.endEmitter.fire(reason);
      for (const em of [this.changeEmitter, this.driftEmitter, this.failedEmitter, this.connectFailedEmitter, this.endEmitter]) em.dispose();
    });
  }

  get current(): SyncStatus {
    return this.status;
  }

  get isEnded(): boolean {
    return this.ended;
  }

  start(): void {
    this.deps.logger.info(`sync ${this.target.workload}: ${this.target.localRoot} → ${this.target.namespace}/${this.target.workload}:${this.target.containerPath}`);
    this.engine.start();
    this.fork.start();
  }

  /** A created or changed path, file or directory (absolute): the engine looks at what it is now. */
  changed(abs: string): void {
    const rel = this.engine.syncPath(abs);
    if (rel === undefined || this.ended || isGitInternal(rel)) return;
    this.firstChangeAt ??= performance.now();
    this.engine.notifyChanged([rel]);
  }

  /** A deleted path (absolute). */
  deleted(abs: string): void {
    const rel = this.engine.syncPath(abs);
    if (rel === undefined || this.ended || isGitInternal(rel)) return;
    this.firstChangeAt ??= performance.now();
    this.engine.notifyDeleted([rel]);
  }

  /** Stop Sync. */
  dispose(): void {
    this.lifetime.end({ kind: 'stopped', message: 'stopped' });
  }

  private update(patch: Partial<SyncStatus>): void {
    if (this.ended) return;
    this.status = { ...this.status, ...patch };
    this.changeEmitter.fire(this);
  }

  private synced(r: SyncReport): void {
    const latency = r.kind === 'changes' && this.firstChangeAt !== undefined ? performance.now() - this.firstChangeAt : this.status.lastLatencyMs;
    if (r.kind === 'changes' || this.engine.pendingCount === 0) this.firstChangeAt = undefined;
    const what = `${r.written} written, ${r.deleted} deleted, ${r.renamed} renamed${r.failed ? `, ${r.failed} failed` : ''}`;
    this.deps.logger.info(`sync ${this.target.workload}: ${r.kind} ${what} in ${r.durationMs.toFixed(0)} ms (${r.wireBytes} B)${latency !== undefined && r.kind === 'changes' ? `; save → container ${latency.toFixed(0)} ms` : ''}`);
    this.update({ lastReport: r, lastSyncAt: new Date(), ...(latency === undefined ? {} : { lastLatencyMs: latency }) });
  }
}

export function hookSummary(h: HookResultMeta): string {
  if (!h.ran) return `did not run${h.error ? `: ${h.error}` : ''}`;
  if (h.timedOut) return `timed out after ${h.durationMs.toFixed(0)} ms`;
  return `${h.exitCode === 0 ? 'succeeded' : `failed (${h.exitCode ?? h.signal ?? '?'})`} in ${h.durationMs.toFixed(0)} ms`;
}

function isGitInternal(rel: string): boolean {
  return rel === '.git' || rel.startsWith('.git/');
}
