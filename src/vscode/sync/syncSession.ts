import * as vscode from 'vscode';
import { forkKey } from '../../app/fork/forkSession';
import { type SyncSession } from '../../app/sync/syncSession';

/** The key of a fork's sync session (the tree's Stop Sync passes it). */
export function sessionKey(contextName: string, namespace: string, workload: string): string {
  return forkKey(contextName, namespace, workload);
}

/**
 * Feeds a sync session with the editor's view of the local folder: saves, and file-system events
 * (git checkout, outside edits). Disposed when the session ends.
 */
export function watchLocalChanges(session: SyncSession): vscode.Disposable {
  const root = vscode.Uri.file(session.target.localRoot);
  const watcher = vscode.workspace.createFileSystemWatcher(new vscode.RelativePattern(root, '**/*'));
  const all = vscode.Disposable.from(
    watcher,
    watcher.onDidCreate((u) => session.changed(u.fsPath)),
    watcher.onDidChange((u) => session.changed(u.fsPath)),
    watcher.onDidDelete((u) => session.deleted(u.fsPath)),
    vscode.workspace.onDidSaveTextDocument((d) => d.uri.scheme === 'file' && session.changed(d.uri.fsPath)),
  );
  session.lifetime.add(all);
  return all;
}
