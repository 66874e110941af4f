import * as vscode from 'vscode';
import { type ILogger } from '../../core/base/logger';
import { type EnvironmentsModel } from '../../core/cluster/environmentsModel';
import { type KubeClients } from '../../platform/kube/kubeClients';
import { type CommandRegistry } from '../commandRegistry';
import { registerSyncCommands } from './syncCommands';
import { type SyncSession } from './syncSession';
import { SyncSessions } from './syncSessions';
import { SyncStatusBar } from './syncStatusBar';

/** What tests (and other extensions) can see of sync. */
export interface SyncApi {
  /** The running sync sessions, oldest first. */
  readonly sessions: () => readonly SyncSession[];
  readonly onDidChange: vscode.Event<void>;
}

/** Sync on save: the commands, the running sessions and their status bar item. */
export class SyncFeature implements vscode.Disposable {
  private readonly sessions = new SyncSessions();
  private readonly statusBar = new SyncStatusBar(this.sessions);
  readonly api: SyncApi = { sessions: () => this.sessions.all, onDidChange: this.sessions.onDidChange };

  constructor(registry: CommandRegistry, model: EnvironmentsModel, clients: KubeClients, logger: ILogger) {
    registerSyncCommands(registry, model, clients, this.sessions, logger);
    let running = false;
    this.subscription = this.sessions.onDidChange(() => {
      const now = this.sessions.all.length > 0;
      if (now === running) return;
      running = now;
      // `slice.syncRunning` enables Stop Sync and Reset Container to Local in menus and the palette
      void vscode.commands.executeCommand('setContext', 'slice.syncRunning', now);
    });
  }

  private readonly subscription: vscode.Disposable;

  dispose(): void {
    this.subscription.dispose();
    this.statusBar.dispose();
    this.sessions.dispose();
  }
}
