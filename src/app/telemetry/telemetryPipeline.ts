import { DisposableStore, type IDisposable } from '../../core/base/disposable';
import { type Event, Emitter } from '../../core/base/event';
import { type ILogger } from '../../core/base/logger';
import {
  type CodeLocation,
  type ErrorSample,
  type FileView,
  type PathMappingEntry,
  type SourceTag,
  type WorkspaceLocation,
  Locator,
  PathMapper,
  type RejectReason,
  RejectionCounter,
  SOURCE_BASELINE,
  SOURCE_SLICE,
  TelemetryAggregator,
  parseLogLine,
} from '../../core/telemetry';
import { TraceStore } from '../../core/telemetry/traceStore';
import { DecodeAhead } from './decodeAhead';
import { type DecodeAnswer, InlineDecoder, type TelemetryDecoder, type TelemetryPayload } from '../../core/telemetry/decodePayload';
import { codeFiles, spansOf } from '../../core/telemetry/spanBatch';
import { StackCache } from '../../core/telemetry/stack/stackCache';
import { RecentErrors } from './recentErrors';
import { RouteHandlers } from '../../core/telemetry/metrics/routeHandlers';
import { COMPARE_DEFAULTS } from '../../core/telemetry/metrics/compare';
import { RouteViews } from './routeViews';
import { SliceMetrics, UNNAMED_SLICE } from './sliceMetrics';
import { type WorkspaceFileReader, WorkspaceFiles } from './workspaceFiles';

/** Whose telemetry the editor shows: my slice's, the baseline's, or both side by side (setting `slice.telemetry.source`). */
export type TelemetrySourceSetting = 'mine' | 'baseline' | 'both';

/** What the pipeline asks of its host: the workspace files, and the settings read fresh each time. */
export interface TelemetryPipelineHost {
  readonly files: WorkspaceFileReader;
  /** The window, in whole minutes. */
  windowMinutes(): number;
  /** The sources shown. */
  source(): TelemetrySourceSetting;
  /** A significant slowdown against the baseline from this relative p95 increase on is a warning (0.5: +50 %); default 0.5. */
  regressionThreshold?(): number;
  /** A significant error-rate rise against the baseline of at least this (0.05: 5 percentage points) is a warning; default 0.05. */
  errorRateThreshold?(): number;
}

/** One payload as the in-container agent relays it (or as recorded in a file): the core's {@link TelemetryPayload}, and for metrics the slice they belong to. */
export type IngestPayload = TelemetryPayload & { readonly slice?: string };

export interface IngestResult {
  readonly spans: number;
  readonly logs: number;
  /** Metric data points stored. */
  readonly metrics?: number;
  /** Why the payload was refused as a whole, when it was. */
  readonly rejected?: string;
}

/** Items aggregated between two looks at the clock. */
const CHUNK = 250;
/** Longest stretch of aggregation before the event loop gets a turn: the extension host never blocks for long on a burst. */
const SLICE_MS = 4;
/** Payloads decoded ahead of aggregation at most: one aggregated now, the next two with the decoder. */
const DECODE_AHEAD = 3;
const yieldToLoop = () => new Promise<void>((r) => setImmediate(r));

/** The source tag of the developer's own slice ('mine' is accepted as an alias). */
export function sourceTag(source: string): SourceTag {
  return source === 'mine' ? SOURCE_SLICE : source;
}

/**
 * The telemetry pipeline (issue 21's app layer): ingest → decoder (a worker thread in the
 * extension, behind core's TelemetryDecoder) → span batches read back chunk by chunk → aggregator,
 * trace store and recent errors → the views the editor renders. Decodes OTLP payloads (through its decoder: a worker thread in the
 * extension) and container log lines, feeds the
 * per-line aggregator and the recent-trace store in chunks (yielding between them), maps container
 * paths through slice.yaml's sync mappings, and keeps file versions (content hashes) so data for
 * code that has changed since is marked stale.
 */
