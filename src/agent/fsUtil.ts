import { type Stats, closeSync, constants, lstatSync, openSync, readFileSync, realpathSync, statSync } from 'node:fs';
import { sep } from 'node:path';
import { AgentError } from '../core/agent/errors';

/** Small file-system helpers of the agent's SafeTree: none of them throws for an absent path. */

export function inside(p: string, root: string): boolean {
  return p === root || p.startsWith(root.endsWith(sep) ? root : root + sep);
}

export function ioError(path: string, e: unknown): AgentError {
  if (e instanceof AgentError) return e;
  const code = typeof e === 'object' && e !== null && 'code' in e ? String(e.code) : 'EIO';
  return new AgentError('IO_ERROR', `${path}: ${code} ${e instanceof Error ? e.message : String(e)}`, path);
}

export function isCode(e: unknown, code: string): boolean {
  return typeof e === 'object' && e !== null && 'code' in e && e.code === code;
}

/** The bytes of a regular file, refusing to follow a symlink in the last component. */
export function readNoFollow(p: string): Buffer {
  const fd = openSync(p, constants.O_RDONLY | constants.O_NOFOLLOW);
  try {
    return readFileSync(fd);
  } finally {
    closeSync(fd);
  }
}

export function tryIt(f: () => void): void {
  try {
    f();
  } catch {
    // best effort
  }
}

/** lstat, or undefined when the path is absent or unreachable (ENOENT, ENOTDIR, ELOOP, …). */
export function lstatOrUndefined(p: string): Stats | undefined {
  try {
    return lstatSync(p, { throwIfNoEntry: false });
  } catch {
    return undefined;
  }
}

export function realpathOrUndefined(p: string): string | undefined {
  try {
    return realpathSync.native(p);
  } catch {
    return undefined;
  }
}

export function isDirectory(p: string): boolean {
  try {
    return statSync(p, { throwIfNoEntry: false })?.isDirectory() ?? false;
  } catch {
    return false;
  }
}
