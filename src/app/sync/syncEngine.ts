import { type IDisposable } from '../../core/base/disposable';
import { Emitter } from '../../core/base/event';
import { type ILogger, nullLogger } from '../../core/base/logger';
import { backoffPolicy } from '../../core/base/backoff';
import { ChangeSet } from '../../core/sync/coalescer';
import { AgentError } from '../../core/agent/errors';
import { FlowWindow } from '../../core/sync/flowWindow';
import { type IgnoreRules, type IgnoreSpec } from '../../core/sync/ignoreRules';
import { decodeManifest } from '../../core/sync/manifestPayload';
import { type HookResultMeta, type WelcomeMeta } from '../../core/agent/messages';
import { type DriftEntry, type PlanOp, type SkippedEntry, planChanges, planFull } from '../../core/sync/planner';
import { MessageType, SUPPORTED_VERSIONS } from '../../core/agent/protocol';
import { HashCache, hashWhere, scanTree } from '../../core/sync/scanner';
import { type AgentConnection, type TrafficStats } from '../../platform/agent-link/agentConnection';
import { examineChanges } from '../../platform/agent-link/changeRegions';
import { LocalTreeFs } from '../../platform/agent-link/localTreeFs';
import { executePlan } from '../../platform/agent-link/planExecutor';
import { AgentLink, type LinkLoss, type LinkSession } from '../fork/agentLink';
import { ConnectionStory } from './connectionStory';
import { type OpFailure, type OutcomeCounts, SyncBook } from './syncBook';
import { type ConnectedInfo, type DisconnectedInfo, type SyncEngineOptions, type SyncReport, type SyncState } from './syncTypes';

export type { OpFailure } from './syncBook';
export type { ConnectedInfo, DisconnectedInfo, SyncEngineOptions, SyncReport, SyncState } from './syncTypes';

/** One turn of the event loop (a stats-only scan runs synchronously in short slices between turns). */
const yieldNow = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

interface Job {
  readonly kind: 'drift' | 'reset';
  resolve(v: readonly DriftEntry[]): void;
  reject(e: Error): void;
}

/**
 * Drives local → container sync over the fork's agent link (app/fork/agentLink.ts, shared with
 * telemetry; it connects, says HELLO and reconnects as the reconnect policy says): reconcile by
 * manifest on every connection, then coalesce and send local changes; reconcile again after any drop. Changes stay
 * pending until the agent acknowledges them, so nothing queued during an outage is lost. Never
 * writes a local file. Drift (container-side edits) is reported, overwritten only by the next
 * local change to that path or by resetContainerToLocal().
 */
export class SyncEngine implements IDisposable {
  private readonly fs: LocalTreeFs;
  private readonly cache = new HashCache();
  private readonly pending = new ChangeSet();
  /** The agent link this engine rides on, and whether the engine made it (and so owns it). */
  private readonly link: AgentLink;
  private readonly ownsLink: boolean;
  private readonly linkSubscriptions: IDisposable[] = [];
  private readonly window: FlowWindow;
  private readonly log: ILogger;
  private readonly label: string;
  /** What the container holds, what the agent acknowledged, what the sync owns there. */
  private readonly book: SyncBook;
  private rules: IgnoreRules | undefined;
  private welcomed = false;
  private spec: IgnoreSpec = { patterns: [], gitignores: [] };
  private needsReconcile = true;
  private conn: AgentConnection | undefined;
  private welcome: WelcomeMeta | undefined;
  private jobs: Job[] = [];
  private wake: (() => void) | undefined;
  private debounce: ReturnType<typeof setTimeout> | undefined;
  private idleWaiters: (() => void)[] = [];
  private current: SyncState = 'disconnected';
  /** The session loop of the current connection (one at a time: the next waits for the last). */
  private running: Promise<void> = Promise.resolve();
  private started = false;
  private disposed = false;

  private readonly stateEmitter = new Emitter<SyncState>();
  private readonly syncedEmitter = new Emitter<SyncReport>();
  private readonly driftEmitter = new Emitter<readonly DriftEntry[]>();
  private readonly skippedEmitter = new Emitter<readonly SkippedEntry[]>();
  private readonly failedEmitter = new Emitter<OpFailure>();
  private readonly hookEmitter = new Emitter<HookResultMeta>();
  private readonly connectedEmitter = new Emitter<ConnectedInfo>();
  private readonly disconnectedEmitter = new Emitter<DisconnectedInfo>();
  /** Each drop and return of the connection, in words. */
  private readonly story: ConnectionStory;
  readonly onStateChange = this.stateEmitter.event;
  readonly onSynced = this.syncedEmitter.event;
  readonly onDrift = this.driftEmitter.event;
  readonly onSkipped = this.skippedEmitter.event;
  readonly onOpFailed = this.failedEmitter.event;
  readonly onHookResult = this.hookEmitter.event;
  readonly onConnected = this.connectedEmitter.event;
  readonly onDisconnected = this.disconnectedEmitter.event;
  /** The pod (or other place) of the connection being made, for the reconnect cause; set by the transport's owner. */
  podOf: () => string | undefined = () => undefined;

