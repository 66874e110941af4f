import * as vscode from 'vscode';
import { type ErrorSample, type FileView } from '../../core/telemetry';
import { Commands } from '../commandRegistry';
import { clock, oneLine, sourceLabel, statsLine } from '../../core/telemetry/present';
import { type DocumentHashes } from './hash';
import { toCoreLine } from './positions';
import { type TelemetryPipeline } from '../../app/telemetry/telemetryPipeline';
import { redact } from '../../core/telemetry/redact';
import { type RouteView } from '../../app/telemetry/routeViews';
import { SPARK_MINUTES, comparisonSentence, errorSentence, routeName, sideLine } from '../../core/telemetry/metrics/routeLens';
import { SPARK_COLOURS, sparklineDataUri } from '../../core/telemetry/metrics/sparkline';
import { type FunctionStats } from '../../core/telemetry';
import { compareFunction, functionComparisonSentence } from '../../core/telemetry/aggregate/functionCompare';
import { SOURCE_SLICE } from '../../core/telemetry/model';
import { baselineFunctions, compareSettings } from './baselineFunctions';

const SEVERITY = (n: number) => (n >= 21 ? 'FATAL' : n >= 17 ? 'ERROR' : n >= 13 ? 'WARN' : n >= 9 ? 'INFO' : n >= 5 ? 'DEBUG' : n > 0 ? 'TRACE' : 'LOG');

/** `command:slice.openTrace?["<id>"]`, the link hovers use. */
export function openTraceUri(traceId: string): string {
  return `command:${Commands.openTrace}?${encodeURIComponent(JSON.stringify([traceId]))}`;
}

/** Hovers on lines with data: the statistics, the last error with its stack, recent log lines, and "Open Trace" links. */
export class TelemetryHoverProvider implements vscode.HoverProvider {
  constructor(
    private readonly service: TelemetryPipeline,
    private readonly hashes: DocumentHashes,
    private readonly windowMinutes: () => number,
  ) {}

  provideHover(document: vscode.TextDocument, position: vscode.Position): vscode.Hover | undefined {
    if (document.uri.scheme !== 'file') return undefined;
    const views = this.service.views(document.uri.fsPath, this.hashes.of(document));
    const line = toCoreLine(position.line);
    const md = new vscode.MarkdownString(undefined, true);
    md.isTrusted = { enabledCommands: [Commands.openTrace] };
    md.supportHtml = false;
    let any = false;
    const baseline = baselineFunctions(this.service, document.uri.fsPath, this.hashes.of(document), views);
    for (const view of views) any = this.section(md, view, line, views.length > 1, view.source === SOURCE_SLICE ? baseline : undefined) || any;
    for (const r of this.service.routeViews.forFile(document.uri.fsPath)) {
      if (r.location.line !== line) continue;
      routeSection(md, r, this.service.metrics.notes());
      any = true;
    }
    if (!any) return undefined;
    return new vscode.Hover(md, document.lineAt(position.line).range);
  }

  private section(md: vscode.MarkdownString, view: FileView, line: number, both: boolean, baseline: ReadonlyMap<string, FunctionStats> | undefined): boolean {
    const l = view.lines.find((x) => x.line === line);
    const f = view.functions.find((x) => x.line === line);
    if (!l && !f) return false;
    const stale = (l?.stale ?? false) || (f?.stale ?? false);
    md.appendMarkdown(`**Slice telemetry**${both ? ` · ${sourceLabel(view.source)}` : ''} · last ${this.windowMinutes()} min${stale ? ' · _(stale: recorded for an earlier version of this file)_' : ''}\n\n`);
    if (f && f.calls > 0) md.appendMarkdown(`${code(f.function)} ${statsLine(f)}\n\n`);
    const base = f && baseline?.get(f.function);
    if (f && base) md.appendMarkdown(`Baseline: ${statsLine(base)}\n\n${escape(functionComparisonSentence(compareFunction(f, base, compareSettings())))}\n\n`);
    if (l && l.calls > 0 && (!f || l.calls !== f.calls)) md.appendMarkdown(`This line: ${statsLine(l)}\n\n`);
    const err = l?.lastError ?? f?.lastError;
    if (err) appendError(md, err);
    if (l && l.lastLogs.length > 0) {
      md.appendMarkdown('**Recent logs**\n\n');
      for (const log of l.lastLogs) {
        const link = log.traceId ? ` [trace](${openTraceUri(log.traceId)})` : '';
        md.appendMarkdown(`- \`${clock(log.timeMs)}\` ${SEVERITY(log.severityNumber)} ${escape(oneLine(redact(log.body), 160))}${link}\n`);
      }
      md.appendMarkdown('\n');
    }
    return true;
  }
}

