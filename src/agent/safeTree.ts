import { randomBytes } from 'node:crypto';
import { type Stats, closeSync, constants, fchmodSync, fsyncSync, mkdirSync, openSync, readFileSync, realpathSync, renameSync, rmSync, rmdirSync, unlinkSync, writeSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { AgentError } from '../core/agent/errors';
import { type BatchOp } from '../core/agent/messages';
import { checkSyncPath, isUnder } from '../core/sync/paths';
import { inside, ioError, isCode, isDirectory, lstatOrUndefined, readNoFollow, realpathOrUndefined, tryIt } from './fsUtil';
import { Ledger } from './ledger';
import { sha256 } from './treeFs';

/** The process umask (Linux: from /proc, read once); unknown counts as masking everything. */
const PROCESS_UMASK = readUmask();

function readUmask(): number {
  try {
    const m = /^Umask:\s+([0-7]+)$/m.exec(readFileSync('/proc/self/status', 'utf8'));
    return m?.[1] ? parseInt(m[1], 8) : 0o7777;
  } catch {
    return 0o7777;
  }
}

/** Temp files of atomic writes; the scan never reports them. */
export const TEMP_NAME = /^\.slice-[0-9a-f]{16}\.tmp$/;

/** A directory verified inside the root during the current batch: its real path and identity. */
interface VerifiedDir {
  readonly real: string;
  readonly dev: number;
  readonly ino: number;
}

/**
 * The only way the agent touches files: every operation stays inside the sync root.
 *
 * A path is first checked as text (relative, no `..`, no NUL, no backslash), then walked one
 * component at a time with lstat. A directory component that is a symlink is followed only when
 * its real target is inside the root; otherwise the operation fails with PATH_OUTSIDE_ROOT (the
 * kubectl cp family: CVE-2018-1002100, CVE-2019-1002101, CVE-2019-11246, CVE-2019-11249). The last
 * component is never followed: a write or rename replaces a symlink there, a delete removes the link.
 * Writes go to a temp file in the same directory (O_EXCL|O_NOFOLLOW), are fsynced and renamed over.
 *
 * The file-system calls are synchronous: each is a few microseconds on the agent's local volume,
 * far less than a thread-pool round trip, and a batch is applied strictly in order anyway.
 *
 * Verified-directory cache (only between beginBatch() and endBatch()): the parent directories a
 * batch resolved are remembered with their device and inode, so the next write into the same
 * directory costs one lstat instead of a walk plus realpath. The cache is safe because
 *  - it is emptied at the end of every batch, so a symlink placed in the container between
 *    batches is always seen by the next walk;
 *  - it is emptied by every operation of the agent's own that can change the directory structure
 *    (a delete, a rename, a file or link replaced by a directory, a directory replaced by a file) —
 *    the agent never creates symlinks itself, so within a batch only those can re-point a path;
 *  - a cached directory is used only when an lstat of its real path still finds a directory with
 *    the same device and inode, and — unless the root is a mount point — the real path still
 *    resolves to itself (realpath(3)); otherwise the path is walked again. The realpath catches a
 *    directory moved out of the root with a symlink to it left behind; when the root is a mount
 *    point (the pod's emptyDir) nothing can be moved out of it (rename gives EXDEV), so a
 *    directory with the cached device and inode is still the one inside the root. (A swap racing the very next open is the same check-then-use race
 *    the uncached walk has; Node offers no openat/O_BENEATH to close it.)
 */
export class SafeTree {
  private realRoot: string | undefined;
  private verified: Map<string, VerifiedDir> | undefined;
  /** The root is a mount point (the pod's emptyDir): nothing can be moved out of it (EXDEV). */
  private rootIsMount = false;
  private readonly tempPrefix = randomBytes(4).toString('hex');
  /**
   * What the sync did to the root (writes, deletes and moves by hash, directories made), written
   * ahead of each batch. It tells files the sync put there from files that came with the image or
   * that the app made (which the sync never deletes), and lets the client's reconcile after any
   * reconnect decide exactly (docs/agent-protocol.md). Kept in the state directory when there is one.
   */
  readonly ledger: Ledger;
  private tempCounter = 0;

  /** `fsync: false` skips the flush to disk (path-safety tests; the agent with SLICE_AGENT_FSYNC=0). */
  constructor(
    readonly root: string,
    private readonly options: {
      readonly fsync?: boolean;
      /** Overrides the detection of a root that is a mount point (tests). */
      readonly rootIsMount?: boolean;
      /** Where the ledger is kept across agent restarts (the pod's state emptyDir); none: in memory. */
      readonly stateDir?: string;
    } = {},
  ) {
    this.ledger = new Ledger(options.stateDir);
  }

  async init(): Promise<string> {
    return Promise.resolve(this.initSync());
  }

  /** Writes the batch's effects ahead into the ledger; remembers verified parent directories until endBatch(). */
  beginBatch(ops: readonly BatchOp[] = []): void {
    this.ledger.intend(ops);
    this.verified = new Map();
  }

  /** Forgets the verified directories and flushes the ledger (before the batch is acknowledged). */
  endBatch(): void {
    this.verified = undefined;
    this.ledger.flush();
  }

  /** Writes atomically; `mode` (permission bits) defaults to the replaced file's, else 0644. Returns the hash. */
  async write(path: string, data: Uint8Array, mode: number | undefined, expectedHash?: string): Promise<string> {
    return Promise.resolve(this.writeSync(path, data, mode, expectedHash));
  }

  /** Removes a file, a symlink (not its target) or a directory tree. Absent is success. */
  async remove(path: string): Promise<void> {
    this.removeSync(path);
    return Promise.resolve();
  }

  /** Moves `from` to `to` when `from` still holds `expectedHash`; returns the hash now at `to`. */
  async rename(from: string, to: string, expectedHash: string): Promise<string> {
    return Promise.resolve(this.renameSync(from, to, expectedHash));
  }

  /** What `path` holds now, not following a final symlink; undefined when invalid, outside the root or absent. */
  statSync(path: string): Stats | undefined {
    try {
      const resolved = this.resolve(path, false);
      return resolved ? lstatOrUndefined(join(resolved.parent, resolved.name)) : undefined;
    } catch {
      return undefined;
    }
  }

  writeSync(path: string, data: Uint8Array, mode: number | undefined, expectedHash?: string): string {
    const hash = sha256(data);
    if (expectedHash !== undefined && hash !== expectedHash) throw new AgentError('HASH_MISMATCH', `${path}: received contents hash to ${hash.slice(0, 12)}…, not the announced ${expectedHash.slice(0, 12)}…`, path);
    const { parent, name } = this.resolve(path, true);
    const target = join(parent, name);
    // The replaced file is looked at only when its mode is needed; a directory in the way is
    // found by the rename failing, then removed.
    const existing = mode === undefined ? lstatOrUndefined(target) : undefined;
    const finalMode = (mode ?? (existing?.isFile() ? existing.mode : 0o644)) & 0o7777;
    // Created with its final mode when the umask keeps every bit of it; else chmod'ed after.
    const chmod = (finalMode & (PROCESS_UMASK | 0o7000)) !== 0;
    const temp = join(parent, `.slice-${this.tempPrefix}${(this.tempCounter++ >>> 0).toString(16).padStart(8, '0')}.tmp`);
    let fd: number | undefined;
    let replacedDir = false;
    try {
      fd = openSync(temp, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW, chmod ? 0o600 : finalMode);
      for (let off = 0; off < data.length; ) off += writeSync(fd, data, off, data.length - off);
      if (chmod) fchmodSync(fd, finalMode);
      if (this.options.fsync !== false) fsyncSync(fd);
      closeSync(fd);
      fd = undefined;
      try {
        renameSync(temp, target);
      } catch (e) {
        if (!lstatOrUndefined(target)?.isDirectory()) throw e;
        this.structureChanged();
        replacedDir = true;
        rmSync(target, { recursive: true, force: true });
        renameSync(temp, target);
      }
    } catch (e) {
      if (fd !== undefined) tryIt(() => closeSync(fd as number));
      tryIt(() => unlinkSync(temp));
      throw ioError(path, e);
    }
    this.forget(path, replacedDir, false);
    this.ledger.wrote(path, { size: data.length, mode: finalMode & 0o777, hash });
    return hash;
  }

  removeSync(path: string): void {
    const resolved = this.resolve(path, false);
    const target = resolved ? join(resolved.parent, resolved.name) : undefined;
    const st = target ? lstatOrUndefined(target) : undefined;
    if (!target || !st) {
      this.ledger.removed(path);
      return;
    }
    this.structureChanged();
    try {
      if (st.isDirectory()) rmSync(target, { recursive: true, force: true });
      else unlinkSync(target);
    } catch (e) {
      throw ioError(path, e);
    }
    this.forget(path, st.isDirectory());
  }

  renameSync(from: string, to: string, expectedHash: string): string {
    const source = this.resolve(from, false);
    const sourcePath = source ? join(source.parent, source.name) : undefined;
    const st = sourcePath ? lstatOrUndefined(sourcePath) : undefined;
    if (!sourcePath || !st?.isFile()) throw new AgentError('NOT_FOUND', `cannot move ${from}: it is not a file in the container`, from);
    if (isUnder(from, to)) throw new AgentError('NOT_FOUND', `cannot move ${from} onto ${to}, the directory that holds it`, from);
    let actual: string;
    try {
      actual = sha256(readNoFollow(sourcePath));
    } catch (e) {
      throw ioError(from, e);
    }
    if (actual !== expectedHash) throw new AgentError('HASH_MISMATCH', `cannot move ${from}: its contents changed in the container`, from);
    const dest = this.resolve(to, true);
    const target = join(dest.parent, dest.name);
    this.structureChanged();
    try {
      if (lstatOrUndefined(target)?.isDirectory()) rmSync(target, { recursive: true, force: true });
      renameSync(sourcePath, target);
    } catch (e) {
      throw ioError(to, e);
    }
    this.forget(from, false);
    this.forget(to, true, false);
    this.ledger.wrote(to, { size: st.size, mode: st.mode & 0o777, hash: actual });
    return actual;
  }

  /** Makes a directory and its parents; a file or symlink in its place is replaced (the link, never its target). */
  mkdirSync(path: string): void {
    const { parent, name } = this.resolve(path, true);
    const target = join(parent, name);
    const st = lstatOrUndefined(target);
    if (st?.isDirectory()) return;
    if (st) {
      this.replaceWithDir(target, path);
      this.forget(path, false);
    } else {
      try {
        mkdirSync(target);
      } catch (e) {
        if (!isCode(e, 'EEXIST') || !lstatOrUndefined(target)?.isDirectory()) throw ioError(path, e);
      }
    }
    this.ledger.made(path);
  }

  /** Removes a directory when it is empty (NOT_EMPTY otherwise); absent, or not a directory, is success. */
  rmdirSync(path: string): void {
    const resolved = this.resolve(path, false);
    const target = resolved ? join(resolved.parent, resolved.name) : undefined;
    if (target && lstatOrUndefined(target)?.isDirectory()) {
      this.structureChanged();
      try {
        rmdirSync(target);
      } catch (e) {
        if (isCode(e, 'ENOTEMPTY') || isCode(e, 'EEXIST')) throw new AgentError('NOT_EMPTY', `${path} is not empty: it holds files the sync does not manage`, path);
        throw ioError(path, e);
      }
    }
    this.ledger.unmade(path);
  }

  private initSync(): string {
    mkdirSync(this.root, { recursive: true });
    this.realRoot = realpathSync.native(this.root);
    const here = lstatOrUndefined(this.realRoot);
    const above = lstatOrUndefined(dirname(this.realRoot));
    this.rootIsMount = this.options.rootIsMount ?? (here !== undefined && above !== undefined && here.dev !== above.dev);
    return this.realRoot;
  }

  /**
   * Records that nothing the sync wrote is left at `path`, nor at a file above it that a directory
   * replaced; and, for a directory removed or replaced, under it.
   */
  private forget(path: string, subtree: boolean, self = true): void {
    if (self) this.ledger.removed(path);
    for (let i = path.indexOf('/'); i >= 0; i = path.indexOf('/', i + 1)) {
      const above = path.slice(0, i);
      const w = this.ledger.written(above);
      if (w && !(w.length === 1 && w[0] === null)) this.ledger.removed(above);
    }
    if (subtree) this.ledger.removedTree(path);
  }

  /** The agent changed the directory structure itself: nothing verified before is trusted any more. */
  private structureChanged(): void {
    this.verified?.clear();
  }

  /** The real parent directory of `path`, inside the root; with `create`, missing directories are made. */
  private resolve(path: string, create: true): { parent: string; name: string };
  private resolve(path: string, create: false): { parent: string; name: string } | undefined;
  private resolve(path: string, create: boolean): { parent: string; name: string } | undefined {
    const root = this.realRoot ?? this.initSync();
    const checked = checkSyncPath(path);
    if (!checked.ok) throw new AgentError(checked.error.code, checked.error.message, path);
    const cut = path.lastIndexOf('/');
    const name = path.slice(cut + 1);
    const dir = cut < 0 ? '' : path.slice(0, cut);
    const cached = this.verified?.get(dir);
    if (cached) {
      const now = lstatOrUndefined(cached.real);
      if (now?.isDirectory() && now.dev === cached.dev && now.ino === cached.ino && (this.rootIsMount || realpathOrUndefined(cached.real) === cached.real)) return { parent: cached.real, name };
      this.structureChanged();
    }
    let cur = root;
    let rel = '';
    for (const segment of dir === '' ? [] : dir.split('/')) {
      const next = join(cur, segment);
      rel = rel ? `${rel}/${segment}` : segment;
      const st = lstatOrUndefined(next);
      if (st?.isSymbolicLink()) {
        const real = realpathOrUndefined(next);
        if (real === undefined || !inside(real, root)) throw outside(path);
        if (!isDirectory(real)) {
          if (!create) return undefined;
          this.replaceWithDir(next, path);
          this.ledger.made(rel);
          cur = next;
        } else {
          cur = real;
        }
      } else if (st?.isDirectory()) {
        cur = next;
      } else {
        if (!create) return undefined;
        if (st) {
          this.replaceWithDir(next, path);
          this.ledger.removed(rel);
        } else {
          try {
            mkdirSync(next);
          } catch (e) {
            if (!isCode(e, 'EEXIST')) throw ioError(path, e);
          }
        }
        this.ledger.made(rel);
        const again = lstatOrUndefined(next);
        if (!again?.isDirectory()) throw outside(path);
        cur = next;
      }
    }
    const real = realpathOrUndefined(cur);
    if (real === undefined || !inside(real, root)) throw outside(path);
    if (this.verified) {
      const st = lstatOrUndefined(real);
      if (st?.isDirectory()) this.verified.set(dir, { real, dev: st.dev, ino: st.ino });
    }
    return { parent: real, name };
  }

  private replaceWithDir(p: string, path: string): void {
    this.structureChanged();
    try {
      unlinkSync(p);
      mkdirSync(p);
    } catch (e) {
      throw ioError(path, e);
    }
  }
}

function outside(path: string): AgentError {
  return new AgentError('PATH_OUTSIDE_ROOT', `refusing ${path}: it resolves outside the sync root through a symlink`, path);
}
