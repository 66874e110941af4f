import { type KubeConfig } from '@kubernetes/client-node';
import * as vscode from 'vscode';
import { type ILogger } from '../../core/base/logger';
import { type HookResultMeta } from '../../core/agent/messages';
import { type DriftEntry } from '../../core/sync/planner';
import { type OpFailure, SyncEngine, type SyncReport, type SyncState } from '../../platform/agent-link/syncEngine';
import { PortForwardTransport, type PortForwardError } from '../../platform/agent-link/portForwardTransport';
import { type AgentError } from '../../core/agent/errors';

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
  readonly kubeConfig: KubeConfig;
  readonly ignorePatterns: readonly string[];
  readonly logger: ILogger;
  readonly requestTimeoutMs: number;
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
 * One fork kept in sync with a local folder: a SyncEngine through a port-forward as the user, fed by
 * VS Code saves and by file-system events (git checkout, outside edits). Reads local files only.
 */
export class SyncSession implements vscode.Disposable {
  readonly key: string;
  readonly transport: PortForwardTransport;
  readonly engine: SyncEngine;
  private readonly subscriptions: vscode.Disposable[] = [];
  private readonly changeEmitter = new vscode.EventEmitter<SyncSession>();
  private readonly driftEmitter = new vscode.EventEmitter<readonly DriftEntry[]>();
  private readonly failedEmitter = new vscode.EventEmitter<OpFailure>();
  private readonly connectFailedEmitter = new vscode.EventEmitter<PortForwardError | AgentError>();
  /** Any change of state, timing, drift or error. */
  readonly onDidChange = this.changeEmitter.event;
  readonly onDrift = this.driftEmitter.event;
  readonly onOpFailed = this.failedEmitter.event;
  readonly onConnectFailed = this.connectFailedEmitter.event;
  private firstChangeAt: number | undefined;
  private status: SyncStatus = { state: 'disconnected', pod: undefined, lastLatencyMs: undefined, lastSyncAt: undefined, lastReport: undefined, lastError: undefined, drift: [], lastHook: undefined };
  private disposed = false;

  constructor(
    readonly target: SyncTarget,
    private readonly deps: SyncSessionDeps,
  ) {
    this.key = sessionKey(target.contextName, target.namespace, target.workload);
    const log = deps.logger;
    this.transport = new PortForwardTransport({ kubeConfig: deps.kubeConfig, namespace: target.namespace, workload: target.workload, logger: log, requestTimeoutMs: deps.requestTimeoutMs });
    const label = `sync ${target.workload}`;
    this.engine = new SyncEngine({ transport: this.transport, localRoot: target.localRoot, ignorePatterns: deps.ignorePatterns, runAfterSync: target.runAfterSync, logger: log, label, clientName: `slice-vscode ${vscode.version}` });
    const e = this.engine;
    // A new pod is a new sync root (a fresh copy of the image): the engine's reconcile puts the local tree back.
    e.podOf = () => this.transport.currentPod;
    this.subscriptions.push(
      toVs(e.onStateChange((state) => this.update({ state, ...(state === 'idle' ? { lastError: undefined } : {}) }))),
      toVs(this.transport.onPodResolved((pod) => this.update({ pod }))),
      // The engine logs a failed connect once per change of reason; here it only shows.
      toVs(this.transport.onConnectFailed((err) => {
        this.update({ lastError: err.message });
        this.connectFailedEmitter.fire(err);
      })),
      toVs(this.transport.onWaiting((message) => {
        log.info(`${label}: ${message}`);
        this.update({ lastError: message });
      })),
      toVs(e.onConnected((w) => log.info(`${label}: ${w.description} (agent ${w.agentVersion}, protocol ${w.version})`))),
      toVs(e.onSynced((r) => this.synced(r))),
      toVs(e.onDrift((drift) => {
        this.update({ drift });
        if (drift.length > 0) {
          log.warn(`sync ${target.workload}: ${drift.length} file(s) differ in the container: ${drift.slice(0, 10).map((d) => `${d.path} (${d.kind})`).join(', ')}`);
          this.driftEmitter.fire(drift);
        }
      })),
      toVs(e.onSkipped((skipped) => log.warn(`sync ${target.workload}: not synced: ${skipped.map((s) => `${s.path} (${s.reason})`).join(', ')}`))),
      toVs(e.onOpFailed((f) => {
        log.error(`sync ${target.workload}: ${f.path}: ${f.code} ${f.message}`);
        this.update({ lastError: `${f.path}: ${f.message}` });
        this.failedEmitter.fire(f);
      })),
      toVs(e.onHookResult((h) => {
        const outcome = hookSummary(h);
        const line = `sync ${target.workload}: after-sync action ${outcome}${h.outputTail ? `\n${h.outputTail.trimEnd()}` : ''}`;
        if (h.ran && h.exitCode === 0) log.info(line);
        else log.warn(line);
        this.update({ lastHook: h });
      })),
    );
  }

  get current(): SyncStatus {
    return this.status;
  }

  start(): void {
    const root = vscode.Uri.file(this.target.localRoot);
    const watcher = vscode.workspace.createFileSystemWatcher(new vscode.RelativePattern(root, '**/*'));
    this.subscriptions.push(
      watcher,
      watcher.onDidCreate((u) => this.upsert(u.fsPath)),
      watcher.onDidChange((u) => this.upsert(u.fsPath)),
      watcher.onDidDelete((u) => this.deleted(u.fsPath)),
      vscode.workspace.onDidSaveTextDocument((d) => d.uri.scheme === 'file' && this.upsert(d.uri.fsPath)),
    );
    this.deps.logger.info(`sync ${this.target.workload}: ${this.target.localRoot} → ${this.target.namespace}/${this.target.workload}:${this.target.containerPath}`);
    this.engine.start();
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    for (const d of this.subscriptions.splice(0)) d.dispose();
    this.engine.dispose();
    this.transport.dispose();
    for (const em of [this.changeEmitter, this.driftEmitter, this.failedEmitter, this.connectFailedEmitter]) em.dispose();
  }

  private update(patch: Partial<SyncStatus>): void {
    if (this.disposed) return;
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

  /** A created or changed path, file or directory: the engine looks at what it is now (a directory with all under it, empty ones included). */
  private upsert(abs: string): void {
    const rel = this.engine.syncPath(abs);
    if (rel === undefined || this.disposed || isGitInternal(rel)) return;
    this.firstChangeAt ??= performance.now();
    this.engine.notifyChanged([rel]);
  }

  private deleted(abs: string): void {
    const rel = this.engine.syncPath(abs);
    if (rel === undefined || this.disposed || isGitInternal(rel)) return;
    this.firstChangeAt ??= performance.now();
    this.engine.notifyDeleted([rel]);
  }
}

export function sessionKey(contextName: string, namespace: string, workload: string): string {
  return `${contextName}/${namespace}/${workload}`;
}

export function hookSummary(h: HookResultMeta): string {
  if (!h.ran) return `did not run${h.error ? `: ${h.error}` : ''}`;
  if (h.timedOut) return `timed out after ${h.durationMs.toFixed(0)} ms`;
  return `${h.exitCode === 0 ? 'succeeded' : `failed (${h.exitCode ?? h.signal ?? '?'})`} in ${h.durationMs.toFixed(0)} ms`;
}

function isGitInternal(rel: string): boolean {
  return rel === '.git' || rel.startsWith('.git/');
}

function toVs(d: { dispose(): void }): vscode.Disposable {
  return { dispose: () => d.dispose() };
}