export class TelemetryPipeline implements IDisposable {
  private readonly store = new DisposableStore('telemetry service');
  private readonly changed = this.store.add(new Emitter<ReadonlySet<string> | undefined>());
  /** Per file: the views last served, valid while the file's data generation, the minute, the buffer's version and the sources shown are. */
  private readonly viewCache = new Map<string, { gen: number; minute: number; version: string | undefined; sources: readonly SourceTag[]; views: readonly FileView[] }>();
  private shown: readonly SourceTag[] | undefined;
  /** The first workspace frame of each error sample (null: none), while the path mappings last. */
  private throwSites = new WeakMap<ErrorSample, WorkspaceLocation | null>();
  private mapper: PathMapper;
  private mappingEntries: readonly PathMappingEntry[];
  private aggregatorInstance: TelemetryAggregator;
  private queue: Promise<unknown> = Promise.resolve();
  /** Decodes at most {@link DECODE_AHEAD} payloads ahead of aggregation. */
  private readonly decodes: DecodeAhead;
  /** Payloads queued and not aggregated yet. */
  private queued = 0;
  private readonly workspaceFiles: WorkspaceFiles;
  /** Stack traces parsed once, for the aggregator and the recent errors alike. */
  private readonly stacks = new StackCache();
  readonly traces = new TraceStore();
  readonly errors = new RecentErrors();
  readonly rejections = new RejectionCounter();
  /** The metric stores, one per slice (issue 23). */
  readonly metrics: SliceMetrics;
  /** Which code serves which HTTP route, learned from spans. */
  readonly routes = new RouteHandlers();
  /** The routes above their handlers, with their metrics. */
  readonly routeViews: RouteViews;
  private mappingsGen = 0;
  locator: Locator;

  /** Fires after each ingested chunk with the workspace files that changed (undefined: all); listeners throttle their own rendering. */
  readonly onDidChange: Event<ReadonlySet<string> | undefined> = this.changed.event;

  constructor(
    private readonly logger: ILogger,
    private readonly host: TelemetryPipelineHost,
    mappings: readonly PathMappingEntry[] = [],
    /** Decodes OTLP payloads (a worker thread in the extension; in-thread by default). */
    decoder: TelemetryDecoder = new InlineDecoder(),
  ) {
    this.decodes = new DecodeAhead(decoder, DECODE_AHEAD);
    this.workspaceFiles = new WorkspaceFiles(host.files, (file) => this.changed.fire(new Set([file])));
    this.mappingEntries = mappings;
    this.mapper = new PathMapper(mappings);
    this.locator = new Locator(this.mapper);
    this.aggregatorInstance = this.newAggregator();
    this.metrics = this.store.add(new SliceMetrics(logger));
    this.routeViews = new RouteViews(this.routes, this.metrics, (code) => this.locator.resolveCode(code), {
      windowMinutes: () => host.windowMinutes(),
      regressionThreshold: () => host.regressionThreshold?.() ?? COMPARE_DEFAULTS.warnIncrease,
      errorRateThreshold: () => host.errorRateThreshold?.() ?? COMPARE_DEFAULTS.warnErrorRise,
    }, () => this.mappingsGen);
  }

  get aggregator(): TelemetryAggregator {
    return this.aggregatorInstance;
  }

  get mappings(): readonly PathMappingEntry[] {
    return this.mappingEntries;
  }

  private newAggregator(): TelemetryAggregator {
    return new TelemetryAggregator({ locator: this.locator, windowMinutes: this.host.windowMinutes(), stacks: this.stacks });
  }

  /** Replaces the container → workspace mappings. Data collected under other mappings is dropped. */
  setPathMappings(mappings: readonly PathMappingEntry[]): void {
    if (JSON.stringify(mappings) === JSON.stringify(this.mappingEntries)) return;
    this.mappingEntries = mappings;
    this.mapper = new PathMapper(mappings);
    this.locator = new Locator(this.mapper);
    this.throwSites = new WeakMap();
    this.mappingsGen++;
    this.logger.info(`telemetry: path mappings ${mappings.map((m) => `${m.containerPath} → ${m.localPath}`).join(', ') || '(none)'}`);
    this.reset();
  }

  /** Starts a new aggregator (e.g. after the window setting changed). */
  reset(): void {
    this.aggregatorInstance.dispose();
    this.aggregatorInstance = this.newAggregator();
    this.workspaceFiles.forgetVersions();
    this.fireAll();
  }

  /** Everything may have changed (sources shown, data cleared, window). */
  fireAll(): void {
    this.viewCache.clear();
    this.shown = undefined;
    this.changed.fire(undefined);
  }

