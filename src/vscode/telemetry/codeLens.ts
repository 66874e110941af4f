import * as vscode from 'vscode';
import { DisposableStore, type IDisposable } from '../../core/base/disposable';
import { type FunctionStats } from '../../core/telemetry';
import { Commands } from '../commandRegistry';
import { lensTitle, statsLine } from '../../core/telemetry/present';
import { type DocumentFunctions, type FunctionRanges } from './functionRanges';
import { type DocumentHashes } from './hash';
import { toVsLine } from './positions';
import { type TelemetryPipeline } from '../../app/telemetry/telemetryPipeline';
import { type RouteView } from '../../app/telemetry/routeViews';
import { comparisonSentence, errorSentence, routeLensTitle } from '../../core/telemetry/metrics/routeLens';
import { Throttle } from './throttle';
import { baselineFunctions, compareSettings } from './baselineFunctions';
import { SOURCE_SLICE } from '../../core/telemetry/model';
import { type FunctionCompareOptions, compareFunction, functionComparisonSentence } from '../../core/telemetry/aggregate/functionCompare';

/**
 * Lines around the visible ones whose lenses are titled when provided, not left to
 * {@link TelemetryCodeLensProvider.resolveCodeLens}: a short scroll shows titled lenses at once.
 */
const EAGER_MARGIN = 100;

/**
 * The least time between two "lenses changed" events. VS Code asks for the lenses at least 250 ms
 * after such an event (more when the providers answered slowly), and each new event starts that
 * wait again: events 250 ms apart, as a fork's trace, log and metric exports give, kept the drawn
 * lens at its old figure until they stopped (bench/loop saw the new figure drawn 750 ms after the
 * provider had it). Spaced wider than VS Code's wait and its request, each event is drawn.
 */
export const LENS_CHANGE_SPACING_MS = 400;

type Moved = 'no' | 'yes' | 'fresh';
const worse = (a: Moved, b: Moved): Moved => (a === 'fresh' || b === 'fresh' ? 'fresh' : a === 'yes' || b === 'yes' ? 'yes' : 'no');

/** A function's lens; its title (the function's latency quantiles) is made when first needed. */
class FunctionLens extends vscode.CodeLens {
  constructor(
    line: number,
    readonly stats: FunctionStats,
    readonly minutes: number,
    /** The source tag shown in the title (when both sources are). */
    readonly source: string | undefined,
    /** My slice's function: the same function's statistics in the baseline, compared when titled. */
    readonly baseline: FunctionStats | undefined,
    readonly compare: FunctionCompareOptions,
  ) {
    super(new vscode.Range(line, 0, line, 0));
  }

  /** True when the lens shows the same statistics at the same line in the same way. */
  fits(line: number, minutes: number, source: string | undefined, baseline: FunctionStats | undefined, compare: FunctionCompareOptions): boolean {
    return this.range.start.line === line && this.minutes === minutes && this.source === source && this.baseline === baseline && this.compare.regressionThreshold === compare.regressionThreshold && this.compare.errorRateThreshold === compare.errorRateThreshold;
  }

  /** Gives the lens its title and command (once). */
  resolve(): this {
    this.command ??= commandOf(this.stats, this.minutes, this.source, this.baseline, this.compare);
    return this;
  }
}

/**
 * A route handler's lens from the route histograms (issue 23): its p95, and my slice against the
 * baseline when the difference is significant. Titled at once (a few per file).
 */
class RouteLens extends vscode.CodeLens {
  constructor(line: number, view: RouteView) {
    super(new vscode.Range(line, 0, line, 0), { title: routeLensTitle(view.metrics), command: 'slice.traces.focus', tooltip: `${comparisonSentence(view.metrics)}\n${errorSentence(view.metrics)}` });
  }
}

