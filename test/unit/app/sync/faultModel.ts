import { createHash } from 'node:crypto';
import { chmodSync, lstatSync, mkdirSync, readFileSync, readdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { type IgnoreRules } from '../../../../src/core/sync/ignoreRules';

/** mulberry32: a small seeded PRNG, so a schedule replays from its seed. */
export class Rand {
  private s: number;
  constructor(seed: number) {
    this.s = seed >>> 0;
  }

  next(): number {
    this.s = (this.s + 0x6d2b79f5) >>> 0;
    let t = this.s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  int(n: number): number {
    return Math.floor(this.next() * n);
  }

  chance(p: number): boolean {
    return this.next() < p;
  }

  pick<T>(items: readonly T[]): T {
    const v = items[this.int(items.length)];
    if (v === undefined) throw new Error('pick from an empty list');
    return v;
  }
}

export interface Notify {
  notifyChanged(paths: readonly string[]): void;
  notifyDeleted(paths: readonly string[]): void;
  notifyRenamed(from: string, to: string): void;
}

/** Files (path → sha256:mode) and directories of a tree, after ignore rules. */
export interface TreeView {
  readonly files: Map<string, string>;
  readonly dirs: Set<string>;
}

export function viewOf(root: string, rules: IgnoreRules): TreeView {
  const files = new Map<string, string>();
  const dirs = new Set<string>();
  const walk = (abs: string, rel: string) => {
    for (const name of readdirSync(abs).sort()) {
      const r = rel ? `${rel}/${name}` : name;
      const st = lstatSync(join(abs, name));
      if (st.isDirectory()) {
        if (rules.isIgnored(r, true)) continue;
        dirs.add(r);
        walk(join(abs, name), r);
      } else if (st.isFile() && !rules.isIgnored(r)) {
        files.set(r, `${createHash('sha256').update(readFileSync(join(abs, name))).digest('hex').slice(0, 12)}:${(st.mode & 0o777).toString(8)}`);
      }
    }
  };
  walk(root, '');
  return { files, dirs };
}

/** Every entry's identity, mode, size and mtime: any write to the tree changes it. */
export function statState(root: string): string {
  const out: string[] = [];
  const walk = (abs: string) => {
    for (const name of readdirSync(abs)) {
      const p = join(abs, name);
      const st = lstatSync(p);
      out.push(`${p}|${st.ino}|${st.mode}|${st.size}|${st.mtimeMs}`);
      if (st.isDirectory()) walk(p);
    }
  };
  walk(root);
  return out.sort().join('\n');
}

/** What differs between two views, in words (empty: equal). */
export function differences(expected: TreeView, actual: TreeView): string[] {
  const out: string[] = [];
  for (const [p, v] of expected.files) if (actual.files.get(p) !== v) out.push(actual.files.has(p) ? `~${p} (${actual.files.get(p)} ≠ ${v})` : `missing file ${p}`);
  for (const p of actual.files.keys()) if (!expected.files.has(p)) out.push(`extra file ${p}`);
  for (const d of expected.dirs) if (!actual.dirs.has(d)) out.push(`missing dir ${d}/`);
  for (const d of actual.dirs) if (!expected.dirs.has(d)) out.push(`extra dir ${d}/`);
  return out;
}

type Entry = { readonly kind: 'dir' } | { readonly kind: 'file'; readonly data: Buffer; readonly mode: number };
export type Snapshot = Map<string, Entry>;
const NO_DATA: Entry = { kind: 'file', data: Buffer.alloc(0), mode: 0 };

const DIRS = ['a', 'b', 'lib', 'src', 'deep'];
const FILES = ['x.ts', 'y.ts', 'z.md', 'w', 'v.json'];
const CONTENTS = ['', 'one\n', 'two\n', 'export const v = 1;\n', 'export const v = 2;\n', '{"k":1}\n'];

/**
 * Random local edits a developer (and git) makes, each told to the engine the way a file watcher
 * would: creates, saves, bursts of saves, deletes, renames (as a rename or as delete + create),
 * empty directories, deleted and renamed trees, file ↔ directory swaps, chmod, ignored files, and
 * undo (the tree put back as it was before the last edits). Every edit is logged for a replay.
 */
export class LocalEditor {
  constructor(
    private readonly root: string,
    private readonly rand: Rand,
    private readonly engine: Notify,
    private readonly log: string[],
  ) {}

  snapshot(): Snapshot {
    const out: Snapshot = new Map();
    const walk = (abs: string, rel: string) => {
      for (const name of readdirSync(abs).sort()) {
        const r = rel ? `${rel}/${name}` : name;
        const st = lstatSync(join(abs, name));
        if (st.isDirectory()) {
          out.set(r, { kind: 'dir' });
          walk(join(abs, name), r);
        } else {
          out.set(r, { kind: 'file', data: readFileSync(join(abs, name)), mode: st.mode & 0o777 });
        }
      }
    };
    walk(this.root, '');
    return out;
  }

  /** Puts the tree back as the snapshot has it (a multi-file undo, a `git checkout .`). */
  undoTo(snap: Snapshot): void {
    this.log.push('undo');
    const now = this.snapshot();
    const removed: string[] = [];
    for (const [p, e] of now) {
      const then = snap.get(p);
      if (then?.kind === e.kind && (e.kind === 'dir' || sameFile(e, then))) continue;
      if (removed.some((r) => p.startsWith(`${r}/`))) continue;
      if (then?.kind === 'file' && e.kind === 'file') continue; // rewritten below
      rmSync(this.abs(p), { recursive: true, force: true });
      removed.push(p);
    }
    if (removed.length > 0) this.engine.notifyDeleted(removed);
    const changed: string[] = [];
    for (const [p, e] of snap) {
      const cur = lstatOrUndefined(this.abs(p));
      if (e.kind === 'dir') {
        if (!cur) {
          mkdirSync(this.abs(p), { recursive: true });
          changed.push(p);
        }
        continue;
      }
      const current = now.get(p);
      if (cur && current?.kind === 'file' && sameFile(current, e)) continue;
      mkdirSync(dirname(this.abs(p)), { recursive: true });
      writeFileSync(this.abs(p), e.data);
      chmodSync(this.abs(p), e.mode);
      changed.push(p);
    }
    if (changed.length > 0) this.engine.notifyChanged(changed);
  }

  /** `n` random edits. */
  burst(n: number): void {
    for (let i = 0; i < n; i++) this.edit();
  }

  /** What is where, without the contents. */
  private kinds(): Map<string, Entry> {
    const out = new Map<string, Entry>();
    const walk = (abs: string, rel: string) => {
      for (const e of readdirSync(abs, { withFileTypes: true })) {
        const r = rel ? `${rel}/${e.name}` : e.name;
        out.set(r, e.isDirectory() ? { kind: 'dir' } : NO_DATA);
        if (e.isDirectory()) walk(join(abs, e.name), r);
      }
    };
    walk(this.root, '');
    return out;
  }

  private edit(): void {
    const snap = this.kinds();
    // Dot files at the top (.gitignore, a test's own marker) are not the editor's to change.
    const files = [...snap].filter(([p, e]) => e.kind === 'file' && !p.startsWith('.')).map(([p]) => p);
    const dirs = [...snap].filter(([p, e]) => e.kind === 'dir' && !p.startsWith('.')).map(([p]) => p);
    const r = this.rand.next();
    const file = files.length > 0 ? this.rand.pick(files) : undefined;
    const dir = dirs.length > 0 ? this.rand.pick(dirs) : undefined;
    if (r < 0.18 || !file) return this.create(this.freshPath(snap, FILES));
    if (r < 0.34) return this.save(file, this.content());
    if (r < 0.40) {
      for (let i = 0, k = 2 + this.rand.int(4); i < k; i++) this.save(file, `${this.content()}${i}\n`);
      return;
    }
    if (r < 0.50) return this.remove(file);
    if (r < 0.60) return this.move(file, this.freshPath(snap, FILES));
    if (r < 0.67) {
      const d = this.freshPath(snap, DIRS);
      this.log.push(`mkdir ${d}`);
      mkdirSync(this.abs(d), { recursive: true });
      return this.engine.notifyChanged([d]);
    }
    if (r < 0.73 && dir) return this.remove(dir);
    if (r < 0.80 && dir) {
      const to = this.freshPath(snap, DIRS);
      if (to.startsWith(`${dir}/`)) return undefined;
      return this.move(dir, to);
    }
    if (r < 0.84) {
      this.log.push(`file→dir ${file}`);
      rmSync(this.abs(file));
      mkdirSync(this.abs(file));
      if (this.rand.chance(0.6)) writeFileSync(this.abs(`${file}/inner.ts`), this.content());
      this.engine.notifyDeleted([file]);
      return this.engine.notifyChanged([file]);
    }
    if (r < 0.88 && dir) {
      this.log.push(`dir→file ${dir}`);
      rmSync(this.abs(dir), { recursive: true });
      writeFileSync(this.abs(dir), this.content());
      this.engine.notifyDeleted([dir]);
      return this.engine.notifyChanged([dir]);
    }
    if (r < 0.92) {
      const mode = (lstatSync(this.abs(file)).mode & 0o777) === 0o755 ? 0o644 : 0o755;
      this.log.push(`chmod ${mode.toString(8)} ${file}`);
      chmodSync(this.abs(file), mode);
      return this.engine.notifyChanged([file]);
    }
    const ignored = this.rand.chance(0.5) || snap.get('build')?.kind === 'file' ? `${dir ? `${dir}/` : ''}debug${this.rand.int(3)}.log` : `build/out${this.rand.int(3)}.js`;
    if (snap.get(ignored)?.kind === 'dir') return undefined;
    return this.create(ignored);
  }

  private create(path: string): void {
    this.log.push(`create ${path}`);
    mkdirSync(dirname(this.abs(path)), { recursive: true });
    writeFileSync(this.abs(path), this.content());
    this.engine.notifyChanged([path]);
  }

  private save(path: string, content: string): void {
    this.log.push(`save ${path}`);
    writeFileSync(this.abs(path), content);
    this.engine.notifyChanged([path]);
  }

  private remove(path: string): void {
    this.log.push(`rm ${path}`);
    rmSync(this.abs(path), { recursive: true, force: true });
    this.engine.notifyDeleted([path]);
  }

  private move(from: string, to: string): void {
    this.log.push(`mv ${from} ${to}`);
    mkdirSync(dirname(this.abs(to)), { recursive: true });
    renameSync(this.abs(from), this.abs(to));
    if (this.rand.chance(0.5)) this.engine.notifyRenamed(from, to);
    else {
      this.engine.notifyDeleted([from]);
      this.engine.notifyChanged([to]);
    }
  }

  /** A path that does not exist yet, under an existing directory or a new one (never under a file). */
  private freshPath(snap: ReadonlyMap<string, Entry>, names: readonly string[]): string {
    for (;;) {
      const parents = [''].concat([...snap].filter(([p, e]) => e.kind === 'dir' && !p.startsWith('build')).map(([p]) => p));
      let path = this.rand.pick(parents);
      if (this.rand.chance(0.3)) path = path ? `${path}/${this.rand.pick(DIRS)}` : this.rand.pick(DIRS);
      path = path ? `${path}/${this.rand.pick(names)}` : this.rand.pick(names);
      const segments = path.split('/');
      const blocked = segments.some((_, i) => snap.get(segments.slice(0, i + 1).join('/'))?.kind === 'file' && i < segments.length - 1);
      if (!snap.has(path) && !blocked) return path;
    }
  }

  private content(): string {
    return this.rand.chance(0.7) ? this.rand.pick(CONTENTS) : `random ${this.rand.int(1_000_000)}\n`;
  }

  private abs(p: string): string {
    return join(this.root, p);
  }
}

function sameFile(a: Entry, b: Entry): boolean {
  return a.kind === 'file' && b.kind === 'file' && a.mode === b.mode && a.data.equals(b.data);
}

function lstatOrUndefined(p: string): ReturnType<typeof lstatSync> | undefined {
  try {
    return lstatSync(p);
  } catch {
    return undefined;
  }
}
