/**
 * The metrics the editor keeps: one {@link MetricStore} per slice (its fork's own metrics, tagged
 * 'slice', and the baseline's that the baseline's collector relays to the slice, tagged 'baseline'),
 * fed by the telemetry pipeline with decoded metrics. A slice's store goes when the slice is gone
 * for the identity (LiveTelemetrySession → TelemetrySink.sliceEnded); a stopped stream keeps it.
 *
 * The store's cardinality guard never acts silently: the first time a metric of a slice loses
 * points to a cap, a log line says which metric, which cap and what to do; {@link notes} gives the
 * same for the editor to show.
 */
import { type IDisposable } from '../../core/base/disposable';
import { Emitter } from '../../core/base/event';
import { type ILogger } from '../../core/base/logger';
import { type Metric } from '../../core/telemetry/metrics/model';
import { ExemplarLog } from '../../core/telemetry/metrics/exemplars';
import { type IngestReport, type MetricStoreOptions, MetricStore } from '../../core/telemetry/metrics/store';
import { sourceLabel } from '../../core/telemetry/present';

/** The store of payloads that name no slice (a recorded file imported, a test). */
export const UNNAMED_SLICE = '(imported)';

interface Held {
  readonly store: MetricStore;
  /** The exemplars with a trace id (the metrics view links a point to its trace). */
  readonly exemplars: ExemplarLog;
  lastMs: number;
}

export class SliceMetrics implements IDisposable {
  private readonly held = new Map<string, Held>();
  /** `slice/source/metric/cap` already reported. */
  private readonly reported = new Set<string>();
  private readonly noted: string[] = [];
  private gen = 0;
  private readonly changes = new Emitter<void>();
  /** Metrics were stored, or a slice's store went. */
  readonly onDidChange = this.changes.event;

  constructor(
    private readonly logger: ILogger,
    private readonly options: MetricStoreOptions = {},
  ) {}

  /** Bumped on every change (the readers' cache key). */
  get generation(): number {
    return this.gen;
  }

  /** Stores decoded metrics of `slice` (its store made on first use). */
  ingest(slice: string, metrics: readonly Metric[], nowMs: number): IngestReport {
    let h = this.held.get(slice);
    if (!h) this.held.set(slice, (h = { store: new MetricStore(this.options), exemplars: new ExemplarLog(), lastMs: nowMs }));
    h.lastMs = nowMs;
    const report = h.store.ingest(metrics, nowMs);
    h.exemplars.add(metrics);
    if (report.refused > 0) this.noteGuard(slice, h.store);
    if (report.conflicts > 0) this.logger.warn(`metrics (${slice}): ${report.conflicts} point(s) of a metric sent with another kind than first seen under its name were not stored`);
    if (report.future > 0) this.logger.warn(`metrics (${slice}): ${report.future} point(s) stamped more than 5 minutes ahead of this machine's clock were not stored (clock skew between the pod and the editor?)`);
    this.gen++;
    this.changes.fire();
    return report;
  }

  private noteGuard(slice: string, store: MetricStore): void {
    const g = store.guard();
    for (const c of g.capped) {
      const k = `${slice}\u0000${c.source}\u0000${c.name}\u0000${c.cap}`;
      if (this.reported.has(k)) continue;
      this.reported.add(k);
      const cap = c.cap === 'per-metric' ? `${g.maxSeriesPerMetric} series for one metric` : `${g.maxSeries} series in all`;
      const note = `metric ${c.name} (${sourceLabel(c.source)}, slice ${slice}) passed the cap of ${cap}: points of new attribute sets are not kept (${c.refusedPoints} so far). An attribute with a value per request (an id, a path with ids) makes a series per value: drop it from the metric's attributes, or use a route pattern.`;
      this.noted.push(note);
      if (this.noted.length > 20) this.noted.shift();
      this.logger.warn(note);
    }
  }

  /** The cardinality guard's reports so far, newest last. */
  notes(): readonly string[] {
    return this.noted;
  }

  /** The store of one slice. */
  store(slice: string): MetricStore | undefined {
    return this.held.get(slice)?.store;
  }

  /** The exemplars of one slice's metrics. */
  exemplars(slice: string): ExemplarLog | undefined {
    return this.held.get(slice)?.exemplars;
  }

  /** The slices' stores, the one with the newest data first. */
  stores(): { readonly slice: string; readonly store: MetricStore }[] {
    return [...this.held].sort((a, b) => b[1].lastMs - a[1].lastMs).map(([slice, h]) => ({ slice, store: h.store }));
  }

  /** The slice is gone: its store goes. */
  forget(slice: string): void {
    if (!this.held.delete(slice)) return;
    for (const k of [...this.reported]) if (k.startsWith(`${slice}\u0000`)) this.reported.delete(k);
    this.logger.info(`metrics: the store of ${slice} is dropped (the slice is gone)`);
    this.gen++;
    this.changes.fire();
  }

  clear(): void {
    this.held.clear();
    this.reported.clear();
    this.noted.length = 0;
    this.gen++;
    this.changes.fire();
  }

  dispose(): void {
    this.held.clear();
    this.changes.dispose();
  }
}
