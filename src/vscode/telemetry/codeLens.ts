import * as vscode from 'vscode';
import { DisposableStore, type IDisposable } from '../../core/base/disposable';
import { type FunctionStats } from '../../core/telemetry';
import { Commands } from '../commandRegistry';
import { lensTitle } from './format';
import { type DocumentFunctions, type FunctionRanges } from './functionRanges';
import { type DocumentHashes } from './hash';
import { toVsLine } from './positions';
import { type TelemetryService } from './telemetryService';
import { Throttle } from './throttle';

interface CachedLens {
  readonly line: number;
  readonly both: boolean;
  readonly minutes: number;
  readonly lens: vscode.CodeLens;
}

/**
 * `⏱ p95 42 ms · 120 calls · 3 errors · 5 min` above each function with data. The function is
 * found through the document symbol provider (innermost function containing the reported line,
 * then by name); without symbols the lens sits on the reported line.
 *
 * Cheap per call: the service serves cached views (the same statistics objects while their data
 * has not changed), function ranges are cached per document version, and each lens is kept per
 * statistics object, so a call costs a lookup per lens; only functions with new data get a new lens.
 */
export class TelemetryCodeLensProvider implements vscode.CodeLensProvider, IDisposable {
  private readonly store = new DisposableStore('telemetry codelens');
  private readonly changed = this.store.add(new vscode.EventEmitter<void>());
  private readonly refresh = this.store.add(new Throttle(250, () => this.changed.fire(), { busy: () => this.service.busy, ms: 1000 }));
  readonly onDidChangeCodeLenses = this.changed.event;
  private readonly lenses = new WeakMap<FunctionStats, CachedLens>();

  constructor(
    private readonly service: TelemetryService,
    private readonly ranges: FunctionRanges,
    private readonly hashes: DocumentHashes,
    private readonly windowMinutes: () => number,
  ) {
    this.store.add(
      service.onDidChange((files) => {
        if (files === undefined || vscode.window.visibleTextEditors.some((e) => files.has(e.document.uri.fsPath))) this.refresh.schedule();
      }),
    );
  }

  /** Asks VS Code to pull the lenses again (throttled). */
  invalidate(): void {
    this.refresh.schedule();
  }

  async provideCodeLenses(document: vscode.TextDocument): Promise<vscode.CodeLens[]> {
    if (document.uri.scheme !== 'file') return [];
    const views = this.service.views(document.uri.fsPath, this.hashes.of(document));
    if (!views.some((v) => v.functions.length > 0)) return [];
    const fns = await this.ranges.get(document, () => this.refresh.schedule());
    const both = views.length > 1;
    const minutes = this.windowMinutes();
    const lenses: vscode.CodeLens[] = [];
    for (const view of views) {
      for (const f of view.functions) {
        const line = placeLens(f, fns ?? undefined, document);
        const hit = this.lenses.get(f);
        if (hit && hit.line === line && hit.both === both && hit.minutes === minutes) {
          lenses.push(hit.lens);
          continue;
        }
        const lens = newLens(f, line, minutes, both ? view.source : undefined);
        this.lenses.set(f, { line, both, minutes, lens });
        lenses.push(lens);
      }
    }
    return lenses;
  }

  dispose(): void {
    this.store.dispose();
  }
}

function newLens(f: FunctionStats, line: number, minutes: number, source: string | undefined): vscode.CodeLens {
  const title = lensTitle(f, minutes, { source, stale: f.stale });
  const command: vscode.Command = f.lastError?.traceId
    ? { title, command: Commands.openTrace, arguments: [f.lastError.traceId], tooltip: `${f.function}: open the last failing trace` }
    : { title, command: 'slice.traces.focus', tooltip: `${f.function}: p50 ${Math.round(f.p50)} ms, p99 ${Math.round(f.p99)} ms` };
  return new vscode.CodeLens(new vscode.Range(line, 0, line, 0), command);
}

/** The 0-based line of a function's lens: its symbol's first line, else the reported line. */
export function placeLens(f: FunctionStats, fns: DocumentFunctions | undefined, document: { readonly lineCount: number }): number {
  const reported = toVsLine(f.line, document);
  if (!fns) return reported;
  const inner = f.line >= 1 ? fns.innermost[reported] : undefined;
  if (inner !== undefined && inner >= 0) return fns.functions[inner]!.startLine;
  const short = f.function.slice(f.function.lastIndexOf('.') + 1);
  const named = fns.byName.get(f.function) ?? fns.byName.get(short);
  return named !== undefined ? fns.functions[named]!.startLine : reported;
}
