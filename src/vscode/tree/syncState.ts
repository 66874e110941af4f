import * as vscode from 'vscode';
import { type SyncApi } from '../sync/syncFeature';
import { type SyncBadge, type SyncStatePort } from './workloadItems';

/**
 * The Environments tree's view of the running sync sessions. Created before the sync feature (the
 * tree exists first) and attached to it once it exists.
 */
export class SyncStateBridge implements SyncStatePort, vscode.Disposable {
  private api: SyncApi | undefined;
  private subscription: vscode.Disposable | undefined;
  private readonly emitter = new vscode.EventEmitter<void>();
  readonly onDidChange = this.emitter.event;

  attach(api: SyncApi): void {
    this.subscription?.dispose();
    this.api = api;
    this.subscription = api.onDidChange(() => this.emitter.fire());
    this.emitter.fire();
  }

  state(contextName: string, namespace: string, workload: string): SyncBadge | undefined {
    const s = this.api?.sessions().find((x) => x.target.contextName === contextName && x.target.namespace === namespace && x.target.workload === workload);
    if (!s) return undefined;
    const c = s.current;
    return { state: c.state, latencyMs: c.lastLatencyMs, drift: c.drift.length, error: c.lastError };
  }

  dispose(): void {
    this.subscription?.dispose();
    this.emitter.dispose();
  }
}
