/**
 * Aggregates spans and log records per (source, file, line) and per (source, file, function) over
 * a sliding window: calls, errors, latency quantiles (DDSketch), the last error and the last log
 * lines. Memory is bounded: per-minute buckets, rings of log lines, a cap on tracked entries with
 * least-recently-updated eviction, bounded caches.
 *
 * Staleness: {@link TelemetryAggregator.setFileVersion} tells which version (e.g. content hash) of a
 * workspace file the slice runs now; data is recorded against that version, and a query for another
 * version marks it stale (its lines may have moved). New data for another version starts afresh.
 */
import { type Event } from '../../base/event';
import { type IDisposable } from '../../base/disposable';
import { type LogRecord, type ParsedStack, type Span, type SourceTag, SEVERITY_ERROR, STATUS_ERROR, answeredOnPurpose } from '../model';
import { type Locator } from '../locate';
import { StackCache } from '../stack/stackCache';
import { ChangedFiles } from './changedFiles';
import { type Entry, type FnEntry, type LineEntry, FileEntry, newFnEntry, newLineEntry } from './entries';
import { HeldErrors } from './heldErrors';
import { LocationCache } from './locationCache';
import { Ring } from './ring';
import { type AggregatorStats, type ErrorSample, type FileView, type LogSample } from './view';
import { MINUTE_MS } from './window';

/** Options of the aggregator. */
export interface AggregatorOptions {
  /** Resolves reported locations into the workspace. */
  readonly locator: Locator;
  /** Window length in minutes (default 5). */
  readonly windowMinutes?: number;
  /** Most line + function entries tracked over all sources and files (default 5,000). */
  readonly maxKeys?: number;
  /** Log lines kept per line (default 5). */
  readonly logsPerLine?: number;
  /** The clock (ms since epoch); data is bucketed by arrival time, immune to container clock skew. */
  readonly now?: () => number;
  /** The pipeline's parsed stack traces (shared with whoever else reads them); a cache of its own by default. */
  readonly stacks?: StackCache;
}

/** OTLP SpanKind SERVER, here as a literal: the check runs for every span. */
/** The per-line, per-function aggregator of one workspace. */
export class TelemetryAggregator implements IDisposable {
  private readonly sources = new Map<SourceTag, Map<string, FileEntry>>();
  private readonly versions = new Map<string, string>();
  private readonly locations: LocationCache;
  private readonly stacks: StackCache;
  private readonly changes = new ChangedFiles();
  /** Moved on by every version change: a FileEntry's cached version of this epoch is current. */
  private versionsEpoch = 0;
  private readonly windowMinutes: number;
  private readonly maxKeys: number;
  private readonly logsPerLine: number;
  private readonly now: () => number;
  private tick = 0;
  /** Writes so far: the source of generations (never reused). */
  private writes = 0;
  /** Per workspace path, the generation of its last write (any source); shared with the path's FileEntries. */
  private readonly pathGens = new Map<string, { n: number }>();
  private keys = 0;
  private counters = { spans: 0, logs: 0, unlocated: 0, evictions: 0 };
  /** Errors of requests whose server span has not arrived yet (children end, and are exported, first). */
  private readonly held = new HeldErrors();

  /** Fires (at most once until {@link takeChanged} is called) when data arrives: the editor then pulls the changes. */
  readonly onDidChange: Event<void> = this.changes.onDidChange;

  constructor(private readonly options: AggregatorOptions) {
    this.windowMinutes = options.windowMinutes ?? 5;
    this.maxKeys = options.maxKeys ?? 5_000;
    this.logsPerLine = options.logsPerLine ?? 5;
    this.now = options.now ?? Date.now;
    this.stacks = options.stacks ?? new StackCache();
    this.locations = new LocationCache(options.locator);
  }

  /** The version of a workspace file that the slice runs now (from sync acknowledgements); undefined forgets it. */
  setFileVersion(file: string, version: string | undefined): void {
    if (version === undefined) this.versions.delete(file);
    else this.versions.set(file, version);
    this.versionsEpoch++;
  }

  /** Adds a batch of decoded spans. */
  addSpans(spans: readonly Span[]): void {
    const minute = Math.floor(this.now() / MINUTE_MS);
    for (let i = 0; i < spans.length; i++) this.addSpanAt(spans[i]!, minute);
  }

  /** Adds one span. */
  addSpan(span: Span): void {
    this.addSpanAt(span, Math.floor(this.now() / MINUTE_MS));
  }

  /** Adds a batch of log records (OTLP logs or parsed container lines). */
  addLogs(records: readonly LogRecord[]): void {
    const minute = Math.floor(this.now() / MINUTE_MS);
    for (let i = 0; i < records.length; i++) this.addLogAt(records[i]!, minute);
  }

  addLog(record: LogRecord): void {
    this.addLogAt(record, Math.floor(this.now() / MINUTE_MS));
  }

