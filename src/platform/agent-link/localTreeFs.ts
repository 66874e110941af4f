import * as crypto from 'node:crypto';
import { createReadStream } from 'node:fs';
import { closeSync, constants, lstatSync, openSync, readFileSync } from 'node:fs';
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

  async stat(path: string): Promise<TreeStat | undefined> {
    try {
      const s = await lstat(this.abs(path));
      if (!s.isFile()) return undefined;
      return this.keepModes ? { size: s.size, mtimeMs: s.mtimeMs, mode: s.mode & 0o777 } : { size: s.size, mtimeMs: s.mtimeMs };
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
  readSync(path: string): { data: Uint8Array; hash: string; mode?: number; size: number; mtimeMs: number } | undefined {
    try {
      const abs = this.abs(path);
      const st = lstatSync(abs, { throwIfNoEntry: false });
      if (!st?.isFile()) return undefined;
      const fd = openSync(abs, constants.O_RDONLY | (constants.O_NOFOLLOW ?? 0));
      let data: Buffer;
      try {
        data = readFileSync(fd);
      } finally {
        closeSync(fd);
      }
      const hash = sha256(data);
      const base = { data, hash, size: data.length, mtimeMs: data.length === st.size ? st.mtimeMs : -1 };
      return this.keepModes ? { ...base, mode: st.mode & 0o777 } : base;
    } catch {
      return undefined;
    }
  }
}
