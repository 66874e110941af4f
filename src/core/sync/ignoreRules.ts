import ignore, { type Ignore } from 'ignore';
import { isUnder } from './paths';

/**
 * Where ignore rules come from, in a form that travels in a MANIFEST_REQUEST so the agent skips
 * the same paths (it must not hash the container's node_modules, nor report it as drift).
 */
export interface IgnoreSpec {
  /** Root-relative patterns from `.sliceignore` and the settings; they override the gitignores. */
  readonly patterns: readonly string[];
  /** Each `.gitignore` found, by the directory that holds it ('' for the root). */
  readonly gitignores: readonly { readonly dir: string; readonly content: string }[];
}

export const EMPTY_IGNORE_SPEC: IgnoreSpec = { patterns: [], gitignores: [] };

/** Segments never synced, whatever the rules say. */
const ALWAYS_IGNORED = new Set(['.git']);

interface Layer {
  readonly dir: string;
  readonly ig: Ignore;
  readonly dirIgnored: Map<string, boolean>;
}

type Verdict = 'exclude' | 'include' | 'none';

/**
 * Gitignore matching (the `ignore` package) layered the way a developer expects: `.gitignore`
 * files from the root down, the deeper one winning, then `.sliceignore` and settings on top — so
 * `!dist/` in `.sliceignore` syncs a build output that git ignores. A path inside an ignored
 * directory is ignored.
 */
export class IgnoreRules {
  private readonly layers: Layer[];
  private readonly dirVerdicts = new Map<string, boolean>();

  constructor(readonly spec: IgnoreSpec) {
    const gitLayers = [...spec.gitignores]
      .sort((a, b) => depth(a.dir) - depth(b.dir))
      .map((g) => layer(g.dir, g.content));
    this.layers = [...gitLayers, layer('', spec.patterns.join('\n'))];
  }

  /** True when `path` (relative, '/'-separated; `isDir` for a directory) must not be synced. */
  isIgnored(path: string, isDir = false): boolean {
    const segments = path.split('/');
    if (segments.some((s) => ALWAYS_IGNORED.has(s))) return true;
    let prefix = '';
    for (let i = 0; i < segments.length - 1; i++) {
      prefix = prefix ? `${prefix}/${segments[i]}` : (segments[i] ?? '');
      if (this.dirIgnored(prefix)) return true;
    }
    return isDir ? this.dirIgnored(path) : this.decide(path, false);
  }

  private dirIgnored(dir: string): boolean {
    let v = this.dirVerdicts.get(dir);
    if (v === undefined) {
      v = this.decide(dir, true);
      this.dirVerdicts.set(dir, v);
    }
    return v;
  }

  private decide(path: string, isDir: boolean): boolean {
    let ignored = false;
    for (const l of this.layers) {
      if (!isUnder(path, l.dir) || path === l.dir) continue;
      const v = verdict(l, l.dir ? path.slice(l.dir.length + 1) : path, isDir);
      if (v === 'exclude') ignored = true;
      else if (v === 'include') ignored = false;
    }
    return ignored;
  }
}

function layer(dir: string, content: string): Layer {
  return { dir, ig: ignore({ allowRelativePaths: false }).add(content), dirIgnored: new Map() };
}

/** This layer's opinion of the path itself, not inherited from a parent directory it ignores. */
function verdict(l: Layer, rel: string, isDir: boolean): Verdict {
  const r = l.ig.test(isDir ? `${rel}/` : rel);
  if (r.unignored) return 'include';
  if (!r.ignored) return 'none';
  let prefix = '';
  const segments = rel.split('/');
  for (let i = 0; i < segments.length - 1; i++) {
    prefix = prefix ? `${prefix}/${segments[i]}` : (segments[i] ?? '');
    let v = l.dirIgnored.get(prefix);
    if (v === undefined) {
      v = l.ig.test(`${prefix}/`).ignored;
      l.dirIgnored.set(prefix, v);
    }
    if (v) return 'none';
  }
  return 'exclude';
}

function depth(dir: string): number {
  return dir === '' ? 0 : dir.split('/').length;
}
