import { type Change } from './coalescer';
import { type Manifest, type ManifestEntry, sameFile } from './manifest';
import { isUnder } from './paths';

export type PlanOp =
  | { readonly kind: 'write'; readonly entry: ManifestEntry }
  | { readonly kind: 'delete'; readonly path: string }
  | { readonly kind: 'rename'; readonly from: string; readonly entry: ManifestEntry };

/**
 * A file the sync manages that changed inside the container since the last acknowledged state
 * ('added': one the sync put there that local no longer has and that changed since). Reported;
 * overwritten only by the next local change or a reset.
 */
export interface DriftEntry {
  readonly path: string;
  readonly kind: 'modified' | 'added' | 'deleted';
  /** What local last had acknowledged for this path. */
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
  /** The local tree after ignore rules. */
  readonly local: Manifest;
  /** The container's tree, after the same ignore rules. */
  readonly remote: Manifest;
  /** What the agent last acknowledged per path (empty on the first connection). */
  readonly acked: Manifest;
  /**
   * Container paths the sync put there (the agent's provenance, plus this side's acknowledgements).
   * Every other container-only file came with the image or was made by the app: the sync neither
   * reports nor deletes it, not even on a reset.
   */
  readonly owned?: ReadonlySet<string>;
  /** Paths local deleted after the agent had them; a container copy there is deleted (it came back). */
  readonly deletedLocally?: ReadonlySet<string>;
  readonly maxFileBytes: number;
  /** "Reset container to local": overwrite drift and delete the container-only files the sync owns. */
  readonly reset?: boolean;
}

/**
 * The reconcile plan after (re)connecting or on reset. Local → container only:
 * - a local file differing from the container is written when local changed since the last ack
 *   (or was never acked); when only the container changed it is drift;
 * - a container file absent locally is deleted when local had it acknowledged (deleted locally
 *   since) or deleted it after an acknowledgement (it came back: a rescheduled pod's image); when the sync put it there but it is not acknowledged (it changed in the container,
 *   or this side forgot) it is drift ('added'), deleted only by a reset; a file the sync never
 *   put there (the image's, the app's) is left alone, even by a reset;
 * - files over the size cap are skipped with a reason.
 */
export function planFull(input: FullPlanInput): SyncPlan {
  const { local, remote, acked, owned = new Set<string>(), deletedLocally = new Set<string>(), maxFileBytes, reset = false } = input;
  const writes: ManifestEntry[] = [];
  const deletes: string[] = [];
  const drift: DriftEntry[] = [];
  const skipped: SkippedEntry[] = [];
  for (const l of local.values()) {
    const r = remote.get(l.path);
    if (sameFile(l, r)) continue;
    if (l.size > maxFileBytes) {
      skipped.push(tooLarge(l, maxFileBytes));
      continue;
    }
    const a = acked.get(l.path);
    if (reset || !a || !sameFile(l, a)) writes.push(l);
    else drift.push(r ? { path: l.path, kind: 'modified', expected: a, actual: r } : { path: l.path, kind: 'deleted', expected: a });
  }
  for (const r of remote.values()) {
    if (local.has(r.path)) continue;
    if (acked.has(r.path) || deletedLocally.has(r.path) || (reset && owned.has(r.path))) deletes.push(r.path);
    else if (owned.has(r.path)) drift.push({ path: r.path, kind: 'added', actual: r });
  }
  return { ops: withRenames(writes, deletes, remote), drift, skipped };
}

export interface ChangePlanInput {
  readonly changes: readonly Change[];
  /** The local state of every changed path now: an entry, or undefined when the file is gone. */
  readonly local: ReadonlyMap<string, ManifestEntry | undefined>;
  /** What the container holds as far as this side knows (last manifest + acknowledgements). */
  readonly known: Manifest;
  readonly maxFileBytes: number;
}

/** The plan for a coalesced set of local changes. Deleting a directory deletes the known files under it. */
export function planChanges(input: ChangePlanInput): SyncPlan {
  const { changes, local, known, maxFileBytes } = input;
  const writes: ManifestEntry[] = [];
  const deletes = new Set<string>();
  const skipped: SkippedEntry[] = [];
  const hints = new Map<string, string>();
  for (const c of changes) {
    const l = c.kind === 'upsert' ? local.get(c.path) : undefined;
    if (l) {
      if (sameFile(l, known.get(l.path))) continue;
      if (l.size > maxFileBytes) {
        skipped.push(tooLarge(l, maxFileBytes));
        continue;
      }
      writes.push(l);
      if (c.renamedFrom) hints.set(l.path, c.renamedFrom);
      continue;
    }
    if (known.has(c.path)) deletes.add(c.path);
    else for (const k of known.keys()) if (isUnder(k, c.path) && !local.get(k)) deletes.add(k);
  }
  for (const w of writes) deletes.delete(w.path);
  return { ops: withRenames(writes, [...deletes], known, hints), drift: [], skipped };
}

/**
 * Turns a write plus a delete of a file with the same contents into a move. Order: deletes, then
 * renames, then writes — so a file that became a directory (or back) is cleared before it is reused.
 */
function withRenames(writes: readonly ManifestEntry[], deletes: readonly string[], remote: Manifest, hints: ReadonlyMap<string, string> = new Map()): PlanOp[] {
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
    const candidates = (byHash.get(w.hash) ?? []).filter((d) => !consumed.has(d));
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
  return [...deleteOps, ...renames, ...plainWrites];
}

function tooLarge(e: ManifestEntry, max: number): SkippedEntry {
  return { path: e.path, size: e.size, reason: `${e.path} is ${formatBytes(e.size)}, over the ${formatBytes(max)} per-file limit of sync; add it to .sliceignore or raise the limit` };
}

export function formatBytes(n: number): string {
  if (n < 1024) return `${n} B`;
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(1)} KiB`;
  return `${(n / 1024 / 1024).toFixed(1)} MiB`;
}
