import * as vscode from 'vscode';
import { DisposableStore, type IDisposable } from '../core/base/disposable';

/**
 * Watches the kubeconfig files in use (they live outside the workspace) and calls back, debounced,
 * when one changes, appears or goes away, so `kubectl config use-context` or a credential refresh
 * shows up without a manual refresh.
 */
export class KubeconfigWatcher implements IDisposable {
  private readonly watchers = new DisposableStore('kubeconfig watchers');
  private timer: ReturnType<typeof setTimeout> | undefined;
  private watched = '';

  constructor(
    private readonly onChange: () => void,
    private readonly debounceMs = 300,
  ) {}

  /** Watches exactly these files (existing or expected); a no-op if the set did not change. */
  watch(files: readonly string[]): void {
    const key = [...files].sort().join('\n');
    if (key === this.watched) return;
    this.watched = key;
    this.watchers.clear();
    for (const file of files) {
      const uri = vscode.Uri.file(file); // its path is '/'-separated on every platform
      const w = vscode.workspace.createFileSystemWatcher(new vscode.RelativePattern(vscode.Uri.joinPath(uri, '..'), uri.path.slice(uri.path.lastIndexOf('/') + 1)));
      const fire = () => this.schedule();
      this.watchers.add(w.onDidChange(fire));
      this.watchers.add(w.onDidCreate(fire));
      this.watchers.add(w.onDidDelete(fire));
      this.watchers.add(w);
    }
  }

  private schedule(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.onChange();
    }, this.debounceMs);
  }

  dispose(): void {
    if (this.timer) clearTimeout(this.timer);
    this.watchers.dispose();
  }
}
