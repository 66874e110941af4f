import { type ChangeSet } from '../../core/sync/coalescer';
import { type Manifest, type ManifestEntry, Provenance, type ProvenancedWireEntry, fromWire } from '../../core/sync/manifest';
import { type OpOutcome } from './planExecutor';

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

/**
 * The engine's book of the container: what it holds (`known`: the last manifest plus every
 * acknowledgement since), what the agent acknowledged per path (`acked`, kept across reconnects
 * and agent restarts) and which container files the sync put there (`owned`, from the manifest's
 * provenance). Never touches a file.
 */
export class SyncBook {
  known = new Map<string, ManifestEntry>();
  readonly acked = new Map<string, ManifestEntry>();
  owned = new Set<string>();
  /**
   * Paths local deleted (or moved away) after the agent had them: a copy that comes back in the
   * container — a rescheduled pod's fresh copy of the image — is deleted again, even by a reset.
   */
  readonly deletedLocally = new Set<string>();

  constructor(
    private readonly pending: ChangeSet,
    private readonly onFailed: (f: OpFailure) => void,
  ) {}

  /**
   * Takes the agent's manifest. A file the agent reports as still exactly what the sync wrote
   * counts as acknowledged when this side has no acknowledgement of its own for it — after an
   * editor restart this is how the engine remembers what it had synced (a file deleted locally
   * meanwhile is then deleted in the container; an unchanged one is not sent again).
   */
  adoptManifest(entries: readonly ProvenancedWireEntry[]): void {
    this.known = new Map();
    this.owned = new Set();
    for (const w of entries) {
      const e = fromWire([w[0], w[1], w[2], w[3]]);
      this.known.set(e.path, e);
      if (w[4] === Provenance.NotSynced) continue;
      this.owned.add(e.path);
      if (w[4] === Provenance.Synced && !this.acked.has(e.path)) this.acked.set(e.path, e);
    }
  }

  /** Local files the container already holds byte for byte count as acknowledged. */
  confirmMatches(local: Manifest): void {
    for (const l of local.values()) {
      const r = this.known.get(l.path);
      if (r && r.hash === l.hash && r.size === l.size) this.acked.set(l.path, l);
    }
  }

  apply(o: OpOutcome, counts: OutcomeCounts): void {
    const { op, result } = o;
    if (result.ok) {
      if (op.kind === 'write') {
        const entry = { ...(o.sent ?? op.entry), hash: result.hash ?? (o.sent ?? op.entry).hash };
        this.set(entry);
        counts.written++;
      } else if (op.kind === 'delete') {
        this.drop(op.path);
        this.deletedLocally.add(op.path);
        counts.deleted++;
      } else {
        this.drop(op.from);
        this.deletedLocally.add(op.from);
        this.set(op.entry);
        counts.renamed++;
      }
      return;
    }
    if (o.vanished) {
      this.pending.delete(result.path);
      return;
    }
    if (op.kind === 'rename' && (result.code === 'HASH_MISMATCH' || result.code === 'NOT_FOUND')) {
      // The container's copy moved or changed: fall back to sending the bytes and deleting the source.
      this.pending.upsert(op.entry.path);
      this.pending.delete(op.from);
      this.known.delete(op.entry.path);
      return;
    }
    counts.failed++;
    this.onFailed({ path: result.path, code: result.code, message: result.message });
  }

  private set(e: ManifestEntry): void {
    this.deletedLocally.delete(e.path);
    this.known.set(e.path, e);
    this.acked.set(e.path, e);
    this.owned.add(e.path);
  }

  private drop(path: string): void {
    this.known.delete(path);
    this.acked.delete(path);
    this.owned.delete(path);
  }
}
