import { type Change } from '../../core/sync/coalescer';
import { type IgnoreRules, type IgnoreSpec } from '../../core/sync/ignoreRules';
import { type ManifestEntry } from '../../core/sync/manifest';
import { parentOf } from '../../core/sync/paths';
import { type ChangeRegion } from '../../core/sync/planner';
import { type HashCache, entryOf, scanTree } from '../../core/sync/scanner';
import { type LocalTreeFs } from './localTreeFs';

export interface ExaminedChanges {
  readonly regions: ChangeRegion[];
  /** The local files and directories inside the regions now, after the ignore rules. */
  readonly local: Map<string, ManifestEntry>;
  readonly localDirs: Set<string>;
}

/**
 * Looks at what each changed path is locally now, whatever the event said: a file (its entry), a
 * directory (every file and directory under it, so an empty one is made and a moved one moves),
 * or nothing (a region to clear). Ignored paths are left out; a rename's source that is ignored
 * only loses its hint. A parent directory the container does not have yet is made even when no
 * event named it (mkdir -p, then the inner directory removed).
 */
export async function examineChanges(fs: LocalTreeFs, changes: readonly Change[], rules: IgnoreRules, spec: IgnoreSpec, cache: HashCache, knownDirs: ReadonlySet<string>): Promise<ExaminedChanges> {
  const regions: ChangeRegion[] = [];
  const local = new Map<string, ManifestEntry>();
  const localDirs = new Set<string>();
  for (const c of changes) {
    for (let d = parentOf(c.path); d !== '' && !knownDirs.has(d) && !localDirs.has(d); d = parentOf(d)) {
      if (fs.kindSync(d) === 'dir' && !rules.isIgnored(d, true)) localDirs.add(d);
    }
    const kind = fs.kindSync(c.path);
    if (kind === 'dir' && !rules.isIgnored(c.path, true)) {
      const sub = await scanTree(fs, { spec, rules, under: c.path, discoverGitignores: false, cache });
      for (const e of sub.manifest.values()) local.set(e.path, e);
      for (const d of sub.dirs) localDirs.add(d);
    } else if (kind === 'file' && !rules.isIgnored(c.path)) {
      const e = await entryOf(fs, c.path, cache);
      if (e) local.set(c.path, e);
    }
    // Still a region when what is there now is ignored: the container may hold the synced other kind (build/ was a file).
    if (rules.isIgnored(c.path) && rules.isIgnored(c.path, true)) continue;
    const from = c.renamedFrom !== undefined && !rules.isIgnored(c.renamedFrom) && !rules.isIgnored(c.renamedFrom, true) ? c.renamedFrom : undefined;
    regions.push(from === undefined ? { path: c.path } : { path: c.path, renamedFrom: from });
  }
  return { regions, local, localDirs };
}
