import * as vscode from 'vscode';

/** Typed access to the `slice.*` settings, read fresh each time. */
export const settings = {
  kubeconfigPath(this: void): string | undefined {
    return vscode.workspace.getConfiguration('slice').get<string>('kubeconfig')?.trim() || undefined;
  },
  requestTimeoutMs(this: void): number {
    const s = vscode.workspace.getConfiguration('slice').get<number>('requestTimeoutSeconds', 10);
    return Math.min(120, Math.max(1, Number.isFinite(s) ? s : 10)) * 1000;
  },
};

export function affectsSlice(e: vscode.ConfigurationChangeEvent, ...keys: string[]): boolean {
  return keys.some((k) => e.affectsConfiguration(`slice.${k}`));
}