  constructor(private readonly options: SyncEngineOptions) {
    this.fs = new LocalTreeFs(options.localRoot);
    this.book = new SyncBook(this.pending, (f) => this.failedEmitter.fire(f));
    if (options.link) {
      this.link = options.link;
      this.ownsLink = false;
    } else {
      if (!options.transport) throw new Error('SyncEngine needs a link or a transport');
      const hello = { versions: SUPPORTED_VERSIONS, client: options.clientName ?? 'slice-extension' };
      this.link = new AgentLink({
        transport: options.transport,
        policy: backoffPolicy(options.backoff),
        hello: options.afterSyncCommand ? { ...hello, afterSync: options.afterSyncCommand } : hello,
        ...(options.requestTimeoutMs === undefined ? {} : { requestTimeoutMs: options.requestTimeoutMs }),
        podOf: () => this.podOf(),
      });
      this.ownsLink = true;
    }
    this.window = new FlowWindow(options.windowBytes, options.windowBatches);
    this.log = options.logger ?? nullLogger;
    this.label = options.label ?? 'sync';
    this.story = new ConnectionStory(this.log, this.label);
  }

  get state(): SyncState {
    return this.current;
  }

  get agent(): WelcomeMeta | undefined {
    return this.welcome;
  }

  /** Traffic of the agent link (shared with telemetry when the link is the fork's). */
  get traffic(): TrafficStats {
    return this.link.traffic;
  }

  /** Changes not yet acknowledged by the agent (queued or in flight). */
  get pendingCount(): number {
    return this.pending.size;
  }

  /** Starts syncing over the link (starting it if need be); safe to call once. */
  start(): void {
    if (this.started || this.disposed) return;
    this.started = true;
    this.linkSubscriptions.push(
      this.link.onConnected((s) => this.connected(s)),
      this.link.onLost((l) => this.lost(l)),
      this.link.onStateChange((st) => st === 'connecting' && this.setState('connecting')),
    );
    const now = this.link.current;
    if (now) this.connected(now);
    else this.setState('connecting');
    this.link.start();
  }

  /** The sync path of an absolute local path, or undefined outside the local root. */
  syncPath(absPath: string): string | undefined {
    return this.fs.syncPath(absPath);
  }

  /** Files created or saved (sync paths). */
  notifyChanged(paths: readonly string[]): void {
    for (const p of paths) this.pending.upsert(p);
    this.changed(paths);
  }

  /** Files or directories deleted (sync paths). */
  notifyDeleted(paths: readonly string[]): void {
    for (const p of paths) this.pending.delete(p);
    this.changed(paths);
  }

  notifyRenamed(from: string, to: string): void {
    this.pending.rename(from, to);
    this.changed([from, to]);
  }

