import { type ChangeSet } from '../../core/sync/coalescer';
import { type ContainerManifest, type Manifest, type ManifestEntry, type Written, writtenOf } from '../../core/sync/manifest';
import { isUnder, parentOf } from '../../core/sync/paths';
import { type OpOutcome } from '../../platform/agent-link/planExecutor';

export interface OpFailure {
  readonly path: string;
  readonly code: string;
  readonly message: string;
}

export interface OutcomeCounts {
  written: number;
  deleted: number;
  renamed: number;
  failed: number;
}

const GONE: Written = [null];

/**
 * The engine's book of the container: what it holds (`known`, `knownDirs`: the last manifest plus
 * every acknowledgement since), the agent's record of what the sync wrote and made there
 * (`written`, `made`: from the manifest, kept in step by acknowledgements), what both sides held
 * alike on this sync root (`acked`, `ackedDirs`), and what local had and deleted (kept across
 * sync roots: a fresh pod's image copy of such a path is deleted again). Never touches a file.
 */
export class SyncBook {
  known = new Map<string, ManifestEntry>();
  knownDirs = new Set<string>();
  written = new Map<string, Written>();
  made = new Set<string>();
  readonly acked = new Map<string, ManifestEntry>();
  readonly ackedDirs = new Set<string>();
  readonly deletedLocally = new Set<string>();
  readonly deletedDirs = new Set<string>();
  private rootId: string | undefined;

  constructor(
    private readonly pending: ChangeSet,
    private readonly onFailed: (f: OpFailure) => void,
  ) {}

  /**
   * The sync root of the agent just reached (WELCOME's rootId). On a new one (the pod was
   * replaced: a fresh copy of the image) nothing confirmed on the old root holds; what local had
   * is remembered as such, so an image copy of a path local no longer has is deleted.
   */
  enterRoot(rootId: string): boolean {
    const changed = this.rootId !== undefined && this.rootId !== rootId;
    if (changed) {
      for (const p of this.acked.keys()) this.deletedLocally.add(p);
      for (const d of this.ackedDirs) this.deletedDirs.add(d);
      this.acked.clear();
      this.ackedDirs.clear();
    }
    this.rootId = rootId;
    return changed;
  }

  adoptManifest(m: ContainerManifest): void {
    this.known = m.files;
    this.knownDirs = m.dirs;
    this.written = m.written;
    this.made = m.made;
  }

  /** Directories local had: acknowledged, confirmed or deleted since. */
  dirsLocalHad(): Set<string> {
    return new Set([...this.ackedDirs, ...this.deletedDirs]);
  }

  /** Local files and directories the container already holds alike count as acknowledged. */
  confirmMatches(local: Manifest, localDirs: ReadonlySet<string>): void {
    for (const l of local.values()) {
      const r = this.known.get(l.path);
      if (r && r.hash === l.hash && r.size === l.size) this.acked.set(l.path, l);
    }
    for (const d of localDirs) if (this.knownDirs.has(d)) this.ackedDirs.add(d);
  }

  apply(o: OpOutcome, counts: OutcomeCounts): void {
    const { op, result } = o;
    if (result.ok) {
      switch (op.kind) {
        case 'write':
          this.set({ ...(o.sent ?? op.entry), hash: result.hash ?? (o.sent ?? op.entry).hash });
          counts.written++;
          return;
        case 'delete':
          this.gone(op.path);
          counts.deleted++;
          return;
        case 'rename':
          this.gone(op.from);
          this.set(op.entry);
          counts.renamed++;
          return;
        case 'mkdir':
          this.dirAt(op.path);
          this.made.add(op.path);
          return;
        case 'rmdir':
          this.knownDirs.delete(op.path);
          this.ackedDirs.delete(op.path);
          this.made.delete(op.path);
          this.deletedDirs.add(op.path);
          return;
      }
    }
    if (op.kind === 'rmdir' && result.code === 'NOT_EMPTY') return; // kept: it holds what the sync does not manage
    if (o.vanished) {
      this.pending.delete(result.path);
      return;
    }
    if (op.kind === 'rename' && (result.code === 'HASH_MISMATCH' || result.code === 'NOT_FOUND')) {
      // The container's copy moved or changed: fall back to sending the bytes and deleting the source.
      this.pending.upsert(op.entry.path);
      this.pending.delete(op.from);
      this.known.delete(op.entry.path);
      if (result.code === 'NOT_FOUND') this.known.delete(op.from);
      return;
    }
    counts.failed++;
    this.onFailed({ path: result.path, code: result.code, message: result.message });
  }

  private set(e: ManifestEntry): void {
    this.dirAt(parentOf(e.path));
    this.dropDirsAt(e.path);
    this.deletedLocally.delete(e.path);
    this.known.set(e.path, e);
    this.acked.set(e.path, e);
    this.written.set(e.path, [writtenOf(e)]);
  }

  private gone(path: string): void {
    this.known.delete(path);
    this.acked.delete(path);
    this.written.set(path, GONE);
    this.deletedLocally.add(path);
  }

  /** `dir` and its parents are directories in the container now (a file in the way was replaced). */
  private dirAt(dir: string): void {
    for (let d = dir; d !== ''; d = parentOf(d)) {
      if (this.known.has(d)) {
        this.known.delete(d);
        this.acked.delete(d);
        this.written.set(d, GONE);
      }
      this.knownDirs.add(d);
      this.ackedDirs.add(d);
      this.deletedDirs.delete(d);
    }
  }

  /** A file replaced whatever directory tree was at `path`. */
  private dropDirsAt(path: string): void {
    if (!this.knownDirs.has(path)) return;
    for (const d of [...this.knownDirs]) {
      if (!isUnder(d, path)) continue;
      this.knownDirs.delete(d);
      this.ackedDirs.delete(d);
      this.made.delete(d);
    }
    for (const k of [...this.known.keys()]) {
      if (!isUnder(k, path)) continue;
      this.known.delete(k);
      this.acked.delete(k);
      this.written.set(k, GONE);
    }
  }
}
