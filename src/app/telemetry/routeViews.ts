/**
 * The routes served by the code of a workspace file, with their request-duration metrics: what the
 * CodeLens and hover show above a handler from the route histograms (issue 23). The handler of a
 * route is learned from spans (core/telemetry/metrics/routeHandlers.ts), its place in the
 * workspace through the pipeline's path mappings, its numbers from the slices' metric stores
 * (core/telemetry/metrics/routeLens.ts): the store with the newest data that has the route.
 */
import { type WorkspaceLocation, type CodeLocation } from '../../core/telemetry';
import { type RouteHandler, type RouteHandlers } from '../../core/telemetry/metrics/routeHandlers';
import { type RouteMetrics, comparisonSentence, errorSentence, routeLensTitle, routeMetrics } from '../../core/telemetry/metrics/routeLens';
import { type SliceMetrics } from './sliceMetrics';

/** A route above its handler. */
export interface RouteView {
  readonly handler: RouteHandler;
  /** Where the handler is in the workspace (1-based line, as the pipeline's views). */
  readonly location: WorkspaceLocation;
  /** The slice whose store answered. */
  readonly slice: string;
  readonly metrics: RouteMetrics;
}

export interface RouteViewSettings {
  windowMinutes(): number;
  regressionThreshold(): number;
  /** A significant error-rate rise of at least this (0.05 = 5 points) is a warning; default 0.05. */
  errorRateThreshold?(): number;
}

/** Views are recomputed at most this often while nothing else moves (the window slides). */
const SLIDE_MS = 10_000;

export class RouteViews {
  private cache: Map<string, readonly RouteView[]> | undefined;
  private cacheKey = '';
  /** What each file's route lenses said when last asked (changedFiles). */
  private shown = new Map<string, string>();

  constructor(
    private readonly routes: RouteHandlers,
    private readonly metrics: SliceMetrics,
    private readonly locate: (code: CodeLocation) => WorkspaceLocation | undefined,
    private readonly settings: RouteViewSettings,
    /** Bumped when the path mappings change. */
    private readonly mappingsGeneration: () => number,
  ) {}

  /** The routes whose handler is in `file`, with metrics in a store. */
  forFile(file: string, nowMs = Date.now()): readonly RouteView[] {
    this.refreshKey(nowMs);
    this.cache ??= this.compute(nowMs);
    return this.cache.get(file) ?? [];
  }

  /**
   * The files whose route lenses now say something else than when last asked: metrics come every
   * export interval from every process, traffic or not, and a change event for each kept restarting
   * VS Code's CodeLens request (it cancels the one in flight), so no lens of the file was drawn.
   */
  changedFiles(nowMs = Date.now()): Set<string> {
    const now = new Map<string, string>();
    for (const file of this.files()) now.set(file, JSON.stringify(this.forFile(file, nowMs).map((v) => [v.location.line, routeLensTitle(v.metrics), comparisonSentence(v.metrics), errorSentence(v.metrics)])));
    const changed = new Set<string>();
    for (const [file, text] of now) if (this.shown.get(file) !== text) changed.add(file);
    for (const file of this.shown.keys()) if (!now.has(file)) changed.add(file);
    this.shown = now;
    return changed;
  }

  /** The workspace files that have a route handler (the renderers refresh these when metrics come). */
  files(): Set<string> {
    return new Set(this.located().map((l) => l.location.file));
  }

  private refreshKey(nowMs: number): void {
    const key = `${this.metrics.generation}:${this.routes.generation}:${this.mappingsGeneration()}:${this.settings.windowMinutes()}:${this.settings.regressionThreshold()}:${this.settings.errorRateThreshold?.()}:${Math.floor(nowMs / SLIDE_MS)}`;
    if (key === this.cacheKey) return;
    this.cacheKey = key;
    this.cache = undefined;
  }

  private located(): { handler: RouteHandler; location: WorkspaceLocation }[] {
    const out: { handler: RouteHandler; location: WorkspaceLocation }[] = [];
    for (const handler of this.routes.all()) {
      const location = this.locate(handler.code);
      if (location?.userCode) out.push({ handler, location });
    }
    return out;
  }

  private compute(nowMs: number): Map<string, RouteView[]> {
    const byFile = new Map<string, RouteView[]>();
    const stores = this.metrics.stores();
    const windowMinutes = this.settings.windowMinutes();
    const regressionThreshold = this.settings.regressionThreshold();
    const errorRateThreshold = this.settings.errorRateThreshold?.();
    for (const { handler, location } of this.located()) {
      for (const { slice, store } of stores) {
        const m = routeMetrics(store, handler, nowMs, { windowMinutes, regressionThreshold, ...(errorRateThreshold === undefined ? {} : { errorRateThreshold }) });
        if (!m) continue;
        const list = byFile.get(location.file) ?? [];
        list.push({ handler, location, slice, metrics: m });
        byFile.set(location.file, list);
        break;
      }
    }
    return byFile;
  }
}
