import { SOURCE_BASELINE, SOURCE_SLICE, type SourceTag, type WindowSummary } from '../../core/telemetry';

/** A duration as people read it: `0.4 ms`, `42 ms`, `1.2 s`. */
export function formatMs(ms: number): string {
  if (!Number.isFinite(ms)) return '–';
  if (ms < 1) return `${ms.toFixed(1)} ms`;
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

/** `⏱ p95 42 ms · 120 calls · 3 errors · 5 min`, with the source when both are shown, `(stale)` when stale. */
export function lensTitle(s: WindowSummary, windowMinutes: number, opts: { source?: SourceTag; stale: boolean }): string {
  const parts = [Number.isFinite(s.p95) ? `p95 ${formatMs(s.p95)}` : 'p95 –', plural(s.calls, 'call', 'calls')];
  if (s.errors > 0) parts.push(plural(s.errors, 'error', 'errors'));
  parts.push(`${windowMinutes} min`);
  const who = opts.source !== undefined ? `${sourceLabel(opts.source)}: ` : '';
  return `${opts.stale ? '⏱ (stale) ' : '⏱ '}${who}${parts.join(' · ')}`;
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