  /** Resolves once every change notified so far is acknowledged (waits through outages). */
  flush(): Promise<void> {
    if (this.isIdle()) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  /** Compares the container with the last acknowledged state; also fires onDrift. */
  checkDrift(): Promise<readonly DriftEntry[]> {
    return this.enqueue('drift');
  }

  /** Overwrites drift and deletes container-only files (not ignored ones): the container becomes local. */
  resetContainerToLocal(): Promise<readonly DriftEntry[]> {
    return this.enqueue('reset');
  }

  /** Runs the agent's after-sync action now. */
  async runAfterSync(): Promise<HookResultMeta> {
    const conn = this.conn;
    if (!conn) throw new AgentError('DISCONNECTED', 'not connected to the agent');
    const reply = await conn.request({ type: MessageType.RunHook, meta: {} });
    if (reply.msg.type !== MessageType.HookResult) throw new AgentError('BAD_FRAME', 'unexpected answer to RUN_HOOK');
    this.hookEmitter.fire(reply.msg.meta);
    return reply.msg.meta;
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    clearTimeout(this.debounce);
    for (const s of this.linkSubscriptions.splice(0)) s.dispose();
    if (this.ownsLink) this.link.dispose();
    for (const j of this.jobs) j.reject(new AgentError('DISCONNECTED', 'the sync engine was stopped'));
    this.jobs = [];
    this.setState('disposed');
    this.wake?.();
    for (const e of [this.stateEmitter, this.syncedEmitter, this.driftEmitter, this.skippedEmitter, this.failedEmitter, this.hookEmitter, this.connectedEmitter, this.disconnectedEmitter]) e.dispose();
  }

  private changed(paths: readonly string[]): void {
    if (paths.some((p) => p === '.sliceignore' || p === '.gitignore' || p.endsWith('/.gitignore'))) this.needsReconcile = true;
    if (this.debounce || this.disposed) return;
    this.debounce = setTimeout(() => {
      this.debounce = undefined;
      this.wake?.();
    }, this.options.debounceMs ?? 8);
  }

  private enqueue(kind: Job['kind']): Promise<readonly DriftEntry[]> {
    if (this.disposed) return Promise.reject(new AgentError('DISCONNECTED', 'the sync engine was stopped'));
    return new Promise((resolve, reject) => {
      this.jobs.push({ kind, resolve, reject });
      this.wake?.();
    });
  }

  private isIdle(): boolean {
    return this.current === 'idle' && this.pending.size === 0 && !this.debounce && this.jobs.length === 0 && !this.needsReconcile;
  }

  private setState(s: SyncState): void {
    if (this.current === s || this.current === 'disposed') return;
    this.current = s;
    this.stateEmitter.fire(s);
    if (this.isIdle()) for (const w of this.idleWaiters.splice(0)) w();
  }

  /** A connection (with its WELCOME) came: run this engine's session on it once the previous one has wound down. */
  private connected(link: LinkSession): void {
    this.running = this.running.then(() => this.session(link)).catch((e: unknown) => {
      if (this.disposed) return;
      const reason = e instanceof Error ? e.message : String(e);
      if (!link.conn.isClosed) {
        // the engine cannot trust this connection any longer: drop it, the link reconnects
        this.log.warn(`${this.label}: ${reason}; reconnecting`);
        link.conn.dispose();
      }
    });
  }

  /** A connection ended or an attempt failed; the link retries in `retryInMs` (or never). */
  private lost(l: LinkLoss): void {
    if (this.disposed) return;
    const info = this.story.down(l, this.welcomed);
    this.conn = undefined;
    this.welcomed = false;
    this.needsReconcile = true;
    this.setState('disconnected');
    this.story.tell(info);
    this.disconnectedEmitter.fire(info);
  }

  /** One connection's life: reconcile, then rounds of changes and jobs until it drops. */
  private async session(link: LinkSession): Promise<void> {
    if (this.disposed || link.conn.isClosed) return;
    const conn = link.conn;
    this.conn = conn;
    const previous = this.welcome;
    this.welcome = link.welcome;
    this.welcomed = true;
    this.book.enterRoot(this.welcome.rootId);
    this.connectedEmitter.fire(this.story.connected(this.welcome, previous, link.pod ?? this.podOf()));
    for (;;) {
      if (this.disposed || conn.isClosed) throw new AgentError('DISCONNECTED', conn.closeReason ?? 'connection closed');
      const job = this.jobs.shift();
      if (job) {
        await this.runJob(conn, job);
      } else if (this.needsReconcile) {
        await this.reconcile(conn, false);
      } else if (this.pending.size > 0 && !this.debounce) {
        await this.syncChanges(conn);
      } else {
        this.setState('idle');
        await Promise.race([new Promise<void>((resolve) => (this.wake = resolve)), conn.closed]);
        this.wake = undefined;
      }
    }
  }

  private async runJob(conn: AgentConnection, job: Job): Promise<void> {
    try {
      const drift = await this.reconcile(conn, job.kind === 'reset', job.kind === 'drift');
      job.resolve(drift);
    } catch (e) {
      if (e instanceof AgentError && e.code === 'DISCONNECTED') this.jobs.unshift(job);
      else job.reject(e instanceof Error ? e : new Error(String(e)));
      throw e;
    }
  }

  private maxFileBytes(): number {
    return Math.min(this.options.maxFileBytes ?? Number.MAX_SAFE_INTEGER, this.welcome?.maxFileBytes ?? Number.MAX_SAFE_INTEGER);
  }

  /** Scans both sides and sends the differences (or, with `driftOnly`, only reports drift). */
  private async reconcile(conn: AgentConnection, reset: boolean, driftOnly = false): Promise<readonly DriftEntry[]> {
    this.setState('reconciling');
    const started = performance.now();
    this.needsReconcile = false;
    const taken = this.pending.take();
    try {
      const sliceignore = (await this.fs.readText('.sliceignore')) ?? '';
      // Stats only first: a file is hashed only where a comparison needs its hash (the container or
      // the last acknowledgement has one of the same size); the rest is hashed as it is sent.
      const scan = await scanTree(this.fs, { spec: { patterns: [...(this.options.ignorePatterns ?? []), ...sliceignore.split(/\r?\n/)], gitignores: [] }, discoverGitignores: true, cache: this.cache, hash: false, yieldNow });
      const phases: Record<string, number> = { scan: performance.now() - started };
      this.rules = scan.rules;
      this.spec = scan.spec;
      let mark = performance.now();
      const reply = await conn.request({ type: MessageType.ManifestRequest, meta: { ignore: this.spec } });
      if (reply.msg.type !== MessageType.Manifest) throw new AgentError('BAD_FRAME', 'unexpected answer to MANIFEST_REQUEST');
      const container = decodeManifest(reply.payload, reply.msg.meta.count);
      if (!container.ok) throw new AgentError(container.error.code, container.error.message);
      this.book.adoptManifest(container.value);
      phases.manifest = performance.now() - mark;
      mark = performance.now();
      const { known, knownDirs, written, made, acked, deletedLocally } = this.book;
      const sizeMatters = (l: { path: string; size: number }) => known.get(l.path)?.size === l.size || acked.get(l.path)?.size === l.size || (written.get(l.path)?.some((c) => c !== null && (c.size === l.size || c.size < 0)) ?? false);
      await hashWhere(this.fs, scan.manifest, this.cache, sizeMatters);
      phases.hash = performance.now() - mark;
      mark = performance.now();
      const plan = planFull({ local: scan.manifest, localDirs: scan.dirs, remote: known, remoteDirs: knownDirs, written, made, acked, deletedLocally, dirsLocalHad: this.book.dirsLocalHad(), maxFileBytes: this.maxFileBytes(), reset });
      this.book.confirmMatches(scan.manifest, scan.dirs);
      phases.plan = performance.now() - mark;
      this.driftEmitter.fire(plan.drift);
      if (plan.skipped.length > 0) this.skippedEmitter.fire(plan.skipped);
      if (!driftOnly) await this.execute(conn, plan.ops, reset ? 'reset' : 'reconcile', started, phases);
      else this.pending.restore(taken);
      return plan.drift;
    } catch (e) {
      this.pending.restore(taken);
      this.needsReconcile = true;
      throw e;
    }
  }

  private async syncChanges(conn: AgentConnection): Promise<void> {
    this.setState('syncing');
    const started = performance.now();
    const taken = this.pending.take();
    try {
      if (!this.rules) throw new AgentError('INTERNAL', 'changes before the first reconcile');
      const { regions, local, localDirs } = await examineChanges(this.fs, taken, this.rules, this.spec, this.cache, this.book.knownDirs);
      const plan = planChanges({ regions, local, localDirs, known: this.book.known, knownDirs: this.book.knownDirs, maxFileBytes: this.maxFileBytes() });
      if (plan.skipped.length > 0) this.skippedEmitter.fire(plan.skipped);
      await this.execute(conn, plan.ops, 'changes', started, {});
    } catch (e) {
      this.pending.restore(taken);
      throw e;
    }
  }

  private async execute(conn: AgentConnection, ops: readonly PlanOp[], kind: SyncReport['kind'], started: number, phases: Record<string, number>): Promise<void> {
    const counts: OutcomeCounts = { written: 0, deleted: 0, renamed: 0, failed: 0 };
    const sendStart = performance.now();
    const report = await executePlan(
      conn,
      this.fs,
      ops,
      { maxBatchBytes: this.options.maxBatchBytes ?? 4 * 1024 * 1024, maxBatchOps: this.options.maxBatchOps ?? 1000, window: this.window, cache: this.cache },
      (o) => this.book.apply(o, counts),
    );
    this.window.clear();
    Object.assign(phases, { send: performance.now() - sendStart, read: report.timings.readMs, windowWait: report.timings.windowWaitMs, agentApply: report.timings.agentApplyMs });
    const changedSomething = counts.written + counts.deleted + counts.renamed > 0;
    this.syncedEmitter.fire({ kind, ...counts, payloadBytes: report.payloadBytes, wireBytes: report.wireBytes, durationMs: performance.now() - started, phases });
    if (changedSomething && this.options.runAfterSync && this.welcome?.hook) {
      this.runAfterSync().catch((e: unknown) => this.log.warn(`after-sync action: ${e instanceof Error ? e.message : String(e)}`));
    }
  }
}
