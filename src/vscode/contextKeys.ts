import * as vscode from 'vscode';

/** Every context key Slice sets, with the values it may take. `when` clauses in package.json use these. */
export interface SliceContextKeys {
  'slice.kubeconfigState': 'loading' | 'missing' | 'invalid' | 'ok';
  'slice.clusterState': 'none' | 'connecting' | 'ok' | 'failed';
  /** Why the selected cluster failed; each value has its own welcome view. */
  'slice.clusterProblem': 'none' | 'unreachable' | 'timeout' | 'tls' | 'unauthorized' | 'forbidden' | 'other';
}

/** Sets context keys, skipping writes that would not change anything. */
export class ContextKeys {
  private readonly values = new Map<string, unknown>();

  async set<K extends keyof SliceContextKeys>(key: K, value: SliceContextKeys[K]): Promise<void> {
    if (this.values.get(key) === value) return;
    this.values.set(key, value);
    await vscode.commands.executeCommand('setContext', key, value);
  }

  get<K extends keyof SliceContextKeys>(key: K): SliceContextKeys[K] | undefined {
    return this.values.get(key) as SliceContextKeys[K] | undefined;
  }
}
