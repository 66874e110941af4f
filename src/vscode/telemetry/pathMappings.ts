import * as vscode from 'vscode';
import { type PathMappingEntry } from '../../core/telemetry';
import { SLICE_CONFIG_FILE, parseWorkspaceConfig } from '../../core/slice/workspaceConfig';

/** Where the forked app runs its code when slice.yaml says nothing else. */
export const DEFAULT_CONTAINER_ROOT = '/app';

/**
 * The container → workspace path mappings of every workspace folder: each fork's `sync`
 * ({local, container}) from slice.yaml when present, and `/app` → the folder root otherwise.
 */
export async function loadPathMappings(): Promise<PathMappingEntry[]> {
  const out: PathMappingEntry[] = [];
  for (const folder of vscode.workspace.workspaceFolders ?? []) {
    const root = folder.uri.fsPath;
    let text: string | undefined;
    try {
      text = new TextDecoder().decode(await vscode.workspace.fs.readFile(vscode.Uri.joinPath(folder.uri, SLICE_CONFIG_FILE)));
    } catch {
      text = undefined;
    }
    const parsed = text === undefined ? undefined : parseWorkspaceConfig(text);
    if (parsed?.ok) {
      for (const f of parsed.config.forks) {
        if (!f.sync) continue;
        const local = f.sync.local.replace(/^\.\/?/, '').replace(/[\\/]+$/, '');
        out.push({ containerPath: f.sync.container, localPath: local ? vscode.Uri.joinPath(folder.uri, local).fsPath : root });
      }
    }
    if (!out.some((m) => m.containerPath === DEFAULT_CONTAINER_ROOT)) out.push({ containerPath: DEFAULT_CONTAINER_ROOT, localPath: root });
  }
  return out;
}
