import { type Manifest, type ManifestEntry, type Written, holdsWritten, sameFile } from './manifest';
import { isUnder } from './paths';

export type PlanOp =
  | { readonly kind: 'write'; readonly entry: ManifestEntry }
  | { readonly kind: 'delete'; readonly path: string }
  | { readonly kind: 'rename'; readonly from: string; readonly entry: ManifestEntry }
  | { readonly kind: 'mkdir'; readonly path: string }
  | { readonly kind: 'rmdir'; readonly path: string };

/**
 * A file that changed inside the container since the sync wrote it (or since both sides last
 * matched), while local did not change. Reported; overwritten only by the next local change to
 * it or a reset. 'added': the container has a file there that local does not.
 */
export interface DriftEntry {
  readonly path: string;
  readonly kind: 'modified' | 'added' | 'deleted';
  /** What local has (and the sync last left there). */
  readonly expected?: ManifestEntry;
  /** What the container has now. */
  readonly actual?: ManifestEntry;
}

export interface SkippedEntry {
  readonly path: string;
  readonly size: number;
  readonly reason: string;
}

export interface SyncPlan {
  readonly ops: readonly PlanOp[];
  readonly drift: readonly DriftEntry[];
  readonly skipped: readonly SkippedEntry[];
}

export interface FullPlanInput {
  /** The local tree after ignore rules: files and directories. */
  readonly local: Manifest;
  readonly localDirs: ReadonlySet<string>;
  /** The container's tree after the same rules. */
  readonly remote: Manifest;
  readonly remoteDirs: ReadonlySet<string>;
  /** The agent's record: what the sync may have left at each path it touched on this sync root. */
  readonly written: ReadonlyMap<string, Written>;
  /** Directories the sync made on this sync root. */
  readonly made: ReadonlySet<string>;
  /** Files both sides held alike, as this side knows, on this sync root (acknowledged or confirmed). */
  readonly acked: Manifest;
  /**
   * Paths local had and no longer has (deleted, or known on an earlier sync root): a container copy
   * the sync did not write — a fresh pod's image — is deleted.
   */
  readonly deletedLocally?: ReadonlySet<string>;
  /** Directories local had (acknowledged, confirmed or deleted since): one only the container has is removed. */
  readonly dirsLocalHad?: ReadonlySet<string>;
  readonly maxFileBytes: number;
  /** "Reset container to local": drift is overwritten, and the sync's container-only files deleted. */
  readonly reset?: boolean;
}

/**
 * The reconcile after every (re)connect and on reset; the rule (docs/agent-protocol.md), per path:
 * 1. the container holds what the sync left there (a candidate of the agent's record, a deletion
 *    included): the container follows local, whatever local is now — a revert included;
 * 2. the sync wrote the path but the container holds something else: changed in the container.
 *    A local file that differs from what the sync left is a newer local change and is written;
 *    otherwise it is drift (reported, kept until the next local change or a reset);
 * 3. no record (the image's file, the app's, or one that matched local from the start): a local
 *    file is written, unless it is what both sides held alike on this sync root and the container
 *    changed it (drift); a container-only file is deleted when local had it, else left alone,
 *    even by a reset.
 * Directories follow local; a container-only directory is removed (when empty) if the sync made it
 * or local had it. Files over the size cap are skipped with a reason.
 */
export function planFull(input: FullPlanInput): SyncPlan {
  const { local, remote, written, acked, deletedLocally = new Set<string>(), maxFileBytes, reset = false } = input;
  const writes: ManifestEntry[] = [];
  const deletes: string[] = [];
  const drift: DriftEntry[] = [];
  const skipped: SkippedEntry[] = [];
  const paths = new Set([...local.keys(), ...remote.keys(), ...written.keys()]);
  for (const path of paths) {
    const l = local.get(path);
    const r = remote.get(path);
    if (sameFile(l, r)) continue;
    if (l && l.size > maxFileBytes) {
      skipped.push(tooLarge(l, maxFileBytes));
      continue;
    }
    const w = written.get(path);
    const follow = reset || (w ? holdsWritten(w, r) || (l !== undefined && !holdsWritten(w, l)) : l !== undefined && !sameFile(l, acked.get(path)));
    if (follow) {
      if (l) writes.push(l);
      else if (w || acked.has(path) || deletedLocally.has(path)) deletes.push(path);
    } else if (w || l) {
      drift.push(driftOf(path, l, r));
    } else if (acked.has(path) || deletedLocally.has(path)) {
      deletes.push(path);
    }
  }
  const { localDirs, remoteDirs, made, dirsLocalHad = new Set<string>() } = input;
  const mkdirs = [...localDirs].filter((d) => !remoteDirs.has(d));
  const rmdirs = [...remoteDirs].filter((d) => !localDirs.has(d) && (made.has(d) || dirsLocalHad.has(d)));
  return { ops: ordered(writes, deletes, remote, new Map(), mkdirs, rmdirs), drift, skipped };
}

function driftOf(path: string, l: ManifestEntry | undefined, r: ManifestEntry | undefined): DriftEntry {
  const kind = !r ? 'deleted' : l ? 'modified' : 'added';
  return { path, kind, ...(l ? { expected: l } : {}), ...(r ? { actual: r } : {}) };
}

