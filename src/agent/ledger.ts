import { randomUUID } from 'node:crypto';
import { appendFileSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { PRIOR, type Written, type WrittenFile } from '../core/sync/manifest';
import { type BatchOp } from '../core/agent/messages';
import { isUnder } from '../core/sync/paths';

const SNAPSHOT = 'ledger.json';
const JOURNAL = 'ledger.jsonl';
const GONE: Written = [null];

type Line = readonly ['f', string, Written] | readonly ['d', string, 0 | 1];

/**
 * The agent's record of what the sync did to its root (docs/agent-protocol.md): per path, what the
 * sync may have left there (Written: files by hash, or null for a deletion), and the directories
 * it made. A batch's effects are written ahead (each path it changes gets the new candidate beside
 * the old one) before the batch is applied and settled to the outcome after, so an agent killed
 * mid-batch still knows every state the sync may have left.
 *
 * With a state directory (the pod's own emptyDir beside the sync folder, SLICE_AGENT_STATE_DIR)
 * the record survives agent restarts: a snapshot plus an append-only journal, replayed at start,
 * compacted when the journal outgrows the snapshot. `rootId` is made once per state directory: a
 * new one tells a client that the sync root is a fresh copy of the image. Without one, the record
 * lives as long as the process and every process is a new root.
 */
export class Ledger {
  private readonly files = new Map<string, Written>();
  private readonly dirs = new Set<string>();
  private lines: string[] = [];
  private journalLines = 0;
  readonly rootId: string;

  constructor(private readonly stateDir?: string) {
    this.rootId = stateDir ? this.load(stateDir) : randomUUID();
  }

  /** What the sync may have left at `path`; undefined: the sync never touched it on this root. */
  written(path: string): Written | undefined {
    return this.files.get(path);
  }

  entries(): IterableIterator<[string, Written]> {
    return this.files.entries();
  }

  madeDirs(): IterableIterator<string> {
    return this.dirs.values();
  }

  /**
   * Writes ahead what a batch is about to do, and flushes it to the journal. The directories a
   * write, move or mkdir may create on its way count as made by the sync (one that existed before
   * is removed only when local has none there and it is empty).
   */
  intend(ops: readonly BatchOp[]): void {
    for (const op of ops) {
      if (op.op === 'write') this.add(op.path, { size: op.size, mode: op.mode ?? -1, hash: op.hash });
      else if (op.op === 'delete') this.add(op.path, null);
      else if (op.op === 'rename') {
        this.add(op.from, null);
        this.add(op.path, { size: -1, mode: -1, hash: op.hash }); // the size of what is moved: the hash says it
      }
      if (op.op === 'write' || op.op === 'rename' || op.op === 'mkdir') {
        for (let i = op.path.indexOf('/'); i >= 0; i = op.path.indexOf('/', i + 1)) this.made(op.path.slice(0, i));
      }
      if (op.op === 'mkdir') this.made(op.path);
    }
    this.flush();
  }

  /** The sync left exactly this file at `path`. */
  wrote(path: string, file: WrittenFile): void {
    this.set(path, [file]);
  }

  /** The sync removed the file at `path` (a directory there: see removedTree). */
  removed(path: string): void {
    this.set(path, GONE);
  }

  /** The sync removed the directory tree at `path`: every file it had written under it is gone. */
  removedTree(path: string): void {
    for (const [p, w] of this.files) if (isUnder(p, path) && !(w.length === 1 && w[0] === null)) this.set(p, GONE);
    for (const d of [...this.dirs]) if (isUnder(d, path)) this.unmade(d);
  }

  made(dir: string): void {
    if (this.dirs.has(dir)) return;
    this.dirs.add(dir);
    this.log(['d', dir, 1]);
  }

  unmade(dir: string): void {
    if (!this.dirs.delete(dir)) return;
    this.log(['d', dir, 0]);
  }

  /** Appends what changed since the last flush to the journal (compacting it when it has grown). */
  flush(): void {
    if (!this.stateDir || this.lines.length === 0) return;
    const text = this.lines.join('');
    this.journalLines += this.lines.length;
    this.lines = [];
    if (this.journalLines > 4096 + 2 * (this.files.size + this.dirs.size)) this.compact(this.stateDir);
    else appendFileSync(join(this.stateDir, JOURNAL), text);
  }

  /** Adds a candidate; a path without a record keeps "what it held before" (PRIOR) beside it. */
  private add(path: string, c: WrittenFile | null): void {
    const now = this.files.get(path) ?? [PRIOR];
    if (now.some((x) => (x === null ? c === null : c !== null && x.hash === c.hash && x.size === c.size && x.mode === c.mode))) return;
    this.set(path, [...now, c]);
  }

  private set(path: string, w: Written): void {
    this.files.set(path, w);
    this.log(['f', path, w]);
  }

  private log(line: Line): void {
    if (this.stateDir) this.lines.push(`${JSON.stringify(line)}\n`);
  }

  /** Writes the whole record as the snapshot (temp file, then rename) and empties the journal. */
  private compact(dir: string): void {
    const snapshot = { rootId: this.rootId, files: [...this.files], dirs: [...this.dirs] };
    writeFileSync(join(dir, `${SNAPSHOT}.tmp`), JSON.stringify(snapshot));
    renameSync(join(dir, `${SNAPSHOT}.tmp`), join(dir, SNAPSHOT));
    writeFileSync(join(dir, JOURNAL), '');
    this.journalLines = 0;
  }

  /** Reads the snapshot and replays the journal (a torn last line is ignored); a new state directory gets a new rootId. */
  private load(dir: string): string {
    mkdirSync(dir, { recursive: true });
    let snapshot: { rootId?: unknown; files?: unknown; dirs?: unknown } | undefined;
    try {
      snapshot = JSON.parse(readFileSync(join(dir, SNAPSHOT), 'utf8')) as typeof snapshot;
    } catch {
      snapshot = undefined;
    }
    if (!snapshot || typeof snapshot.rootId !== 'string') {
      const rootId = randomUUID();
      writeFileSync(join(dir, `${SNAPSHOT}.tmp`), JSON.stringify({ rootId, files: [], dirs: [] }));
      renameSync(join(dir, `${SNAPSHOT}.tmp`), join(dir, SNAPSHOT));
      writeFileSync(join(dir, JOURNAL), '');
      return rootId;
    }
    for (const [p, w] of Array.isArray(snapshot.files) ? (snapshot.files as [string, Written][]) : []) this.files.set(p, w);
    for (const d of Array.isArray(snapshot.dirs) ? (snapshot.dirs as string[]) : []) this.dirs.add(d);
    for (const text of readOrEmpty(join(dir, JOURNAL)).split('\n')) {
      if (!text) continue;
      let line: Line;
      try {
        line = JSON.parse(text) as Line;
      } catch {
        continue;
      }
      this.journalLines++;
      if (line[0] === 'f') this.files.set(line[1], line[2]);
      else if (line[2] === 1) this.dirs.add(line[1]);
      else this.dirs.delete(line[1]);
    }
    return snapshot.rootId;
  }
}

function readOrEmpty(p: string): string {
  try {
    return readFileSync(p, 'utf8');
  } catch {
    return '';
  }
}
