/**
 * Container paths to workspace paths, from the sync mapping of the slice config
 * (`[{ containerPath: '/app', localPath: '/home/u/proj/svc' }]`): the longest matching container
 * prefix wins. `file://` URLs, `./`, `..`, doubled and Windows separators are normalised. Paths
 * outside every mapping map to nothing; dependency and runtime paths inside one (node_modules,
 * site-packages, vendor) map but are marked as not user code.
 */

/** One entry of the sync mapping. */
export interface PathMappingEntry {
  /** Absolute path in the container (POSIX). */
  readonly containerPath: string;
  /** Absolute workspace path (POSIX or Windows). */
  readonly localPath: string;
}

/** A container path mapped into the workspace. */
export interface MappedPath {
  /** The workspace path, with the separators of the mapping's `localPath`. */
  readonly localPath: string;
  /** False for dependencies inside the mapped tree (node_modules, site-packages, vendor, .venv). */
  readonly userCode: boolean;
}

/** Path segments that mark code that is not the user's own. */
export const DEPENDENCY_SEGMENTS: readonly string[] = ['node_modules', 'site-packages', 'dist-packages', 'vendor', '.venv', 'venv', '__pypackages__'];

/** A POSIX-style absolute or relative path: `/` separators, no `.`/empty segments, `..` resolved. */
export function normalizePath(p: string): string {
  let s = p;
  if (s.startsWith('file://')) {
    s = s.slice(7);
    if (s.startsWith('localhost/')) s = s.slice(9);
    try {
      s = decodeURIComponent(s);
    } catch {
      // keep it as it is
    }
  }
  if (s.includes('\\')) s = s.replace(/\\/g, '/');
  if (/^\/[A-Za-z]:\//.test(s)) s = s.slice(1);
  const absolute = s.startsWith('/');
  const drive = /^[A-Za-z]:\//.test(s) ? s.slice(0, 2) : '';
  const parts: string[] = [];
  for (const seg of (drive ? s.slice(3) : s).split('/')) {
    if (seg === '' || seg === '.') continue;
    if (seg === '..') {
      if (parts.length > 0 && parts[parts.length - 1] !== '..') parts.pop();
      else if (!absolute && !drive) parts.push('..');
      continue;
    }
    parts.push(seg);
  }
  const body = parts.join('/');
  if (drive) return `${drive}/${body}`;
  return absolute ? `/${body}` : body;
}

interface Entry {
  /** Normalised, without a trailing slash ('' for the root). */
  readonly container: string;
  readonly local: string;
  readonly sep: '/' | '\\';
}

const CACHE_LIMIT = 4096;

/** Maps container paths to workspace paths. Immutable; build a new one when the mapping changes. */
export class PathMapper {
  private readonly entries: readonly Entry[];
  private readonly cache = new Map<string, MappedPath | null>();

  constructor(mappings: readonly PathMappingEntry[]) {
    this.entries = mappings
      .map((m) => {
        const container = normalizePath(m.containerPath).replace(/\/$/, '');
        const windows = m.localPath.includes('\\') && !m.localPath.includes('/');
        let local = m.localPath.replace(/[\\/]+$/, '');
        if (local === '') local = m.localPath.slice(0, 1);
        return { container: container === '/' ? '' : container, local, sep: windows ? ('\\' as const) : ('/' as const) };
      })
      .sort((a, b) => b.container.length - a.container.length);
  }

  /**
   * The workspace path of a container path (absolute, or relative to the first mapping's
   * container path), or undefined when no mapping covers it.
   */
  map(containerPath: string): MappedPath | undefined {
    const hit = this.cache.get(containerPath);
    if (hit !== undefined) return hit ?? undefined;
    const result = this.compute(containerPath);
    if (this.cache.size >= CACHE_LIMIT) this.cache.clear();
    this.cache.set(containerPath, result ?? null);
    return result;
  }

  /** Shorthand for `map(p)?.localPath`. */
  toLocal(containerPath: string): string | undefined {
    return this.map(containerPath)?.localPath;
  }

  private compute(containerPath: string): MappedPath | undefined {
    if (containerPath.length === 0 || this.entries.length === 0) return undefined;
    let p = normalizePath(containerPath);
    if (p.length === 0) return undefined;
    if (!p.startsWith('/') && !/^[A-Za-z]:\//.test(p)) {
      if (p.startsWith('..')) return undefined;
      // relative: to the working directory, taken to be the first mapping's container path
      p = `${this.entries[this.entries.length - 1]!.container}/${p}`;
    }
    for (const e of this.entries) {
      if (e.container === '' || p === e.container || p.startsWith(`${e.container}/`)) {
        const rest = p.slice(e.container.length + 1);
        if (rest.length === 0) return undefined; // the root itself is not a file
        const segments = rest.split('/');
        const userCode = !segments.some((s) => DEPENDENCY_SEGMENTS.includes(s));
        return { localPath: e.sep === '/' ? `${e.local}/${rest}` : `${e.local}\\${segments.join('\\')}`, userCode };
      }
    }
    return undefined;
  }
}

/** Where the forked app runs its code when slice.yaml says nothing else. */
export const DEFAULT_CONTAINER_ROOT = '/app';

/** A workspace folder's slice.yaml as read: its text (undefined: no file) and, when it parses, each fork's sync mapping. */
export interface FolderConfig {
  readonly text: string | undefined;
  /** Undefined when the text does not parse (a typo while editing). */
  readonly syncs: readonly { readonly local: string; readonly container: string }[] | undefined;
}

/**
 * The container → workspace mappings of one workspace folder: each fork's `sync` from slice.yaml,
 * and `/app` → the folder root unless a fork maps `/app`. A slice.yaml that does not parse (a typo
 * being typed, a half-saved file) changes nothing: the folder keeps `lastGood`, its mappings from
 * the last slice.yaml that parsed (issue 20 item 6: a typo must not move, and so wipe, the
 * telemetry shown on the code). `join` makes a workspace path of the root and a relative path.
 */
export function folderMappings(root: string, config: FolderConfig, lastGood: readonly PathMappingEntry[] | undefined, join: (root: string, relative: string) => string): { readonly mappings: readonly PathMappingEntry[]; readonly parsed: boolean } {
  if (config.text !== undefined && config.syncs === undefined && lastGood) return { mappings: lastGood, parsed: false };
  const out: PathMappingEntry[] = [];
  for (const s of config.syncs ?? []) {
    const local = s.local.replace(/^\.\/?/, '').replace(/[\\/]+$/, '');
    out.push({ containerPath: s.container, localPath: local ? join(root, local) : root });
  }
  if (!out.some((m) => m.containerPath === DEFAULT_CONTAINER_ROOT)) out.push({ containerPath: DEFAULT_CONTAINER_ROOT, localPath: root });
  return { mappings: out, parsed: config.text === undefined || config.syncs !== undefined };
}
