import { type Result, err, ok } from '../base/result';
import { type ContainerManifest, type ManifestEntry, type WireEntry, type Written, type WrittenFile, fromWire, toWire } from './manifest';
import { type FrameProblem } from '../agent/protocol';

/**
 * The MANIFEST payload of protocol 3 (UTF-8 JSON, deflated on the wire when large):
 *
 *   { "files":   [[path, size, mode, hash], …],        the container's files (-1: no mode)
 *     "dirs":    [path, …],                            its directories
 *     "written": [[path, [[size, mode, hash] | null, …]], …]   the agent's record (see Written)
 *     "made":    [path, …] }                           directories the sync made
 *
 * All after the ignore rules of the MANIFEST_REQUEST.
 */
export interface ManifestParts {
  readonly files: Iterable<ManifestEntry>;
  readonly dirs: Iterable<string>;
  readonly written: Iterable<readonly [string, Written]>;
  readonly made: Iterable<string>;
}

const utf8 = new TextEncoder();
const fromUtf8 = new TextDecoder('utf-8', { fatal: true });
class Invalid extends Error {}

export function encodeManifest(parts: ManifestParts): Uint8Array {
  const written = [...parts.written].map(([path, w]) => [path, w.map((c) => (c === null ? null : [c.size, c.mode, c.hash]))]);
  return utf8.encode(JSON.stringify({ files: [...parts.files].map(toWire), dirs: [...parts.dirs], written, made: [...parts.made] }));
}

function array(v: unknown, what: string): unknown[] {
  if (!Array.isArray(v)) throw new Invalid(`${what} must be an array`);
  return v;
}

function path(v: unknown, what: string): string {
  if (typeof v !== 'string') throw new Invalid(`${what} must hold path strings`);
  return v;
}

function wireEntry(v: unknown): WireEntry {
  if (!Array.isArray(v) || v.length !== 4 || typeof v[0] !== 'string' || typeof v[1] !== 'number' || typeof v[2] !== 'number' || typeof v[3] !== 'string') {
    throw new Invalid('manifest files must be [path, size, mode, hash]');
  }
  return [v[0], v[1], v[2], v[3]];
}

function candidate(v: unknown): WrittenFile | null {
  if (v === null) return null;
  if (!Array.isArray(v) || v.length !== 3 || typeof v[0] !== 'number' || typeof v[1] !== 'number' || typeof v[2] !== 'string') throw new Invalid('a written candidate must be [size, mode, hash] or null');
  return { size: v[0], mode: v[1], hash: v[2] };
}

function writtenEntry(v: unknown): [string, Written] {
  if (!Array.isArray(v) || v.length !== 2 || typeof v[0] !== 'string') throw new Invalid('manifest written entries must be [path, candidates]');
  const candidates = array(v[1], 'written candidates').map(candidate);
  if (candidates.length === 0) throw new Invalid('a written entry needs at least one candidate');
  return [v[0], candidates];
}

/** Decodes a MANIFEST payload (already decompressed); a defect is a FrameProblem, never a throw. */
export function decodeManifest(payload: Uint8Array, count: number): Result<ContainerManifest, FrameProblem> {
  try {
    const parsed: unknown = JSON.parse(fromUtf8.decode(payload));
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new Invalid('manifest payload must be an object {files, dirs, written, made}');
    const o = parsed as Readonly<Record<string, unknown>>;
    const files = array(o.files, 'files').map((v) => fromWire(wireEntry(v)));
    if (files.length !== count) throw new Invalid(`manifest announces ${count} files but holds ${files.length}`);
    return ok({
      files: new Map(files.map((e) => [e.path, e])),
      dirs: new Set(array(o.dirs, 'dirs').map((v) => path(v, 'dirs'))),
      written: new Map(array(o.written, 'written').map(writtenEntry)),
      made: new Set(array(o.made, 'made').map((v) => path(v, 'made'))),
    });
  } catch (e) {
    return err({ code: 'BAD_FRAME', message: `malformed manifest: ${e instanceof Invalid ? e.message : 'not UTF-8 JSON'}` });
  }
}