/**
 * `⏱ p95 42 ms · 120 calls · 3 errors · 5 min` above each function with data; above a route's
 * handler with no span data, the route's p95 from its histogram (and beside span data, my slice
 * against the baseline when they differ significantly). The function is
 * found through the document symbol provider (innermost function containing the reported line,
 * then by name); without symbols the lens sits on the reported line.
 *
 * Cheap per call: the service serves cached views (the same statistics objects while their data
 * has not changed), function ranges are cached per document version, and each lens is kept per
 * statistics object, so a call costs a lookup per lens; only functions with new data get a new lens.
 * A new lens is titled at once only near the lines visible in an editor; VS Code resolves the
 * others ({@link resolveCodeLens}) when they scroll into view. Titling needs the function's latency
 * quantiles, which its statistics compute on first read: in a 5,000-line file with 500 functions,
 * a render during a burst would otherwise compute all 500 each time.
 */
export class TelemetryCodeLensProvider implements vscode.CodeLensProvider<FunctionLens | RouteLens>, IDisposable {
  private readonly store = new DisposableStore('telemetry codelens');
  private readonly changed = this.store.add(new vscode.EventEmitter<void>());
  private readonly refresh = this.store.add(new Throttle(LENS_CHANGE_SPACING_MS, () => this.changed.fire(), { busy: () => this.service.busy, ms: 1000 }));
  readonly onDidChangeCodeLenses = this.changed.event;
  private readonly lenses = new WeakMap<FunctionStats, FunctionLens>();

  constructor(
    private readonly service: TelemetryPipeline,
    private readonly ranges: FunctionRanges,
    private readonly hashes: DocumentHashes,
    private readonly windowMinutes: () => number,
  ) {
    this.store.add(
      service.onDidChange((files) => {
        if (files === undefined) return this.refresh.schedule();
        const visible = vscode.window.visibleTextEditors.filter((e) => files.has(e.document.uri.fsPath));
        // new data on lines only (a call's span, a log line) changes no lens: an event for it would
        // only hold back the drawing of the one that does (see LENS_CHANGE_SPACING_MS)
        let moved: Moved = 'no';
        for (const e of visible) moved = worse(moved, this.lensesMoved(e.document));
        if (moved === 'fresh') this.refresh.urgent();
        else if (moved === 'yes') this.refresh.schedule();
      }),
    );
  }

  /** What the lenses of each shown document stand on, as last seen: the statistics objects and route titles. */
  private readonly seen = new Map<string, readonly unknown[]>();

  /**
   * Whether the lenses of `document` stand on other data than when last asked (then remembers the
   * new): 'fresh' when a function has new statistics of the code the editor shows (a save's new
   * figure: drawn without waiting), 'yes' for any other change.
   */
  private lensesMoved(document: vscode.TextDocument): Moved {
    const key = document.uri.toString();
    const now: unknown[] = [];
    const views = this.service.views(document.uri.fsPath, this.hashes.of(document));
    for (const view of views) now.push(view.source, ...view.functions);
    // the baseline's functions my lenses are compared with, shown or not: new baseline calls change my
    // lens's comparison (as text, not the objects: a baseline figure is not my save's 'fresh' one)
    for (const f of baselineFunctions(this.service, document.uri.fsPath, this.hashes.of(document), views).values()) now.push(`baseline\u0000${f.function}\u0000${f.calls}\u0000${f.errors}`);
    for (const r of this.service.routeViews.forFile(document.uri.fsPath)) now.push(routeLensTitle(r.metrics));
    const before = this.seen.get(key);
    if (this.seen.size > 50 && !before) this.seen.clear();
    this.seen.set(key, now);
    if (before && before.length === now.length && before.every((x, i) => x === now[i])) return 'no';
    const had = new Set(before);
    return now.some((x) => x instanceof Object && 'stale' in x && x.stale === false && !had.has(x)) ? 'fresh' : 'yes';
  }

  /** Resolves once no "lenses changed" event is pending (tests). */
  idle(): Promise<void> {
    return this.refresh.idle();
  }

  /** Asks VS Code to pull the lenses again (throttled). */
  invalidate(): void {
    this.refresh.schedule();
  }

