import { type ManifestEntry } from './manifest';
import { IgnoreRules, type IgnoreSpec } from './ignoreRules';

export interface TreeDirEntry {
  readonly name: string;
  readonly kind: 'file' | 'dir' | 'symlink' | 'other';
}

export interface TreeStat {
  readonly size: number;
  readonly mtimeMs: number;
  /** The inode, where there is one: a file moved over another with the same size and mtime is another file. */
  readonly ino?: number;
  /** Permission bits, or undefined where the platform has none worth keeping. */
  readonly mode?: number;
}

/** The file-system port of a scan; paths are relative to the tree's root, '' is the root. */
export interface TreeFs {
  readDir(dir: string): Promise<readonly TreeDirEntry[]>;
  /** lstat of a regular file; undefined when it is gone or not a regular file. */
  stat(path: string): Promise<TreeStat | undefined>;
  /**
   * The same, synchronously (optional): a local lstat costs microseconds, far less than a
   * thread-pool round trip per file; scanTree then stats in short slices (see ScanOptions.yieldNow).
   */
  statSync?(path: string): TreeStat | undefined;
  /** Lower-case hex sha256 of the file's contents. */
  hash(path: string): Promise<string>;
  /** The file as UTF-8, or undefined when absent. */
  readText(path: string): Promise<string | undefined>;
}

/**
 * File times tick coarsely (a kernel tick, up to a few ms): a file written again within the same
 * tick, at the same size, keeps its mtime. A hash taken this soon after the file's mtime is not
 * trusted later (git's "racily clean" rule), so such a second write is never missed.
 */
const RACY_MS = 25;

/** Hashes remembered by mtime+size(+inode), so an unchanged tree rescans with stats only. */
export class HashCache {
  private readonly byPath = new Map<string, { size: number; mtimeMs: number; ino: number | undefined; hash: string; racy: boolean }>();

  constructor(private readonly now: () => number = Date.now) {}

  get(path: string, stat: TreeStat): string | undefined {
    const c = this.byPath.get(path);
    return c && !c.racy && c.size === stat.size && c.mtimeMs === stat.mtimeMs && c.ino === stat.ino ? c.hash : undefined;
  }

  set(path: string, stat: TreeStat, hash: string): void {
    this.byPath.set(path, { size: stat.size, mtimeMs: stat.mtimeMs, ino: stat.ino, hash, racy: this.now() - stat.mtimeMs < RACY_MS });
  }

  delete(path: string): void {
    this.byPath.delete(path);
  }

  get size(): number {
    return this.byPath.size;
  }
}

/** Reads one file's manifest entry (hash from the cache when mtime and size match); undefined when gone. */
export async function entryOf(fs: TreeFs, path: string, cache: HashCache | undefined, hashNow = true): Promise<ManifestEntry | undefined> {
  const stat = await fs.stat(path);
  if (!stat) return undefined;
  let hash = cache?.get(path, stat);
  if (hash === undefined && !hashNow) {
    hash = UNHASHED;
  } else if (hash === undefined) {
    hash = await fs.hash(path);
    cache?.set(path, stat, hash);
  }
  return stat.mode === undefined ? { path, size: stat.size, hash } : { path, size: stat.size, mode: stat.mode, hash };
}

export interface ScanOptions {
  readonly spec: IgnoreSpec;
  /** Ready-made rules for `spec` (a scan of part of the tree with the rules of the last full scan). */
  readonly rules?: IgnoreRules;
  /** Scans only this directory and what is under it ('' or absent: the whole tree). */
  readonly under?: string;
  /** Read `.gitignore` files while walking and add them to the spec (the local side does; the agent is told). */
  readonly discoverGitignores: boolean;
  readonly cache?: HashCache;
  /** Names the scan never lists (the agent's own temp files). */
  readonly skipName?: (name: string) => boolean;
  readonly concurrency?: number;
  /**
   * With a TreeFs that has statSync: gives the event loop a turn (e.g. setImmediate); the scan
   * stats synchronously for at most `sliceMs` (default 8) between two turns.
   */
  readonly yieldNow?: () => Promise<void>;
  readonly sliceMs?: number;
  /**
   * false: stat only; an entry whose hash is not cached gets UNHASHED, to be hashed later by
   * hashWhere() (only where a comparison needs it) or when its bytes are read to be sent.
   */
  readonly hash?: boolean;
}