  /** Pulls the changed files from the aggregator, drops their cached views, tells the listeners (an empty set: only traces or errors changed). */
  private fireChanged(): void {
    const files = new Set<string>();
    for (const c of this.aggregatorInstance.takeChanged()) files.add(c.file);
    this.changed.fire(files);
  }

  /** The sources the editor shows now (setting `slice.telemetry.source`). */
  shownSources(setting: TelemetrySourceSetting = this.host.source()): SourceTag[] {
    if (setting === 'baseline') return [SOURCE_BASELINE];
    if (setting === 'both') return [SOURCE_SLICE, SOURCE_BASELINE];
    return [SOURCE_SLICE];
  }

  /**
   * The views of a workspace file for the shown sources; `version` is the content hash of the buffer
   * (entries recorded against another version are marked stale). Cached by (file, data generation,
   * minute, version, sources): while none moves, every caller (CodeLens, decorations, hovers,
   * diagnostics) gets the same array; when one does, the aggregator recomputes only what changed.
   */
  views(file: string, version: string | undefined): readonly FileView[] {
    const sources = (this.shown ??= this.shownSources());
    const gen = this.aggregatorInstance.generation(file);
    const minute = Math.floor(Date.now() / 60_000);
    const hit = this.viewCache.get(file);
    if (hit && hit.gen === gen && hit.minute === minute && hit.version === version && hit.sources === sources) return hit.views;
    const views: FileView[] = [];
    for (const s of sources) {
      const v = this.aggregatorInstance.query(file, s, version);
      if (v) views.push(v);
    }
    if (this.viewCache.size > 500) this.viewCache.clear();
    this.viewCache.set(file, { gen, minute, version, sources, views });
    return views;
  }

  /** Files with data for the shown sources. */
  files(): string[] {
    const all = new Set<string>();
    for (const s of this.shownSources()) for (const f of this.aggregatorInstance.files(s)) all.add(f);
    return [...all];
  }

  /** The version of a workspace file the slice runs now (from a sync acknowledgement, or a save). */
  setFileVersion(file: string, version: string | undefined): void {
    this.workspaceFiles.versionGiven(file);
    this.aggregatorInstance.setFileVersion(file, version);
    this.viewCache.delete(file);
  }

  /**
   * Queues a payload; resolves once it is decoded and aggregated. Decoding starts as soon as fewer
   * than {@link DECODE_AHEAD} payloads are ahead of aggregation (in the decoder's worker, beside the
   * aggregation of earlier payloads); aggregation keeps arrival order.
   */
  ingest(payload: IngestPayload): Promise<IngestResult> {
    const ticket = this.decodes.take({ kind: payload.kind, encoding: payload.encoding, body: payload.body, source: sourceTag(payload.source) });
    this.queued++;
    const run = this.queue
      // the answer goes through promises made now, not through those made on arrival (old by now)
      .then(() => ticket.answer().then((answer) => this.process(answer, payload.slice)))
      .finally(() => {
        this.queued--;
        this.decodes.release();
      });
    this.queue = run.catch(() => undefined);
    return run;
  }

  /** True while payloads wait to be aggregated (a burst): renderers space their runs further apart. */
  get busy(): boolean {
    return this.queued > 1;
  }

  /** Resolves when every payload queued so far has been aggregated. */
  async settled(): Promise<void> {
    await this.queue;
  }

  /** Adds one container log line (from the Kubernetes log stream). */
  ingestLogLine(line: string, source: string): boolean {
    const r = parseLogLine(line, { source: sourceTag(source), counter: this.rejections, receivedMs: Date.now() });
    if (!r.ok) return false;
    this.aggregatorInstance.addLog(r.value);
    this.errors.addLogs([r.value], this.locator, this.stacks);
    this.fireChanged();
    return true;
  }

  clear(): void {
    this.aggregatorInstance.clear();
    this.traces.clear();
    this.errors.clear();
    this.metrics.clear();
    this.routes.clear();
    this.workspaceFiles.forgetExistence();
    this.fireAll();
  }

  /** Whether a mapped workspace file exists: known answers at once; otherwise undefined, and a change event for the file once it has been checked. */
  exists(file: string): boolean | undefined {
    return this.workspaceFiles.exists(file);
  }

