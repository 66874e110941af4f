import * as crypto from 'node:crypto';
import { createReadStream, lstatSync, readFileSync } from 'node:fs';
import { lstat, readFile, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { type TreeDirEntry, type TreeFs, type TreeStat } from '../core/sync/scanner';

/** The scan port over the container's sync root. Never follows symlinks. */
export class NodeTreeFs implements TreeFs {
  constructor(private readonly root: string) {}

  async readDir(dir: string): Promise<readonly TreeDirEntry[]> {
    try {
      const entries = await readdir(join(this.root, dir), { withFileTypes: true });
      return entries.map((e) => ({ name: e.name, kind: e.isFile() ? 'file' : e.isDirectory() ? 'dir' : e.isSymbolicLink() ? 'symlink' : 'other' }));
    } catch {
      return [];
    }
  }

  async stat(path: string): Promise<TreeStat | undefined> {
    try {
      const s = await lstat(join(this.root, path));
      return s.isFile() ? { size: s.size, mtimeMs: s.mtimeMs, ino: s.ino, mode: s.mode & 0o777 } : undefined;
    } catch {
      return undefined;
    }
  }

  hash(path: string): Promise<string> {
    return hashFile(join(this.root, path));
  }

  async readText(path: string): Promise<string | undefined> {
    try {
      return await readFile(join(this.root, path), 'utf8');
    } catch {
      return undefined;
    }
  }
}

/** Files up to this size are hashed in one synchronous read; larger ones are streamed. */
const READ_WHOLE_BYTES = 1024 * 1024;

/** Lower-case hex sha256; the one-shot crypto.hash where Node has it (much cheaper per small file). */
export function sha256(data: Uint8Array): string {
  return typeof crypto.hash === 'function' ? crypto.hash('sha256', data, 'hex') : crypto.createHash('sha256').update(data).digest('hex');
}

export function hashFile(abs: string): Promise<string> {
  try {
    const st = lstatSync(abs);
    if (st.isFile() && st.size <= READ_WHOLE_BYTES) return Promise.resolve(sha256(readFileSync(abs)));
  } catch (e) {
    return Promise.reject(e instanceof Error ? e : new Error(String(e)));
  }
  return new Promise((resolve, reject) => {
    const h = crypto.createHash('sha256');
    createReadStream(abs)
      .on('data', (chunk) => h.update(chunk))
      .on('error', reject)
      .on('end', () => resolve(h.digest('hex')));
  });
}
