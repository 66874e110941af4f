import { randomBytes } from 'node:crypto';
import { constants } from 'node:fs';
import { type FileHandle, lstat, mkdir, open, realpath, rename, rm, stat, unlink } from 'node:fs/promises';
import { join, sep } from 'node:path';
import { SyncError } from '../core/sync/errors';
import { checkSyncPath } from '../core/sync/paths';
import { hashFile, sha256 } from './treeFs';

/** Temp files of atomic writes; the scan never reports them. */
export const TEMP_NAME = /^\.slice-[0-9a-f]{16}\.tmp$/;

/**
 * The only way the agent touches files: every operation stays inside the sync root.
 *
 * A path is first checked as text (relative, no `..`, no NUL, no backslash), then walked one
 * component at a time with lstat. A directory component that is a symlink is followed only when
 * its real target is inside the root; otherwise the operation fails with PATH_OUTSIDE_ROOT (the
 * kubectl cp family: CVE-2018-1002100, CVE-2019-1002101, CVE-2019-11246, CVE-2019-11249). The last
 * component is never followed: a write or rename replaces a symlink there, a delete removes the link.
 * Writes go to a temp file in the same directory (O_EXCL|O_NOFOLLOW), are fsynced and renamed over.
 */
export class SafeTree {
  private realRoot: string | undefined;

  /** `fsync: false` skips the flush to disk (path-safety tests; the agent with SLICE_AGENT_FSYNC=0). */
  constructor(
    readonly root: string,
    private readonly options: { readonly fsync?: boolean } = {},
  ) {}

  async init(): Promise<string> {
    await mkdir(this.root, { recursive: true });
    this.realRoot = await realpath(this.root);
    return this.realRoot;
  }

  /** Writes atomically; `mode` (permission bits) defaults to the replaced file's, else 0644. Returns the hash. */
  async write(path: string, data: Uint8Array, mode: number | undefined, expectedHash?: string): Promise<string> {
    const hash = sha256(data);
    if (expectedHash !== undefined && hash !== expectedHash) throw new SyncError('HASH_MISMATCH', `${path}: received contents hash to ${hash.slice(0, 12)}…, not the announced ${expectedHash.slice(0, 12)}…`, path);
    const { parent, name } = await this.resolve(path, true);
    const target = join(parent, name);
    const existing = await lstatOrUndefined(target);
    if (existing?.isDirectory()) await rm(target, { recursive: true, force: true });
    const finalMode = (mode ?? (existing?.isFile() ? existing.mode : 0o644)) & 0o7777;
    const temp = join(parent, `.slice-${randomBytes(8).toString('hex')}.tmp`);
    let fh: FileHandle | undefined;
    try {
      fh = await open(temp, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW, 0o600);
      await fh.writeFile(data);
      await fh.chmod(finalMode);
      if (this.options.fsync !== false) await fh.sync();
      await fh.close();
      fh = undefined;
      await rename(temp, target);
    } catch (e) {
      await fh?.close().catch(() => undefined);
      await unlink(temp).catch(() => undefined);
      throw ioError(path, e);
    }
    return hash;
  }

  /** Removes a file, a symlink (not its target) or a directory tree. Absent is success. */
  async remove(path: string): Promise<void> {
    const resolved = await this.resolve(path, false);
    if (!resolved) return;
    const target = join(resolved.parent, resolved.name);
    const st = await lstatOrUndefined(target);
    if (!st) return;
    try {
      if (st.isDirectory()) await rm(target, { recursive: true, force: true });
      else await unlink(target);
    } catch (e) {
      throw ioError(path, e);
    }
  }

  /** Moves `from` to `to` when `from` still holds `expectedHash`; returns the hash now at `to`. */
  async rename(from: string, to: string, expectedHash: string): Promise<string> {
    const source = await this.resolve(from, false);
    const sourcePath = source ? join(source.parent, source.name) : undefined;
    const st = sourcePath ? await lstatOrUndefined(sourcePath) : undefined;
    if (!sourcePath || !st?.isFile()) throw new SyncError('NOT_FOUND', `cannot move ${from}: it is not a file in the container`, from);
    const actual = await hashFile(sourcePath);
    if (actual !== expectedHash) throw new SyncError('HASH_MISMATCH', `cannot move ${from}: its contents changed in the container`, from);
    const dest = await this.resolve(to, true);
    const target = join(dest.parent, dest.name);
    try {
      if ((await lstatOrUndefined(target))?.isDirectory()) await rm(target, { recursive: true, force: true });
      await rename(sourcePath, target);
    } catch (e) {
      throw ioError(to, e);
    }
    return actual;
  }

  /** The real parent directory of `path`, inside the root; with `create`, missing directories are made. */
  private resolve(path: string, create: true): Promise<{ parent: string; name: string }>;
  private resolve(path: string, create: false): Promise<{ parent: string; name: string } | undefined>;
  private async resolve(path: string, create: boolean): Promise<{ parent: string; name: string } | undefined> {
    const root = this.realRoot ?? (await this.init());
    const checked = checkSyncPath(path);
    if (!checked.ok) throw new SyncError(checked.error.code, checked.error.message, path);
    const segments = path.split('/');
    const name = segments.pop() ?? '';
    let cur = root;
    for (const segment of segments) {
      const next = join(cur, segment);
      const st = await lstatOrUndefined(next);
      if (st?.isSymbolicLink()) {
        const real = await realpathOrUndefined(next);
        if (real === undefined || !inside(real, root)) throw outside(path);
        if (!(await isDirectory(real))) {
          if (!create) return undefined;
          await replaceWithDir(next, path);
          cur = next;
        } else {
          cur = real;
        }
      } else if (st?.isDirectory()) {
        cur = next;
      } else {
        if (!create) return undefined;
        if (st) await replaceWithDir(next, path);
        else await mkdir(next).catch((e: unknown) => (isCode(e, 'EEXIST') ? undefined : Promise.reject(ioError(path, e))));
        const again = await lstatOrUndefined(next);
        if (!again?.isDirectory()) throw outside(path);
        cur = next;
      }
    }
    const real = await realpathOrUndefined(cur);
    if (real === undefined || !inside(real, root)) throw outside(path);
    return { parent: real, name };
  }
}

function inside(p: string, root: string): boolean {
  return p === root || p.startsWith(root.endsWith(sep) ? root : root + sep);
}

function outside(path: string): SyncError {
  return new SyncError('PATH_OUTSIDE_ROOT', `refusing ${path}: it resolves outside the sync root through a symlink`, path);
}

async function replaceWithDir(p: string, path: string): Promise<void> {
  try {
    await unlink(p);
    await mkdir(p);
  } catch (e) {
    throw ioError(path, e);
  }
}

function ioError(path: string, e: unknown): SyncError {
  if (e instanceof SyncError) return e;
  const code = typeof e === 'object' && e !== null && 'code' in e ? String(e.code) : 'EIO';
  return new SyncError('IO_ERROR', `${path}: ${code} ${e instanceof Error ? e.message : String(e)}`, path);
}

function isCode(e: unknown, code: string): boolean {
  return typeof e === 'object' && e !== null && 'code' in e && e.code === code;
}

async function lstatOrUndefined(p: string) {
  try {
    return await lstat(p);
  } catch {
    return undefined;
  }
}

async function realpathOrUndefined(p: string): Promise<string | undefined> {
  try {
    return await realpath(p);
  } catch {
    return undefined;
  }
}

async function isDirectory(p: string): Promise<boolean> {
  try {
    return (await stat(p)).isDirectory();
  } catch {
    return false;
  }
}
