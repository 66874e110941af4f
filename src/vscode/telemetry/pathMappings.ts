import * as vscode from 'vscode';
import { DEFAULT_CONTAINER_ROOT, type PathMappingEntry, folderMappings } from '../../core/telemetry/pathMapping';
import { SLICE_CONFIG_FILE, parseWorkspaceConfig } from '../../core/slice/workspaceConfig';

export { DEFAULT_CONTAINER_ROOT };

/**
 * The container → workspace path mappings of every workspace folder, read from each folder's
 * slice.yaml (see {@link folderMappings}). Keeps each folder's last mappings from a slice.yaml that
 * parsed: a typo keeps them rather than falling back to `/app` (which moved, and so wiped, the
 * telemetry shown on the code, and Undo could not bring it back).
 */
export class PathMappingsReader {
  private readonly lastGood = new Map<string, readonly PathMappingEntry[]>();

  async read(): Promise<PathMappingEntry[]> {
    const out: PathMappingEntry[] = [];
    for (const folder of vscode.workspace.workspaceFolders ?? []) {
      let text: string | undefined;
      try {
        text = new TextDecoder().decode(await vscode.workspace.fs.readFile(vscode.Uri.joinPath(folder.uri, SLICE_CONFIG_FILE)));
      } catch {
        text = undefined;
      }
      const parsed = text === undefined ? undefined : parseWorkspaceConfig(text);
      const syncs = parsed === undefined ? [] : parsed.ok ? parsed.config.forks.flatMap((f) => (f.sync ? [f.sync] : [])) : undefined;
      const key = folder.uri.toString();
      const r = folderMappings(folder.uri.fsPath, { text, syncs }, this.lastGood.get(key), (_root, rel) => vscode.Uri.joinPath(folder.uri, rel).fsPath);
      if (r.parsed) this.lastGood.set(key, r.mappings);
      out.push(...r.mappings);
    }
    return out;
  }
}
