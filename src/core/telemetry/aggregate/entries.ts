/**
 * The aggregator's entries (one per line, one per function, per source and file) and the cached
 * per-file views built from them. Every write bumps the entry's and its file's generation; a view
 * is rebuilt only when the file's generation, the minute or the asked-for version moved, and then
 * only the entries whose own generation moved recompute their summary (sketch quantiles).
 */
import type { Ring } from './ring';
import { type ErrorSample, type FileView, type FunctionStats, type LineStats, type LogSample } from './view';
import { type Quantiles } from './quantiles';
import { WindowedStats, mergeAll } from './window';
import { type Buckets, sketchBuckets } from '../metrics/compare';

interface Cached<T> {
  readonly gen: number;
  readonly minute: number;
  readonly stale: boolean;
  /** Undefined when the entry has nothing in the window (it is left out of the view). */
  readonly stats: T | undefined;
}

export interface Entry {
  readonly stats: WindowedStats;
  version: string | undefined;
  lastError: ErrorSample | undefined;
  touched: number;
  /** Bumped on every write. */
  gen: number;
}
export interface LineEntry extends Entry {
  logs: Ring<LogSample> | undefined;
  cached: Cached<LineStats> | undefined;
}
export interface FnEntry extends Entry {
  line: number;
  cached: Cached<FunctionStats> | undefined;
}

/** The entries of one (source, file), and its last view. */
export class FileEntry {
  readonly lines = new Map<number, LineEntry>();
  readonly functions = new Map<string, FnEntry>();
  /** Moved on by every write to any entry of the file (and by evictions). */
  gen = 0;
  /** The aggregator's change epoch in which the file was last marked changed (the aggregator's bookkeeping). */
  changedMark = -1;
  /** The version of the file the slice runs, as of the aggregator's version epoch `versionEpoch`. */
  version: string | undefined = undefined;
  versionEpoch = -1;
  private view: { gen: number; minute: number; version: string | undefined; view: FileView } | undefined;

  constructor(
    readonly source: string,
    readonly path: string,
    /** The generation of the path over all sources, moved on with {@link gen}. */
    readonly pathGen: { n: number },
  ) {}

  /**
   * The statistics over the window ending at `minute`. Entries recorded against another version
   * than `currentVersion` are marked stale (when both are known). Served from the last view while
   * nothing changed; otherwise only changed entries recompute their summary.
   */
  query(minute: number, currentVersion: string | undefined): FileView {
    const v = this.view;
    if (v && v.gen === this.gen && v.minute === minute && v.version === currentVersion) return v.view;
    const lines: LineStats[] = [];
    for (const [line, e] of this.lines) {
      const s = lineStats(e, line, minute, currentVersion);
      if (s) lines.push(s);
    }
    const functions: FunctionStats[] = [];
    for (const [name, e] of this.functions) {
      const s = fnStats(e, name, minute, currentVersion);
      if (s) functions.push(s);
    }
    lines.sort((a, b) => a.line - b.line);
    functions.sort((a, b) => a.line - b.line);
    const view: FileView = { source: this.source, file: this.path, lines, functions, stale: lines.some((l) => l.stale) || functions.some((x) => x.stale) };
    this.view = { gen: this.gen, minute, version: currentVersion, view };
    return view;
  }
}

const isStale = (recorded: string | undefined, current: string | undefined) => current !== undefined && recorded !== undefined && recorded !== current;

/**
 * Calls and errors of an entry's window, counted when the view is built, and its latency quantiles,
 * computed on first read: during a burst every changed entry's view is rebuilt at each render, and
 * most of them are never asked for their latencies (decorations and the Problems panel read only
 * errors and logs; the CodeLens provider titles only the functions near the visible lines; a hover
 * asks one line).
 */
abstract class WindowView {
  readonly calls: number;
  readonly errors: number;
  #q: Quantiles | undefined;

  constructor(
    private readonly window: WindowedStats,
    private readonly minute: number,
  ) {
    const c = window.counts(minute);
    this.calls = c.calls;
    this.errors = c.errors;
  }

  private get q(): Quantiles {
    return (this.#q ??= this.window.quantiles(this.minute));
  }
  #d: Buckets | null | undefined;
  /** The window's durations as buckets (the merged sketch's bins), for the comparison with the baseline (../metrics/compare.ts); undefined without durations. Computed on first read. */
  durationBuckets(): Buckets | undefined {
    if (this.#d === undefined) {
      const sketches = this.window.sketches(this.minute);
      this.#d = sketches.length === 0 ? null : sketchBuckets(mergeAll(sketches));
    }
    return this.#d ?? undefined;
  }
  get p50(): number {
    return this.q.p50;
  }
  get p95(): number {
    return this.q.p95;
  }
  get p99(): number {
    return this.q.p99;
  }
  get maxMs(): number {
    return this.q.maxMs;
  }
}

/** A line's statistics. */
class LineView extends WindowView implements LineStats {
  constructor(
    readonly line: number,
    window: WindowedStats,
    minute: number,
    readonly lastError: ErrorSample | undefined,
    readonly lastLogs: readonly LogSample[],
    readonly version: string | undefined,
    readonly stale: boolean,
  ) {
    super(window, minute);
  }
}

/** A function's statistics. */
class FunctionView extends WindowView implements FunctionStats {
  readonly function: string;

  constructor(
    name: string,
    readonly line: number,
    window: WindowedStats,
    minute: number,
    readonly lastError: ErrorSample | undefined,
    readonly version: string | undefined,
    readonly stale: boolean,
  ) {
    super(window, minute);
    this.function = name;
  }
}

function lineStats(e: LineEntry, line: number, minute: number, current: string | undefined): LineStats | undefined {
  const stale = isStale(e.version, current);
  const c = e.cached;
  if (c && c.gen === e.gen && c.minute === minute && c.stale === stale) return c.stats;
  const stats: LineStats | undefined =
    e.stats.isEmpty(minute) && !e.logs?.length && !e.lastError ? undefined : new LineView(line, e.stats, minute, e.lastError, e.logs?.newestFirst() ?? [], e.version, stale);
  e.cached = { gen: e.gen, minute, stale, stats };
  return stats;
}

function fnStats(e: FnEntry, name: string, minute: number, current: string | undefined): FunctionStats | undefined {
  const stale = isStale(e.version, current);
  const c = e.cached;
  if (c && c.gen === e.gen && c.minute === minute && c.stale === stale) return c.stats;
  const stats: FunctionStats | undefined = e.stats.isEmpty(minute) ? undefined : new FunctionView(name, e.line, e.stats, minute, e.lastError, e.version, stale);
  e.cached = { gen: e.gen, minute, stale, stats };
  return stats;
}

export function newLineEntry(windowMinutes: number, version: string | undefined, touched: number): LineEntry {
  return { stats: new WindowedStats(windowMinutes), version, lastError: undefined, touched, gen: 0, logs: undefined, cached: undefined };
}

export function newFnEntry(windowMinutes: number, version: string | undefined, touched: number): FnEntry {
  return { stats: new WindowedStats(windowMinutes), version, lastError: undefined, touched, gen: 0, line: 0, cached: undefined };
}