function appendError(md: vscode.MarkdownString, e: ErrorSample): void {
  md.appendMarkdown(`**${e.answered !== undefined ? `Last exception, answered ${e.answered} on purpose (not an error)` : 'Last error'}** ${code(e.type || 'Error')}: ${escape(oneLine(redact(e.message), 200))} · ${clock(e.timeMs)}${e.service ? ` · ${escape(e.service)}` : ''}`);
  if (e.traceId) md.appendMarkdown(` · [Open Trace](${openTraceUri(e.traceId)})`);
  md.appendMarkdown('\n\n');
  const user = e.frames.filter((f) => !f.internal && f.file.length > 0);
  const frames = user.slice(0, 6).map((f) => `at ${f.function || '<anonymous>'} (${f.file}:${f.line}${f.column ? `:${f.column}` : ''})`);
  if (frames.length > 0) md.appendCodeblock(frames.join('\n') + (user.length > 6 ? `\n… ${user.length - 6} more` : ''), 'text');
}

/** Inline code (backslash escapes do not work inside it). */
function code(s: string): string {
  return `\`${s.replace(/`/g, "'")}\``;
}

/** Markdown-escapes text from the app (it must never turn into links or markup). */
function escape(s: string): string {
  return s.replace(/[\\`*_{}[\]()#+\-.!|<>]/g, (c) => `\\${c}`);
}

/**
 * A route's metrics in the hover: each side's p95 with the bucket it lies in and the request
 * count, a sparkline of the p95 per minute (my slice grey, the baseline dashed blue; before the
 * longer text, so a hover of limited height shows it), how the comparison was made and what it found, and the cardinality guard's notes when it refused points.
 */
export function routeSection(md: vscode.MarkdownString, r: RouteView, guardNotes: readonly string[]): void {
  const m = r.metrics;
  md.appendMarkdown(`**Slice metrics** · ${code(routeName(m.key))} of ${escape(m.key.service || 'the service')} · last ${m.windowMinutes} min · from the route histogram ${code(m.metric)}\n\n`);
  if (m.mine) md.appendMarkdown(`Mine: ${escape(sideLine(m.mine))}\n\n`);
  if (m.baseline) md.appendMarkdown(`Baseline: ${escape(sideLine(m.baseline))}\n\n`);
  const series = [
    ...(m.mine ? [{ values: m.mine.perMinute, colour: SPARK_COLOURS.mine }] : []),
    ...(m.baseline ? [{ values: m.baseline.perMinute, colour: SPARK_COLOURS.baseline, dashed: true }] : []),
  ];
  const uri = sparklineDataUri(series);
  if (uri) md.appendMarkdown(`![p95 per minute over the last ${SPARK_MINUTES} minutes](${uri}) p95 per minute, last ${SPARK_MINUTES} min${m.mine && m.baseline ? ' (mine solid grey, baseline dashed blue)' : ''}\n\n`);
  md.appendMarkdown(`${escape(comparisonSentence(m))}\n\n`);
  md.appendMarkdown(`${escape(errorSentence(m))}\n\n`);
  for (const n of guardNotes) md.appendMarkdown(`_${escape(n)}_\n\n`);
}
