import * as vscode from 'vscode';
import { type ILogger } from '../../core/base/logger';
import { type EnvironmentsModel } from '../../core/cluster/environmentsModel';
import { type Sessions } from '../../app/sessions';
import { type SyncSession } from '../../app/sync/syncSession';
import { type CommandRegistry } from '../commandRegistry';
import { registerSyncCommands } from './syncCommands';
import { SyncStatusBar } from './syncStatusBar';

/** What tests (and other extensions) can see of sync. */
export interface SyncApi {
  /** The running sync sessions, oldest first. */
  readonly sessions: () => readonly SyncSession[];
  readonly onDidChange: vscode.Event<void>;
}

/** Sync on save: the commands and the status bar item; the sessions themselves live in the app layer. */
export class SyncFeature implements vscode.Disposable {
  private readonly statusBar: SyncStatusBar;
  private readonly subscription: vscode.Disposable;
  readonly api: SyncApi;

  constructor(registry: CommandRegistry, model: EnvironmentsModel, sessions: () => Sessions, onDidChange: vscode.Event<void>, logger: ILogger) {
    this.api = { sessions: () => sessions().syncSessions, onDidChange };
    this.statusBar = new SyncStatusBar(this.api);
    registerSyncCommands(registry, model, sessions, logger);
    let running = false;
    this.subscription = onDidChange(() => {
      const now = this.api.sessions().length > 0;
      if (now === running) return;
      running = now;
      // `slice.syncRunning` enables Stop Sync and Reset Container to Local in menus and the palette
      void vscode.commands.executeCommand('setContext', 'slice.syncRunning', now);
    });
  }

  dispose(): void {
    this.subscription.dispose();
    this.statusBar.dispose();
  }
}
