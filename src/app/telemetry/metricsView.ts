/**
 * The metrics view's feed (issue 23): which slice's store it shows, the chart model of that store
 * over the window (core/telemetry/metrics/chartModel.ts), and the updates the webview gets — the
 * whole model when the charts change, else only the new points. Recomputed when metrics arrive,
 * at most once per refresh interval, and every refresh interval while the view is open (the window
 * slides). The shown slice stays until its store goes (the slice is gone for the identity); then
 * the view shows the newest other store, or says in words that nothing has arrived.
 */
import { type IDisposable, DisposableStore, toDisposable } from '../../core/base/disposable';
import { type ChartUpdate, type MetricsViewModel, chartModel, chartUpdate } from '../../core/telemetry/metrics/chartModel';
import { type SliceMetrics } from './sliceMetrics';

export interface MetricsViewSettings {
  windowMinutes(): number;
  refreshSeconds(): number;
}

/** Messages the webview accepts from the host. */
export type MetricsViewMessage = ChartUpdate;

export class MetricsViewFeed implements IDisposable {
  private readonly store = new DisposableStore('metrics view feed');
  private shown: MetricsViewModel | undefined;
  private slice: string | undefined;
  private timer: ReturnType<typeof setInterval> | undefined;
  private lastRun = -Infinity;
  private pending: ReturnType<typeof setTimeout> | undefined;
  /** Updates posted so far (test hook). */
  posted = 0;

  constructor(
    private readonly metrics: SliceMetrics,
    private readonly settings: MetricsViewSettings,
    private readonly post: (m: MetricsViewMessage) => void,
    private readonly clock: () => number = Date.now,
  ) {
    this.store.add(metrics.onDidChange(() => this.schedule()));
    this.restartTimer();
    this.store.add(
      toDisposable(() => {
        if (this.timer) clearInterval(this.timer);
        if (this.pending) clearTimeout(this.pending);
      }),
    );
  }

  /** What the webview shows now (test hook). */
  get model(): MetricsViewModel | undefined {
    return this.shown;
  }

  /** The webview (re)loaded: it gets the whole model. */
  reset(): void {
    this.shown = undefined;
    this.refresh();
  }

  /** The settings changed: a new interval, and a model for the new window. */
  restartTimer(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = setInterval(() => this.refresh(), this.settings.refreshSeconds() * 1000);
  }

  /** Metrics arrived: refresh now, or once the refresh interval since the last one has passed. */
  private schedule(): void {
    if (this.pending) return;
    const wait = this.lastRun + this.settings.refreshSeconds() * 1000 - this.clock();
    if (wait <= 0) {
      this.refresh();
      return;
    }
    this.pending = setTimeout(() => {
      this.pending = undefined;
      this.refresh();
    }, wait);
  }

  /** Recomputes the model and posts what changed; returns the update posted (undefined: nothing changed). */
  refresh(): MetricsViewMessage | undefined {
    const now = this.clock();
    this.lastRun = now;
    const next = this.compute(now);
    const u = chartUpdate(this.shown, next);
    this.shown = next;
    if (u) {
      this.posted++;
      this.post(u);
    }
    return u;
  }

  private compute(nowMs: number): MetricsViewModel {
    const stores = this.metrics.stores();
    const held = stores.find((s) => s.slice === this.slice) ?? stores[0];
    const ended = held ? undefined : (this.slice ?? this.shown?.ended);
    this.slice = held?.slice;
    const windowMinutes = this.settings.windowMinutes();
    if (!held) return { slice: '', windowMinutes, stepSeconds: 0, x: [], charts: [], omitted: 0, ...(ended === undefined ? {} : { ended }) };
    return chartModel(held.store, { slice: held.slice, windowMinutes, nowMs, exemplars: this.metrics.exemplars(held.slice) });
  }

  dispose(): void {
    this.store.dispose();
  }
}

/** Messages the webview sends: it loaded (`ready`), or a person asked for an exemplar's trace. */
export type MetricsWebviewMessage = { readonly type: 'ready' } | { readonly type: 'openTrace'; readonly traceId: string };

/** Checks a message from the webview: anything else (another shape, a trace id that is not 32 hex digits) is dropped. */
export function isMetricsWebviewMessage(m: unknown): m is MetricsWebviewMessage {
  if (typeof m !== 'object' || m === null) return false;
  const o = m as Record<string, unknown>;
  if (o.type === 'ready') return Object.keys(o).length === 1;
  return o.type === 'openTrace' && Object.keys(o).length === 2 && typeof o.traceId === 'string' && /^[0-9a-f]{32}$/.test(o.traceId);
}