  async provideCodeLenses(document: vscode.TextDocument): Promise<(FunctionLens | RouteLens)[]> {
    if (document.uri.scheme !== 'file') return [];
    const views = this.service.views(document.uri.fsPath, this.hashes.of(document));
    const routes = this.service.routeViews.forFile(document.uri.fsPath);
    if (!views.some((v) => v.functions.length > 0) && routes.length === 0) return [];
    const fns = await this.ranges.get(document, () => this.refresh.schedule());
    const both = views.length > 1;
    const minutes = this.windowMinutes();
    // my slice's functions against the baseline's (whether or not the baseline's lenses are shown)
    const baseline = baselineFunctions(this.service, document.uri.fsPath, this.hashes.of(document), views);
    const compare = compareSettings();
    const eager = eagerLines(document);
    const lenses: (FunctionLens | RouteLens)[] = [];
    for (const view of views) {
      const source = both ? view.source : undefined;
      for (const f of view.functions) {
        const line = placeLens(f, fns ?? undefined, document);
        const base = view.source === SOURCE_SLICE ? baseline.get(f.function) : undefined;
        let lens = this.lenses.get(f);
        if (!lens?.fits(line, minutes, source, base, compare)) {
          lens = new FunctionLens(line, f, minutes, source, base, compare);
          this.lenses.set(f, lens);
        }
        lenses.push(eager(line) ? lens.resolve() : lens);
      }
    }
    const spanLines = new Set(lenses.map((l) => l.range.start.line));
    for (const r of routes) {
      const line = placeLens({ line: r.location.line, function: r.location.function ?? r.handler.code.function ?? '' }, fns ?? undefined, document);
      // span data on the function says its latency already; the histogram adds only a significant difference with the baseline
      if (spanLines.has(line) && !r.metrics.difference && !r.metrics.errorDifference) continue;
      lenses.push(new RouteLens(line, r));
    }
    return lenses;
  }

  resolveCodeLens(lens: FunctionLens | RouteLens): FunctionLens | RouteLens {
    return lens instanceof FunctionLens ? lens.resolve() : lens;
  }

  dispose(): void {
    this.store.dispose();
  }
}

/** Whether a lens at a 0-based line is titled when provided: near a visible line of an editor of the document. */
function eagerLines(document: vscode.TextDocument): (line: number) => boolean {
  const uri = document.uri.toString();
  const near: [number, number][] = [];
  for (const e of vscode.window.visibleTextEditors) {
    if (e.document.uri.toString() !== uri) continue;
    for (const r of e.visibleRanges) near.push([r.start.line - EAGER_MARGIN, r.end.line + EAGER_MARGIN]);
  }
  return (line) => near.some(([from, to]) => line >= from && line <= to);
}

function commandOf(f: FunctionStats, minutes: number, source: string | undefined, baseline: FunctionStats | undefined, compare: FunctionCompareOptions): vscode.Command {
  const compared = baseline ? compareFunction(f, baseline, compare) : undefined;
  const title = lensTitle(f, minutes, { source, stale: f.stale, compared });
  const against = compared ? `\n${functionComparisonSentence(compared)}` : '';
  return f.lastError?.traceId
    ? { title, command: Commands.openTrace, arguments: [f.lastError.traceId], tooltip: `${f.function}: open the last failing trace${against}` }
    : { title, command: 'slice.traces.focus', tooltip: `${f.function}: ${statsLine(f)}${against}` };
}

/** The 0-based line of a function's lens: its symbol's first line, else the reported line. */
export function placeLens(f: Pick<FunctionStats, 'line' | 'function'>, fns: DocumentFunctions | undefined, document: { readonly lineCount: number }): number {
  const reported = toVsLine(f.line, document);
  if (!fns) return reported;
  const inner = f.line >= 1 ? fns.innermost[reported] : undefined;
  if (inner !== undefined && inner >= 0) return fns.functions[inner]!.startLine;
  const short = f.function.slice(f.function.lastIndexOf('.') + 1);
  const named = fns.byName.get(f.function) ?? fns.byName.get(short);
  return named !== undefined ? fns.functions[named]!.startLine : reported;
}
