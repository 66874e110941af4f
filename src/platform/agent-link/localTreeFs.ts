import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { lstat, readFile, readdir } from 'node:fs/promises';
import { join, relative, sep } from 'node:path';
import { type TreeDirEntry, type TreeFs, type TreeStat } from '../../core/sync/scanner';

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
    return new Promise((resolve, reject) => {
      const h = createHash('sha256');
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

  /** The bytes of a file now, with their hash and mode; undefined when it is gone. */
  async read(path: string): Promise<{ data: Uint8Array; hash: string; mode?: number } | undefined> {
    try {
      const [data, st] = await Promise.all([readFile(this.abs(path)), lstat(this.abs(path))]);
      if (!st.isFile()) return undefined;
      const hash = createHash('sha256').update(data).digest('hex');
      return this.keepModes ? { data, hash, mode: st.mode & 0o777 } : { data, hash };
    } catch {
      return undefined;
    }
  }
}
