/** One regular file as both sides describe it: path relative to the sync root, '/'-separated. */
export interface ManifestEntry {
  readonly path: string;
  readonly size: number;
  /** Permission bits (mode & 0o777); undefined where the file system has none worth keeping (Windows). */
  readonly mode?: number;
  /** Lower-case hex sha256 of the contents, computed by the edges; the core compares strings. */
  readonly hash: string;
}

export type Manifest = ReadonlyMap<string, ManifestEntry>;

/** The compact wire form of an entry: [path, size, mode (-1 = none), hash]. */
export type WireEntry = readonly [string, number, number, string];

/**
 * Who put a container file there (protocol 2, the agent's MANIFEST): NotSynced — the image or
 * the app, never the sync; Synced — the sync, and it still holds exactly what the sync wrote;
 * SyncedChanged — the sync wrote it, and it changed in the container since.
 */
export const Provenance = { NotSynced: 0, Synced: 1, SyncedChanged: 2 } as const;
export type Provenance = (typeof Provenance)[keyof typeof Provenance];

/** A MANIFEST entry of protocol 2: the wire entry plus its Provenance. */
export type ProvenancedWireEntry = readonly [string, number, number, string, Provenance];

export function isProvenance(v: unknown): v is Provenance {
  return v === 0 || v === 1 || v === 2;
}

export function manifestOf(entries: Iterable<ManifestEntry>): Map<string, ManifestEntry> {
  const m = new Map<string, ManifestEntry>();
  for (const e of entries) m.set(e.path, e);
  return m;
}

export function toWire(e: ManifestEntry): WireEntry {
  return [e.path, e.size, e.mode ?? -1, e.hash];
}

export function fromWire(w: WireEntry): ManifestEntry {
  return w[2] < 0 ? { path: w[0], size: w[1], hash: w[3] } : { path: w[0], size: w[1], mode: w[2], hash: w[3] };
}

/** Same contents and, where both know one, the same permission bits. */
export function sameFile(a: ManifestEntry | undefined, b: ManifestEntry | undefined): boolean {
  if (!a || !b) return a === b;
  return a.hash === b.hash && a.size === b.size && (a.mode === undefined || b.mode === undefined || a.mode === b.mode);
}
