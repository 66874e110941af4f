import * as vscode from 'vscode';
import { type SyncSession } from './syncSession';

/** The running sync sessions of the extension's lifetime; each is disposed when stopped or at deactivation. */
export class SyncSessions implements vscode.Disposable {
  private readonly sessions = new Map<string, { session: SyncSession; subscription: vscode.Disposable }>();
  private readonly changeEmitter = new vscode.EventEmitter<void>();
  readonly onDidChange = this.changeEmitter.event;

  get all(): readonly SyncSession[] {
    return [...this.sessions.values()].map((e) => e.session);
  }

  get(key: string): SyncSession | undefined {
    return this.sessions.get(key)?.session;
  }

  add(session: SyncSession): void {
    this.stop(session.key);
    this.sessions.set(session.key, { session, subscription: session.onDidChange(() => this.changeEmitter.fire()) });
    this.changeEmitter.fire();
  }

  stop(key: string): boolean {
    const e = this.sessions.get(key);
    if (!e) return false;
    this.sessions.delete(key);
    e.subscription.dispose();
    e.session.dispose();
    this.changeEmitter.fire();
    return true;
  }

  dispose(): void {
    for (const key of [...this.sessions.keys()]) this.stop(key);
    this.changeEmitter.dispose();
  }
}