  private addSpanAt(span: Span, minute: number): void {
    this.counters.spans++;
    // a server span that answered a 4xx on purpose (read at decode time: no attribute object, no string)
    if (this.held.count > 0 && answeredOnPurpose(span)) this.serverSpan(span, span.httpStatus ?? 0);
    const error = span.status.code === STATUS_ERROR;
    const code = span.code;
    const loc = code && code.file !== undefined && code.line !== undefined ? this.locations.resolve(code.file, code.line, code.column ?? 0) : undefined;
    const ex = span.exceptions.length > 0 ? span.exceptions[span.exceptions.length - 1] : undefined;
    let sample: ErrorSample | undefined;
    let stack: ParsedStack | undefined;
    const key = error && span.traceId ? span.traceId : undefined;
    if (error || ex) {
      stack = ex && ex.stacktrace ? this.parse(ex.stacktrace, span.resource.attributes['telemetry.sdk.language']) : undefined;
      sample = {
        type: ex?.type || stack?.type || '',
        message: ex?.message || span.status.message || stack?.message || '',
        frames: stack?.frames ?? [],
        stacktrace: ex?.stacktrace ?? '',
        traceId: span.traceId,
        spanId: span.spanId,
        timeMs: ex?.timeMs || span.startMs + span.durationMs,
        service: span.resource.serviceName,
      };
    }
    const throwSite = stack ? this.options.locator.throwSite(stack) : undefined;
    if (!loc && !throwSite) {
      this.counters.unlocated++;
      return;
    }
    if (loc) {
      const file = this.file(span.source, loc.file);
      const line = this.lineEntry(file, loc.file, loc.line);
      line.stats.record(minute, span.durationMs, error);
      if (sample) line.lastError = sample;
      if (error && sample && key) this.held.hold(key, span.resource.serviceName, line, file, minute, sample);
      const fnName = code?.function ?? loc.function;
      if (fnName !== undefined) {
        const fn = this.fnEntry(file, loc.file, fnName);
        fn.line = loc.line;
        fn.stats.record(minute, span.durationMs, error);
        if (sample) fn.lastError = sample;
        if (error && sample && key) this.held.hold(key, span.resource.serviceName, fn, file, minute, sample);
      }
      this.changes.mark(file);
    }
    if (throwSite && sample && (!loc || throwSite.file !== loc.file || throwSite.line !== loc.line)) {
      const file = this.file(span.source, throwSite.file);
      const line = this.lineEntry(file, throwSite.file, throwSite.line);
      line.stats.recordError(minute);
      line.lastError = sample;
      if (key) this.held.hold(key, span.resource.serviceName, line, file, minute, sample);
      this.changes.mark(file);
    }
    if (this.keys > this.maxKeys) this.evict();
  }

  /**
   * A server span of a trace with errors held: when it answered a 4xx on purpose, the errors its
   * service's handler threw to answer it are taken back (no longer counted; their samples say how
   * the request was answered). Its attributes are read only then.
   */
  private serverSpan(span: Span, status: number): void {
    this.held.takeBack(span.traceId, span.resource.serviceName, (entry, file, minute, sample) => {
      entry.stats.unrecordError(minute);
      if (entry.lastError === sample) entry.lastError = { ...sample, answered: status };
      entry.gen++;
      this.bump(file);
      this.changes.mark(file);
    });
  }

  private addLogAt(r: LogRecord, minute: number): void {
    this.counters.logs++;
    const code = r.code;
    let loc = code && code.file !== undefined && code.line !== undefined ? this.locations.resolve(code.file, code.line, code.column ?? 0) : undefined;
    const stack = r.exception?.stacktrace ? this.parse(r.exception.stacktrace, r.resource.attributes['telemetry.sdk.language']) : undefined;
    if (!loc && stack) loc = this.options.locator.throwSite(stack);
    if (!loc) {
      this.counters.unlocated++;
      return;
    }
    const isError = r.severityNumber >= SEVERITY_ERROR || r.exception !== undefined;
    const file = this.file(r.source, loc.file);
    const line = this.lineEntry(file, loc.file, loc.line);
    (line.logs ??= new Ring<LogSample>(this.logsPerLine)).push({
      timeMs: r.timeMs,
      severityNumber: r.severityNumber,
      body: r.body.length > 1000 ? r.body.slice(0, 1000) : r.body,
      traceId: r.traceId,
    });
    if (isError) {
      line.stats.recordError(minute);
      line.lastError = {
        type: r.exception?.type || stack?.type || '',
        message: r.exception?.message || stack?.message || r.body,
        frames: stack?.frames ?? [],
        stacktrace: r.exception?.stacktrace ?? '',
        traceId: r.traceId,
        spanId: r.spanId,
        timeMs: r.timeMs,
        service: r.resource.serviceName,
      };
    }
    this.changes.mark(file);
    if (this.keys > this.maxKeys) this.evict();
  }

  private parse(stacktrace: string, language: unknown): ParsedStack {
    return this.stacks.parse(stacktrace, language);
  }

