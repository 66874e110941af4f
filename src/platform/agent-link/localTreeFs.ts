import * as crypto from 'node:crypto';
import { createReadStream } from 'node:fs';
import { closeSync, constants, fstatSync, lstatSync, openSync, readFileSync, readSync } from 'node:fs';
import { lstat, readFile, readdir } from 'node:fs/promises';
import { join, relative, sep } from 'node:path';
import { type TreeDirEntry, type TreeFs, type TreeStat } from '../../core/sync/scanner';

/** Files up to this size are hashed in one synchronous read; larger ones are streamed. */
const READ_WHOLE_BYTES = 1024 * 1024;

/** Lower-case hex sha256; the one-shot crypto.hash where Node has it (much cheaper per small file). */
export function sha256(data: Uint8Array): string {
  return typeof crypto.hash === 'function' ? crypto.hash('sha256', data, 'hex') : crypto.createHash('sha256').update(data).digest('hex');
}

/** The scan port over the local workspace folder (read-only: the extension never writes local files). */
export class LocalTreeFs implements TreeFs {
  private readonly keepModes = process.platform !== 'win32';

  constructor(readonly root: string) {}

  abs(path: string): string {
    return path === '' ? this.root : join(this.root, ...path.split('/'));
  }

  /** The sync path of an absolute local path, or undefined when it is not under the root. */
  syncPath(absPath: string): string | undefined {
    const rel = relative(this.root, absPath);
    if (rel === '' || rel.startsWith('..') || rel.includes(`..${sep}`)) return undefined;
    return rel.split(sep).join('/');
  }

  async readDir(dir: string): Promise<readonly TreeDirEntry[]> {
    try {
      const entries = await readdir(this.abs(dir), { withFileTypes: true });
      return entries.map((e) => ({ name: e.name, kind: e.isFile() ? 'file' : e.isDirectory() ? 'dir' : e.isSymbolicLink() ? 'symlink' : 'other' }));
    } catch {
      return [];
    }
  }

  /** What `path` is now (not following a final symlink); undefined when absent. */
  kindSync(path: string): TreeDirEntry['kind'] | undefined {
    try {
      const s = lstatSync(this.abs(path), { throwIfNoEntry: false });
      if (!s) return undefined;
      return s.isFile() ? 'file' : s.isDirectory() ? 'dir' : s.isSymbolicLink() ? 'symlink' : 'other';
    } catch {
      return undefined;
    }
  }

  async stat(path: string): Promise<TreeStat | undefined> {
    try {
      const s = await lstat(this.abs(path));
      if (!s.isFile()) return undefined;
      return this.keepModes ? { size: s.size, mtimeMs: s.mtimeMs, ino: s.ino, mode: s.mode & 0o777 } : { size: s.size, mtimeMs: s.mtimeMs, ino: s.ino };
    } catch {
      return undefined;
    }
  }

  statSync(path: string): TreeStat | undefined {
    try {
      const s = lstatSync(this.abs(path), { throwIfNoEntry: false });
      if (!s?.isFile()) return undefined;
      return this.keepModes ? { size: s.size, mtimeMs: s.mtimeMs, ino: s.ino, mode: s.mode & 0o777 } : { size: s.size, mtimeMs: s.mtimeMs, ino: s.ino };
    } catch {
      return undefined;
    }
  }

  hash(path: string): Promise<string> {
    try {
      const st = lstatSync(this.abs(path));
      if (st.isFile() && st.size <= READ_WHOLE_BYTES) return Promise.resolve(sha256(readFileSync(this.abs(path))));
    } catch (e) {
      return Promise.reject(e instanceof Error ? e : new Error(String(e)));
    }
    return new Promise((resolve, reject) => {
      const h = crypto.createHash('sha256');
      createReadStream(this.abs(path))
        .on('data', (chunk) => h.update(chunk))
        .on('error', reject)
        .on('end', () => resolve(h.digest('hex')));
    });
  }

  async readText(path: string): Promise<string | undefined> {
    try {
      return await readFile(this.abs(path), 'utf8');
    } catch {
      return undefined;
    }
  }

  /**
   * The bytes of a file now, with their hash, mode and stat; undefined when it is gone or not a
   * regular file. Synchronous: a small file costs microseconds this way, far less than the
   * thread-pool round trips of the async calls; callers read in short slices and yield between.
   */
  readSync(path: string): { data: Uint8Array; hash: string; mode?: number; size: number; mtimeMs: number; ino: number } | undefined {
    let fd: number | undefined;
    try {
      // Opened without following a final symlink and without blocking on a FIFO; what it is comes
      // from fstat of the open file, so nothing can be swapped in between a stat and the read.
      fd = openSync(this.abs(path), constants.O_RDONLY | (constants.O_NOFOLLOW ?? 0) | (constants.O_NONBLOCK ?? 0));
      const st = fstatSync(fd);
      if (!st.isFile()) return undefined;
      const data = readExactly(fd, st.size);
      const hash = sha256(data);
      const base = { data, hash, size: data.length, mtimeMs: data.length === st.size ? st.mtimeMs : -1, ino: st.ino };
      return this.keepModes ? { ...base, mode: st.mode & 0o777 } : base;
    } catch {
      return undefined;
    } finally {
      if (fd !== undefined) closeSync(fd);
    }
  }
}

/** The file's bytes: `size` (its fstat size) read in one go when it still holds that many; else read to the end. */
function readExactly(fd: number, size: number): Buffer {
  const buf = Buffer.allocUnsafe(size);
  let got = 0;
  while (got < size) {
    const n = readSync(fd, buf, got, size - got, null);
    if (n === 0) return buf.subarray(0, got);
    got += n;
  }
  // Grown since the fstat: read the rest too (the mtime check then keeps it out of the hash cache).
  const probe = Buffer.allocUnsafe(1);
  if (readSync(fd, probe, 0, 1, null) === 0) return buf;
  return Buffer.concat([buf, probe, readFileSync(fd)]);
}
