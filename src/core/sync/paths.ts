import { type Result, err, ok } from '../base/result';
import { type AgentErrorCode } from '../agent/errors';

/** The longest relative path accepted on the wire (bytes of UTF-16, close enough to PATH_MAX). */
export const MAX_PATH_LENGTH = 4096;

export interface PathProblem {
  readonly code: AgentErrorCode;
  readonly message: string;
}

/**
 * Checks a sync path: relative to the sync root, '/'-separated, no empty, '.' or '..' segments,
 * no NUL, no backslash (a Windows separator on one side is a file name on the other), not absolute
 * (including drive letters). This is only the syntactic half of path safety; the agent also
 * resolves the parent on disk and refuses one that leaves the root through a symlink.
 */
export function checkSyncPath(path: string): Result<string, PathProblem> {
  const bad = (why: string) => err({ code: 'PATH_INVALID' as const, message: `invalid path ${JSON.stringify(path.slice(0, 200))}: ${why}` });
  if (typeof path !== 'string' || path.length === 0) return bad('empty');
  if (path.length > MAX_PATH_LENGTH) return bad(`longer than ${MAX_PATH_LENGTH} characters`);
  if (path.includes('\0')) return bad('contains a NUL byte');
  if (path.includes('\\')) return bad('contains a backslash');
  if (path.startsWith('/')) return bad('absolute');
  if (/^[a-zA-Z]:/.test(path)) return bad('has a drive letter');
  for (const segment of path.split('/')) {
    if (segment === '') return bad('has an empty segment');
    if (segment === '.' || segment === '..') return bad(`has a "${segment}" segment`);
  }
  return ok(path);
}

/** The parent directory of a valid sync path, '' for a top-level entry. */
export function parentOf(path: string): string {
  const i = path.lastIndexOf('/');
  return i < 0 ? '' : path.slice(0, i);
}

/** True when `path` is `dir` or lies under it. */
export function isUnder(path: string, dir: string): boolean {
  return dir === '' || path === dir || path.startsWith(`${dir}/`);
}
