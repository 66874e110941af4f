/**
 * How telemetry reads in the editor, as text: durations, lens titles, trace rows, relative times.
 * Pure (no editor API), so the wording is tested in plain Node.
 */
import { type WindowSummary } from './aggregate/window';
import { type FunctionComparison } from './aggregate/functionCompare';
import { SOURCE_BASELINE, SOURCE_SLICE, type SourceTag } from './model';
import { type TraceSummary } from './traceStore';

/**
 * Below this many calls, a lens shows the sample size and the maximum beside p95: a p95 of a few
 * calls is one of those calls (the slowest, with nearest-rank quantiles), and says so.
 */
export const SMALL_SAMPLE = 20;

/** A duration as people read it: `0.4 ms`, `1.9 ms`, `42 ms`, `1.2 s`. */
export function formatMs(ms: number): string {
  if (!Number.isFinite(ms)) return '–';
  if (ms < 10) return `${ms.toFixed(1)} ms`;
  if (ms < 1000) return `${Math.round(ms)} ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)} s`;
  return `${(ms / 60_000).toFixed(1)} min`;
}

const plural = (n: number, one: string, many: string) => `${n} ${n === 1 ? one : many}`;

/** How a source is named in the editor. */
export function sourceLabel(source: SourceTag): string {
  if (source === SOURCE_SLICE) return 'mine';
  if (source === SOURCE_BASELINE) return 'baseline';
  return source;
}

/**
 * `⏱ p95 42 ms · 120 calls · 3 errors · 5 min`; with a significant difference from the baseline
 * `⚠ p95 48 ms · baseline 12 ms · +300 % · 120 calls · …` (`⚠` past a threshold); below {@link SMALL_SAMPLE} calls
 * `⏱ p95 1.9 ms · n=2 · max 1.9 ms · 5 min`; with the source when both are shown, `(stale)` when stale.
 */
export function lensTitle(s: WindowSummary, windowMinutes: number, opts: { source?: SourceTag; stale: boolean; compared?: FunctionComparison | undefined }): string {
  const parts = [Number.isFinite(s.p95) ? `p95 ${formatMs(s.p95)}` : 'p95 –'];
  // my slice against the baseline, only when significant (./aggregate/functionCompare.ts)
  const c = opts.compared;
  if (c?.latency.verdict === 'slower' || c?.latency.verdict === 'faster') parts.push(`baseline ${formatMs(c.baselineP95)}`, ...(Number.isFinite(c.change) ? [percentChange(c.change)] : []));
  if (c?.errors.verdict === 'more-errors' || c?.errors.verdict === 'fewer-errors') parts.push(`errors ${rateText(c.errors.mine.errors, c.errors.mine.n)} · baseline ${rateText(c.errors.baseline.errors, c.errors.baseline.n)}`);
  if (s.calls < SMALL_SAMPLE && Number.isFinite(s.maxMs)) parts.push(`n=${s.calls}`, `max ${formatMs(s.maxMs)}`);
  else parts.push(plural(s.calls, 'call', 'calls'));
  if (s.errors > 0) parts.push(plural(s.errors, 'error', 'errors'));
  parts.push(`${windowMinutes} min`);
  const who = opts.source !== undefined ? `${sourceLabel(opts.source)}: ` : '';
  const icon = opts.compared?.warning ? '⚠' : '⏱';
  return `${icon} ${opts.stale ? '(stale) ' : ''}${who}${parts.join(' · ')}`;
}

/** `+300 %`, `−25 %`. */
export function percentChange(change: number): string {
  if (!Number.isFinite(change)) return '';
  const p = Math.round(change * 100);
  return p >= 0 ? `+${p} %` : `−${-p} %`;
}

/** `7.5 %`, `0.3 %`, `30 %`: one decimal under 10 %. */
export function rateText(errors: number, n: number): string {
  if (!(n > 0)) return '0 %';
  const pct = (errors / n) * 100;
  return `${pct < 10 ? (Math.round(pct * 10) / 10).toString() : Math.round(pct).toString()} %`;
}

/** One line of text, cut to `max` characters. */
export function oneLine(s: string, max = 120): string {
  const t = s.replace(/\s+/g, ' ').trim();
  return t.length > max ? `${t.slice(0, max - 1)}…` : t;
}

/** What `toLocaleTimeString(undefined, { hour12: false })` uses, made once (making it is most of a call's cost). */
let timeFormat: Intl.DateTimeFormat | undefined;

/** `12:03:04` local time. */
export function clock(ms: number): string {
  return (timeFormat ??= new Intl.DateTimeFormat(undefined, { hour: 'numeric', minute: 'numeric', second: 'numeric', hour12: false })).format(ms);
}

/** `42 s ago`, `3 min ago`. */
export function ago(ms: number, now = Date.now()): string {
  const d = Math.max(0, now - ms);
  if (d < 60_000) return `${Math.round(d / 1000)} s ago`;
  if (d < 3_600_000) return `${Math.round(d / 60_000)} min ago`;
  return clock(ms);
}

/** A hover's statistics line: `p50 … · p95 … · p99 … · max … · 2 calls · 1 error` (max always: it is exact). */
export function statsLine(s: WindowSummary): string {
  const q = Number.isFinite(s.p50) ? `p50 ${formatMs(s.p50)} · p95 ${formatMs(s.p95)} · p99 ${formatMs(s.p99)} · max ${formatMs(s.maxMs)} · ` : '';
  return `${q}${plural(s.calls, 'call', 'calls')} · ${plural(s.errors, 'error', 'errors')}`;
}

/**
 * A row of Recent Traces: `GET /orders/:id` and `404 · 4 ms · 3 spans · 12 s ago` (the request's
 * method, route and status when its root span is an HTTP one; the root span's name otherwise).
 */
export function traceRow(t: TraceSummary, now: number, source?: SourceTag): { label: string; description: string } {
  const label = t.method && t.route ? `${t.method} ${t.route}` : t.name || t.traceId;
  const description = [
    t.status !== undefined ? String(t.status) : '',
    formatMs(t.durationMs),
    plural(t.spanCount, 'span', 'spans'),
    t.errors > 0 ? plural(t.errors, 'error', 'errors') : '',
    ago(t.startMs + t.durationMs, now),
    source !== undefined ? sourceLabel(source) : '',
  ];
  return { label, description: description.filter(Boolean).join(' · ') };
}
