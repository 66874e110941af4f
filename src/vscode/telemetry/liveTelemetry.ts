import * as vscode from 'vscode';
import { CancelledError, UserError } from '../../core/base/errors';
import { type ILogger } from '../../core/base/logger';
import { type EnvironmentsModel } from '../../core/cluster/environmentsModel';
import { NotCurrentIdentityError, forkKey } from '../../app/fork/forkSession';
import { type LiveProblem, type LiveTelemetrySession, type LiveTarget } from '../../app/fork/liveTelemetrySession';
import { type Sessions } from '../../app/sessions';
import { type CommandRegistry, Commands } from '../commandRegistry';
import { pickSlice } from '../slicePicker';
import { type LiveSessionFacts } from '../../core/telemetry/liveSummary';
import { sayDone } from '../sayDone';

/** The sync sessions as this feature sees them (SyncApi). */
export interface SyncSessionsView {
  readonly sessions: () => readonly { readonly target: { readonly contextName: string; readonly sliceLabel: string; readonly namespace: string; readonly workload: string } }[];
  readonly onDidChange: vscode.Event<void>;
}

/** What tests can see of live telemetry. */
export interface LiveTelemetryApi {
  readonly sessions: () => readonly LiveTelemetrySession[];
}

/** What the Traces & Errors view shows of live telemetry. */
export interface LiveTelemetryView {
  /** The sessions' facts, in start order. */
  readonly facts: () => readonly (LiveSessionFacts & { readonly key: string })[];
  /** A session started or stopped, a link changed state, a payload was refused. */
  readonly onDidChange: vscode.Event<void>;
}

const ACTIONS: Record<LiveProblem['kind'], string[]> = {
  agentGone: ['Show Logs', 'Stop Telemetry'],
  forbidden: ['Select Cluster', 'Show Logs'],
  podNotFound: ['Show Logs', 'Stop Telemetry'],
  tokenMissing: ['Show Logs'],
  logsForbidden: ['Show Logs'],
};

/**
 * Live telemetry from forked workloads, as the editor shows it: started with each sync session of a
 * slice workload (setting `slice.telemetry.streamOnSync`) or by Slice: Stream Telemetry, stopped
 * with the sync session that started it or by Slice: Stop Telemetry. The sessions live in the app
 * layer (on the fork's one connection) and end by themselves with their slice or identity, quietly.
 */
export class LiveTelemetry implements vscode.Disposable {
  private readonly sessions = new Map<string, { session: LiveTelemetrySession; bySync: boolean; subscription: { dispose(): void } }>();
  private readonly subscriptions: vscode.Disposable[] = [];
  private readonly changes = new vscode.EventEmitter<void>();
  readonly api: LiveTelemetryApi = { sessions: () => [...this.sessions.values()].map((e) => e.session) };
  readonly view: LiveTelemetryView = {
    facts: () => [...this.sessions.values()].map((e) => ({ ...e.session.facts(), key: e.session.key })),
    onDidChange: this.changes.event,
  };

  constructor(
    registry: CommandRegistry,
    private readonly model: EnvironmentsModel,
    private readonly app: () => Sessions,
    private readonly logger: ILogger,
    sync: SyncSessionsView,
  ) {
    registry.register(Commands.streamTelemetry, async (arg?: unknown, workloadArg?: unknown) => {
      const { context, slice } = await pickSlice(model, arg, 'stream telemetry from');
      const label = slice.sliceName ?? slice.namespace;
      const forks = slice.resource.forkNames;
      if (forks.length === 0) throw new UserError(`Slice ${label} forks no workload: telemetry is relayed by the agent beside a forked workload. Add a fork to slice.yaml and create the slice again.`);
      const workload = typeof workloadArg === 'string' && forks.includes(workloadArg) ? workloadArg : await pickWorkload(forks, label);
      const key = this.start({ contextName: context.name, sliceLabel: label, namespace: slice.namespace, workload, baseline: slice.baseline }, false);
      sayDone(`Slice: streaming telemetry from ${workload} (slice ${label}). Traces, errors and logs appear on your code as they arrive.`);
      return key;
    });
    registry.register(Commands.stopTelemetry, async (arg?: unknown) => {
      const key = await this.pickRunning(arg);
      this.stop(key);
      return key;
    });
    this.subscriptions.push(sync.onDidChange(() => this.followSync(sync)));
  }

  /** Starts (or keeps) the session of a workload; returns its key. */
  start(target: LiveTarget, bySync: boolean): string {
    const key = forkKey(target.contextName, target.namespace, target.workload);
    const existing = this.sessions.get(key);
    if (existing) {
      if (!bySync) existing.bySync = false;
      return key;
    }
    const context = this.model.state.cluster.status === 'ok' ? this.model.state.cluster.context : undefined;
    if (!context || context.name !== target.contextName) throw new UserError(`Select the cluster context ${target.contextName} first: telemetry streams through it.`, ['selectCluster']);
    let session: LiveTelemetrySession;
    try {
      session = this.app().startTelemetry(target);
    } catch (e) {
      if (e instanceof NotCurrentIdentityError) throw new UserError(`Cannot stream telemetry from ${target.workload}: ${e.message}.`, ['selectCluster']);
      throw e;
    }
    const subs = [
      session.onProblem((p) => this.tell(p, key)),
      session.onDidChange(() => this.changes.fire()),
      // ended by itself (slice gone, identity changed) or by stop(): leave the list, quietly
      session.onDidEnd(() => this.forget(key, session)),
    ];
    this.sessions.set(key, { session, bySync, subscription: { dispose: () => subs.forEach((d) => d.dispose()) } });
    this.logger.info(`telemetry ${target.workload}: streaming from ${target.namespace}${bySync ? ' (with sync)' : ''}`);
    this.changed();
    return key;
  }