/** The hash of an entry not hashed yet (scanTree with `hash: false`). */
export const UNHASHED = '';

export interface ScanResult {
  readonly manifest: Map<string, ManifestEntry>;
  /** The directories (not ignored), the scanned one included unless it is the root. */
  readonly dirs: Set<string>;
  readonly spec: IgnoreSpec;
  readonly rules: IgnoreRules;
}

/** Walks the tree (never following symlinks), applies the ignore rules and hashes regular files. */
export async function scanTree(fs: TreeFs, options: ScanOptions): Promise<ScanResult> {
  const gitignores = [...options.spec.gitignores];
  let rules = options.rules ?? new IgnoreRules(options.spec);
  const files: string[] = [];
  const start = options.under ?? '';
  const dirs = [start];
  const seenDirs = new Set<string>(start === '' ? [] : [start]);
  while (dirs.length > 0) {
    const dir = dirs.shift() ?? '';
    const entries = await fs.readDir(dir);
    if (options.discoverGitignores && entries.some((e) => e.name === '.gitignore' && e.kind === 'file')) {
      const content = await fs.readText(dir ? `${dir}/.gitignore` : '.gitignore');
      if (content !== undefined) {
        gitignores.push({ dir, content });
        rules = new IgnoreRules({ patterns: options.spec.patterns, gitignores });
      }
    }
    for (const e of entries) {
      if (options.skipName?.(e.name)) continue;
      const path = dir ? `${dir}/${e.name}` : e.name;
      if (e.kind === 'dir' && !rules.isIgnored(path, true)) {
        dirs.push(path);
        seenDirs.add(path);
      } else if (e.kind === 'file' && !rules.isIgnored(path)) files.push(path);
    }
  }
  const manifest = new Map<string, ManifestEntry>();
  const { yieldNow } = options;
  if (fs.statSync && yieldNow && options.hash === false) {
    await statInSlices(fs, files, manifest, options.cache, yieldNow, options.sliceMs ?? 8);
    return { manifest, dirs: seenDirs, spec: { patterns: options.spec.patterns, gitignores }, rules };
  }
  let next = 0;
  const worker = async () => {
    while (next < files.length) {
      const path = files[next++] ?? '';
      const entry = await entryOf(fs, path, options.cache, options.hash !== false);
      if (entry) manifest.set(path, entry);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, options.concurrency ?? 16) }, worker));
  return { manifest, dirs: seenDirs, spec: { patterns: options.spec.patterns, gitignores }, rules };
}

/** Stats-only scan through statSync: entries with cached hashes or UNHASHED, a turn of the event loop every `sliceMs`. */
async function statInSlices(fs: TreeFs & { statSync?(path: string): TreeStat | undefined }, files: readonly string[], manifest: Map<string, ManifestEntry>, cache: HashCache | undefined, yieldNow: () => Promise<void>, sliceMs: number): Promise<void> {
  let slice = Date.now();
  for (const path of files) {
    if (Date.now() - slice > sliceMs) {
      await yieldNow();
      slice = Date.now();
    }
    const stat = fs.statSync?.(path);
    if (!stat) continue;
    const hash = cache?.get(path, stat) ?? UNHASHED;
    manifest.set(path, stat.mode === undefined ? { path, size: stat.size, hash } : { path, size: stat.size, mode: stat.mode, hash });
  }
}

/**
 * Hashes the UNHASHED entries of `manifest` that `needed` selects (in place), `concurrency` at a
 * time; an entry whose file vanished is dropped.
 */
export async function hashWhere(fs: TreeFs, manifest: Map<string, ManifestEntry>, cache: HashCache | undefined, needed: (e: ManifestEntry) => boolean, concurrency = 16): Promise<number> {
  const todo = [...manifest.values()].filter((e) => e.hash === UNHASHED && needed(e)).map((e) => e.path);
  let next = 0;
  const worker = async () => {
    while (next < todo.length) {
      const path = todo[next++] ?? '';
      const entry = await entryOf(fs, path, cache);
      if (entry) manifest.set(path, entry);
      else manifest.delete(path);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, concurrency) }, worker));
  return todo.length;
}