/** A path the engine looked at after local changes: the path and, for a directory, all under it. */
export interface ChangeRegion {
  readonly path: string;
  /** The region was moved here from this path (a rename): its files are moved, not sent again. */
  readonly renamedFrom?: string;
}

export interface ChangePlanInput {
  readonly regions: readonly ChangeRegion[];
  /** The local files and directories inside the regions now (after ignore rules). */
  readonly local: Manifest;
  readonly localDirs: ReadonlySet<string>;
  /** What the container holds as far as this side knows (last manifest + acknowledgements). */
  readonly known: Manifest;
  readonly knownDirs: ReadonlySet<string>;
  readonly maxFileBytes: number;
}

/**
 * The plan for a coalesced set of local changes: inside each region the container is made to
 * match local as far as this side knows it — files written or deleted (moved where the contents
 * match), directories made or removed.
 */
export function planChanges(input: ChangePlanInput): SyncPlan {
  const { regions, local, localDirs, known, knownDirs, maxFileBytes } = input;
  const writes: ManifestEntry[] = [];
  const deletes = new Set<string>();
  const rmdirs = new Set<string>();
  const skipped: SkippedEntry[] = [];
  const hints = new Map<string, string>();
  for (const l of local.values()) {
    if (sameFile(l, known.get(l.path))) continue;
    if (l.size > maxFileBytes) skipped.push(tooLarge(l, maxFileBytes));
    else writes.push(l);
  }
  for (const region of regions) {
    const p = region.path;
    if (known.has(p) && !local.has(p)) deletes.add(p);
    if (region.renamedFrom !== undefined) {
      const from = region.renamedFrom;
      for (const l of local.values()) if (isUnder(l.path, p)) hints.set(l.path, from + l.path.slice(p.length));
    }
    if (!knownDirs.has(p)) continue;
    for (const k of known.keys()) if (isUnder(k, p) && !local.has(k)) deletes.add(k);
    for (const d of knownDirs) if (isUnder(d, p) && !localDirs.has(d)) rmdirs.add(d);
  }
  const mkdirs = [...localDirs].filter((d) => !knownDirs.has(d));
  return { ops: ordered(writes, [...deletes], known, hints, mkdirs, [...rmdirs]), drift: [], skipped };
}

const depth = (p: string): number => p.split('/').length;

/**
 * Turns a write plus a delete of a file with the same contents into a move. Order: deletes,
 * renames, directory removals (deepest first), directory creations (shallowest first), writes —
 * so a moved directory's files leave before it is removed, and a path that switched between file
 * and directory is cleared before it is reused.
 */
function ordered(writes: readonly ManifestEntry[], deletes: readonly string[], remote: Manifest, hints: ReadonlyMap<string, string>, mkdirs: readonly string[], rmdirs: readonly string[]): PlanOp[] {
  const byHash = new Map<string, string[]>();
  for (const d of deletes) {
    const r = remote.get(d);
    if (!r) continue;
    const list = byHash.get(r.hash) ?? [];
    list.push(d);
    byHash.set(r.hash, list);
  }
  const consumed = new Set<string>();
  const renames: PlanOp[] = [];
  const plainWrites: PlanOp[] = [];
  for (const w of writes) {
    // A move keeps the file's mode: only a source with the mode local has now will do; and never
    // onto the directory that holds the source (a directory became a file with its only file's contents).
    const candidates = (byHash.get(w.hash) ?? []).filter((d) => !consumed.has(d) && !isUnder(d, w.path) && sameFile({ ...w, path: d }, remote.get(d)));
    const hinted = hints.get(w.path);
    const from = hinted && candidates.includes(hinted) ? hinted : candidates[0];
    if (from !== undefined && w.size > 0) {
      consumed.add(from);
      renames.push({ kind: 'rename', from, entry: w });
    } else {
      plainWrites.push({ kind: 'write', entry: w });
    }
  }
  const deleteOps: PlanOp[] = deletes.filter((d) => !consumed.has(d)).map((path) => ({ kind: 'delete', path }));
  const rmdirOps: PlanOp[] = [...rmdirs].sort((a, b) => depth(b) - depth(a) || (a < b ? -1 : 1)).map((path) => ({ kind: 'rmdir', path }));
  const mkdirOps: PlanOp[] = [...mkdirs].sort((a, b) => depth(a) - depth(b) || (a < b ? -1 : 1)).map((path) => ({ kind: 'mkdir', path }));
  return [...deleteOps, ...renames, ...rmdirOps, ...mkdirOps, ...plainWrites];
}

function tooLarge(e: ManifestEntry, max: number): SkippedEntry {
  return { path: e.path, size: e.size, reason: `${e.path} is ${formatBytes(e.size)}, over the ${formatBytes(max)} per-file limit of sync; add it to .sliceignore or raise the limit` };
}

export function formatBytes(n: number): string {
  if (n < 1024) return `${n} B`;
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(1)} KiB`;
  return `${(n / 1024 / 1024).toFixed(1)} MiB`;
}