  stop(key: string): boolean {
    const e = this.sessions.get(key);
    if (!e) return false;
    e.session.dispose();
    this.forget(key, e.session);
    return true;
  }

  private forget(key: string, session: LiveTelemetrySession): void {
    const e = this.sessions.get(key);
    if (e?.session !== session) return;
    this.sessions.delete(key);
    e.subscription.dispose();
    this.changed();
  }

  dispose(): void {
    for (const s of this.subscriptions.splice(0)) s.dispose();
    for (const key of [...this.sessions.keys()]) this.stop(key);
    this.changes.dispose();
  }

  private changed(): void {
    // `slice.telemetryStreaming` enables Stop Telemetry in menus and the palette
    void vscode.commands.executeCommand('setContext', 'slice.telemetryStreaming', this.sessions.size > 0);
    this.changes.fire();
  }

  /** A sync session started: stream its workload's telemetry; one stopped: stop what it started. */
  private followSync(sync: SyncSessionsView): void {
    const syncing = new Map(sync.sessions().map((s) => [forkKey(s.target.contextName, s.target.namespace, s.target.workload), s.target]));
    for (const [key, e] of [...this.sessions]) if (e.bySync && !syncing.has(key)) this.stop(key);
    if (!vscode.workspace.getConfiguration('slice.telemetry').get<boolean>('streamOnSync', true)) return;
    for (const [key, t] of syncing) {
      if (this.sessions.has(key)) continue;
      try {
        this.start({ ...t, baseline: this.baselineOf(t.namespace) }, true);
      } catch (e) {
        this.logger.warn(`telemetry ${t.workload}: not streamed with sync: ${e instanceof Error ? e.message : String(e)}`);
      }
    }
  }

  private baselineOf(namespace: string): string | undefined {
    const c = this.model.state.cluster;
    if (c.status !== 'ok') return undefined;
    const env = c.environments.find((e) => e.kind === 'slice' && e.namespace === namespace);
    return env?.kind === 'slice' ? env.baseline : undefined;
  }

  private tell(p: LiveProblem, key: string): void {
    const text = `Slice telemetry: ${p.message}${p.kind === 'agentGone' || p.kind === 'podNotFound' ? ' Retrying in the background.' : ''}`;
    const show = p.kind === 'forbidden' || p.kind === 'tokenMissing' ? vscode.window.showErrorMessage : vscode.window.showWarningMessage;
    void show(text, ...ACTIONS[p.kind]).then((a) => {
      if (a === 'Show Logs') void vscode.commands.executeCommand(Commands.showLogs);
      else if (a === 'Select Cluster') void vscode.commands.executeCommand(Commands.selectCluster);
      else if (a === 'Stop Telemetry') this.stop(key);
    });
  }

  private async pickRunning(arg: unknown): Promise<string> {
    if (typeof arg === 'string' && this.sessions.has(arg)) return arg;
    // a row of the Traces & Errors view
    const rowKey = (arg as { kind?: unknown; key?: unknown } | undefined)?.kind === 'live' ? (arg as { key?: unknown }).key : undefined;
    if (typeof rowKey === 'string' && this.sessions.has(rowKey)) return rowKey;
    const ns = namespaceOf(arg);
    const all = [...this.sessions.values()].map((e) => e.session).filter((s) => !ns || s.target.namespace === ns);
    if (all.length === 0) throw new UserError('No telemetry is streaming. Start it with "Slice: Stream Telemetry" (it also starts with Start Sync).');
    if (all.length === 1) return all[0]!.key;
    const picked = await vscode.window.showQuickPick(all.map((s) => ({ label: s.target.workload, description: `slice ${s.target.sliceLabel}`, key: s.key })), { title: 'Slice: Stop Telemetry', placeHolder: 'Which workload should stop streaming?' });
    if (!picked) throw new CancelledError();
    return picked.key;
  }
}

async function pickWorkload(forks: readonly string[], label: string): Promise<string> {
  if (forks.length === 1) return forks[0]!;
  const picked = await vscode.window.showQuickPick(forks.map((w) => ({ label: w })), { title: `Slice: Stream Telemetry (${label})`, placeHolder: 'Which forked workload?' });
  if (!picked) throw new CancelledError();
  return picked.label;
}

function namespaceOf(arg: unknown): string | undefined {
  if (!arg || typeof arg !== 'object') return undefined;
  const node = arg as { kind?: unknown; environment?: { namespace?: unknown } };
  return node.kind === 'environment' && typeof node.environment?.namespace === 'string' ? node.environment.namespace : undefined;
}