  private file(source: SourceTag, path: string): FileEntry {
    let files = this.sources.get(source);
    if (!files) {
      files = new Map();
      this.sources.set(source, files);
    }
    let f = files.get(path);
    if (!f) {
      let g = this.pathGens.get(path);
      if (!g) this.pathGens.set(path, (g = { n: 0 }));
      f = new FileEntry(source, path, g);
      files.set(path, f);
    }
    return f;
  }

  /** Touches the entry; resets it (and returns true) when the file's version moved on since its data was recorded. */
  private refresh(e: Entry, f: FileEntry, path: string): boolean {
    e.touched = ++this.tick;
    const v = this.versionOf(f, path);
    if (e.version === v) return false;
    e.version = v;
    e.stats.reset();
    e.lastError = undefined;
    return true;
  }

  /** The entry of a line, about to be written: its generation and its file's are bumped. */
  private lineEntry(f: FileEntry, path: string, line: number): LineEntry {
    this.bump(f);
    const e = f.lines.get(line);
    if (e) {
      e.gen++;
      if (this.refresh(e, f, path)) e.logs?.clear();
      return e;
    }
    const created = newLineEntry(this.windowMinutes, this.versionOf(f, path), ++this.tick);
    f.lines.set(line, created);
    this.keys++;
    return created;
  }

  /** The entry of a function, about to be written: its generation and its file's are bumped. */
  private fnEntry(f: FileEntry, path: string, name: string): FnEntry {
    this.bump(f);
    const e = f.functions.get(name);
    if (e) {
      e.gen++;
      this.refresh(e, f, path);
      return e;
    }
    const created = newFnEntry(this.windowMinutes, this.versionOf(f, path), ++this.tick);
    f.functions.set(name, created);
    this.keys++;
    return created;
  }

  /** The version the slice runs of the entry's file, cached on the entry until a version changes. */
  private versionOf(f: FileEntry, path: string): string | undefined {
    if (f.versionEpoch !== this.versionsEpoch) {
      f.version = this.versions.get(path);
      f.versionEpoch = this.versionsEpoch;
    }
    return f.version;
  }

  /** The (source, file) pairs with new data since the last call; re-arms {@link onDidChange}. */
  takeChanged(): { source: SourceTag; file: string }[] {
    return this.changes.take();
  }

  /** Evicts the least recently updated tenth of the entries (amortised: runs once per maxKeys/10 new keys). */
  private evict(): void {
    const all: { touched: number; drop: () => void }[] = [];
    for (const [source, files] of this.sources) {
      for (const [path, f] of files) {
        const dropFileIfEmpty = () => {
          this.bump(f);
          if (f.lines.size === 0 && f.functions.size === 0) files.delete(path);
          if (files.size === 0) this.sources.delete(source);
        };
        for (const [line, e] of f.lines) all.push({ touched: e.touched, drop: () => (f.lines.delete(line), dropFileIfEmpty()) });
        for (const [name, e] of f.functions) all.push({ touched: e.touched, drop: () => (f.functions.delete(name), dropFileIfEmpty()) });
      }
    }
    all.sort((a, b) => a.touched - b.touched);
    const n = Math.max(1, Math.ceil(this.maxKeys / 10) + (this.keys - this.maxKeys));
    for (let i = 0; i < n && i < all.length; i++) all[i]!.drop();
    // forget the generations of files no source has any more
    for (const path of this.pathGens.keys()) {
      let held = false;
      for (const files of this.sources.values()) held ||= files.has(path);
      if (!held) this.pathGens.delete(path);
    }
    const dropped = Math.min(n, all.length);
    this.keys -= dropped;
    this.counters.evictions += dropped;
  }

  /**
   * The statistics of a workspace file for one source over the window ending now. Entries recorded
   * against another version than `currentVersion` are marked stale (when both are known).
   */
  query(file: string, source: SourceTag, currentVersion?: string): FileView | undefined {
    return this.sources.get(source)?.get(file)?.query(Math.floor(this.now() / MINUTE_MS), currentVersion);
  }

  /**
   * A number that changes whenever data of `file` (any source) changes: with the minute and the
   * buffer's version, what a cached view of the file depends on.
   */
  generation(file: string): number {
    return this.pathGens.get(file)?.n ?? -1;
  }

  /** A write to `f`: its generation (and its path's, over all sources) takes a value never used before. */
  private bump(f: FileEntry): void {
    f.gen = f.pathGen.n = ++this.writes;
  }

  /** The sources with data. */
  sourceTags(): SourceTag[] {
    return [...this.sources.keys()];
  }

  /** The workspace files with data for a source. */
  files(source: SourceTag): string[] {
    return [...(this.sources.get(source)?.keys() ?? [])];
  }

  stats(): AggregatorStats {
    return { ...this.counters, keys: this.keys };
  }

  /** Forgets everything (e.g. when the slice is torn down). */
  clear(): void {
    this.sources.clear();
    this.pathGens.clear();
    this.locations.clear();
    this.stacks.clear();
    this.held.clear();
    this.changes.clear();
    this.keys = 0;
  }

  dispose(): void {
    this.clear();
    this.changes.dispose();
  }
}
