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

/** A file the sync may have left at a path: its size (-1: not known, the hash says it), mode (-1: any, the write did not set one) and hash. */
export interface WrittenFile {
  readonly size: number;
  readonly mode: number;
  readonly hash: string;
}

/**
 * The agent's record of one path (protocol 3): what the sync may have left there — one of these
 * files, or nothing (null: the sync deleted it or moved it away). One candidate once an operation's
 * outcome is known; two while a batch that changes the path is being applied (written ahead, so
 * an agent killed mid-batch still knows both). No record: the sync never touched the path on this
 * sync root (the image's file, the app's, or one that matched local from the start).
 */
export type Written = readonly (WrittenFile | null)[];

/**
 * The candidate "whatever the path held before the sync first touched it" (the image's file, or
 * none): written ahead beside a batch's new state for a path without a record, so that an agent
 * killed before the operation leaves a state that still counts as the sync's.
 */
export const PRIOR: WrittenFile = { size: -1, mode: -1, hash: '*' };

/** The compact wire form of a candidate: [size, mode, hash] or null. */
export type WireWritten = readonly [string, readonly (readonly [number, number, string] | null)[]];

/**
 * The container as the agent reports it (MANIFEST, protocol 3), after the client's ignore rules:
 * its files and directories, and its record of what the sync wrote and which directories it made.
 */
export interface ContainerManifest {
  readonly files: Map<string, ManifestEntry>;
  readonly dirs: Set<string>;
  readonly written: Map<string, Written>;
  readonly made: Set<string>;
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

/** The record of a file as the sync left it. */
export function writtenOf(e: { readonly size: number; readonly mode?: number; readonly hash: string }): WrittenFile {
  return { size: e.size, mode: e.mode ?? -1, hash: e.hash };
}

/** True when `e` (undefined: no file) is one of the things the sync may have left at the path. */
export function holdsWritten(w: Written, e: ManifestEntry | undefined): boolean {
  return w.some((c) => (c === null ? e === undefined : c.hash === PRIOR.hash || (e !== undefined && c.hash === e.hash && (c.size < 0 || c.size === e.size) && (c.mode < 0 || e.mode === undefined || c.mode === e.mode))));
}