  /**
   * True when an error's stack says it was thrown at another workspace line than `line` of `file`
   * (a failing span's own line, say): that line carries it; this one need not repeat it.
   */
  thrownElsewhere(file: string, line: number, error: ErrorSample): boolean {
    let site = this.throwSites.get(error);
    if (site === undefined) {
      site = null;
      for (const f of error.frames) {
        const loc = this.locator.resolveFrame(f);
        if (loc?.userCode) {
          site = loc;
          break;
        }
      }
      this.throwSites.set(error, site);
    }
    return site !== null && (site.file !== file || site.line !== line);
  }

  /** Where a span's or log's `code.*` location is in the workspace. */
  locate(code: CodeLocation | undefined): WorkspaceLocation | undefined {
    return this.locator.resolveCode(code);
  }

  /** The slice is gone for this identity (TelemetrySink): its metric store goes. */
  sliceEnded(slice: string): void {
    this.metrics.forget(slice);
    this.changed.fire(this.routeViews.files());
  }

  private async process(answer: DecodeAnswer, slice: string | undefined): Promise<IngestResult> {
    if (answer.kind === 'failed') return { spans: 0, logs: 0, rejected: answer.detail };
    for (const [reason, n] of Object.entries(answer.counts) as [RejectReason, number][]) this.rejections.add(reason, n);
    if (answer.kind === 'rejected') return { spans: 0, logs: 0, rejected: `${answer.rejection.reason}: ${answer.rejection.detail}` };
    if (answer.kind === 'metrics') {
      const report = this.metrics.ingest(slice ?? UNNAMED_SLICE, answer.metrics, Date.now());
      const files = this.routeViews.changedFiles();
      if (files.size > 0) this.changed.fire(files);
      return { spans: 0, logs: 0, metrics: report.stored };
    }
    if (answer.kind === 'traces') {
      const packed = answer.spans;
      await this.ensureVersions(codeFiles(packed));
      // spans are made chunk by chunk, right before they are aggregated: few live across turns
      await this.inSlices(packed.count, (from, to) => {
        const chunk = spansOf(packed, from, to);
        this.aggregatorInstance.addSpans(chunk);
        this.traces.add(chunk);
        this.routes.observe(chunk);
        this.errors.addSpans(chunk, this.locator, this.stacks);
      });
      return { spans: packed.count, logs: 0 };
    }
    const logs = answer.logs;
    await this.ensureVersions(logs.map((l) => l.code?.file));
    await this.inSlices(logs.length, (from, to) => {
      const chunk = from === 0 && to === logs.length ? logs : logs.slice(from, to);
      this.aggregatorInstance.addLogs(chunk);
      this.errors.addLogs(chunk, this.locator, this.stacks);
    });
    return { spans: 0, logs: logs.length };
  }

  /**
   * Feeds `count` items to `take` as index ranges of {@link CHUNK}, giving the event loop a turn whenever {@link SLICE_MS} have
   * passed (and after the last chunk, so a queue of payloads never runs in one turn). Listeners hear
   * of the changes once per turn, not per chunk; they throttle their own rendering.
   */
  private async inSlices(count: number, take: (from: number, to: number) => void): Promise<void> {
    let start = performance.now();
    for (let i = 0; i < count; i += CHUNK) {
      take(i, Math.min(count, i + CHUNK));
      if (i + CHUNK >= count || performance.now() - start >= SLICE_MS) {
        this.fireChanged();
        await yieldToLoop();
        start = performance.now();
      }
    }
  }

  /** Records the version of the workspace files of these reported paths seen for the first time (see {@link WorkspaceFiles.versionNew}). */
  private async ensureVersions(reported: readonly (string | undefined)[]): Promise<void> {
    const local = new Set<string>();
    for (const f of new Set(reported)) {
      const loc = f === undefined ? undefined : this.locator.resolve(f, 1, 0, undefined);
      if (loc) local.add(loc.file);
    }
    await this.workspaceFiles.versionNew(local, (file, version) => this.aggregatorInstance.setFileVersion(file, version));
  }

  dispose(): void {
    this.decodes.dispose();
    this.aggregatorInstance.dispose();
    this.store.dispose();
  }
}
