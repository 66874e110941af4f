/**
 * The metric store: decoded metrics (./decode.ts) kept as series, one per source, producer
 * (service and instance), metric name and attribute set, each a ring of points at a fixed
 * resolution (default 10 s over 30 min: 180 slots; ./series.ts). Cumulative points are turned into
 * deltas as they arrive (./temporality.ts), so every read is over deltas whatever the producer sent.
 *
 * Cardinality guard: at most `maxSeriesPerMetric` series per metric and source, `maxSeries` in all.
 * A point of a series past either cap is not stored; it is counted, per metric, and
 * {@link MetricStore.guard} reports which metrics hit which cap and how many points they lost, for
 * the editor to show (the cap is never applied silently). Series that have had no point for the
 * whole retention are dropped, which frees their room.
 */
import { type Attributes, type SourceTag } from '../model';
import { type Metric, type MetricKind, type Temporality } from './model';
import { AttributeTrie } from './seriesIndex';
import { ExpSeries } from './expSeries';
import { type Ingested } from './ring';
import { HistogramSeries, NumberSeries, type Series, SummarySeries } from './series';

export interface MetricStoreOptions {
  /** Length of one slot (default 10 s). */
  readonly resolutionMs?: number;
  /** How far back series are kept (default 30 min). */
  readonly retentionMs?: number;
  /** Most series per metric and source (default 1,000). */
  readonly maxSeriesPerMetric?: number;
  /** Most series in all (default 20,000). */
  readonly maxSeries?: number;
}

export const DEFAULT_STORE = { resolutionMs: 10_000, retentionMs: 30 * 60_000, maxSeriesPerMetric: 1_000, maxSeries: 20_000 } as const;

/** What identifies a series, and what the editor shows of it. */
export interface SeriesInfo {
  readonly key: string;
  readonly source: SourceTag;
  readonly name: string;
  readonly kind: MetricKind;
  /** The producer: `service.name`, and the instance (`service.instance.id`, else the pod) when known. */
  readonly service: string;
  readonly instance: string;
  readonly attributes: Attributes;
}

/** A metric as the store knows it. */
export interface MetricInfo {
  readonly source: SourceTag;
  readonly name: string;
  readonly kind: MetricKind;
  readonly unit: string;
  readonly description: string;
  readonly monotonic: boolean;
  readonly temporality: Temporality | undefined;
  readonly series: number;
}

/** What one {@link MetricStore.ingest} did with the points it was given. */
export interface IngestReport {
  points: number;
  /** Stored in a slot. */
  stored: number;
  /** The first cumulative point of a series without a start time, or started long before (./temporality.ts): it sets the baseline only. */
  baseline: number;
  /** Older than what the series' ring holds, or without a time. */
  late: number;
  /** Cumulative series that restarted (new start time, or a total that went down). */
  resets: number;
  /** Points of series past a cardinality cap. */
  refused: number;
  /** Points of a metric whose kind is not the one the store first saw under that name. */
  conflicts: number;
  /** Points stamped more than {@link FUTURE_SLACK_MS} after the caller's clock (not stored: one would push every later point out as late). */
  future: number;
}

/** How far ahead of the caller's clock a point may be (clock skew between the pod and the editor). */
export const FUTURE_SLACK_MS = 5 * 60_000;

/** The cardinality guard's report. */
export interface GuardReport {
  readonly maxSeries: number;
  readonly maxSeriesPerMetric: number;
  readonly series: number;
  /** Metrics that had points refused, with the cap that refused them. */
  readonly capped: readonly { readonly source: SourceTag; readonly name: string; readonly cap: 'per-metric' | 'total'; readonly refusedPoints: number }[];
}

interface StoredSeries {
  readonly info: SeriesInfo;
  readonly data: Series;
}

interface MetricEntry {
  info: MetricInfo;
  /** By producer and canonical attribute key: the series' identity. */
  readonly series: Map<string, StoredSeries>;
  /** Shortcuts to them by producer, then attributes as sent (./seriesIndex.ts). */
  readonly index: Map<string, AttributeTrie<StoredSeries>>;
  refused: { 'per-metric': number; total: number };
}

/** A point's value over time: one entry per slot that holds data. */
export interface SlotValue {
  /** The slot's start. */
  readonly timeMs: number;
  /** Counters: the rate per second over the slot; gauges: the last value; histograms and summaries: observations per second. */
  readonly value: number;
}

/** The attribute set as a string: keys in order, each value tagged with its type (so 1 and '1' differ). */
const attributeKey = (a: Attributes): string => {
  const keys = Object.keys(a);
  if (keys.length === 0) return '';
  if (keys.length > 1) keys.sort();
  let out = '';
  for (const k of keys) {
    const v = a[k];
    out += `${k}\u0001${typeof v === 'string' ? `s${v}` : typeof v === 'number' || typeof v === 'boolean' ? `${typeof v}${String(v)}` : `j${JSON.stringify(v)}`}\u0002`;
  }
  return out;
};

export class MetricStore {
  readonly resolutionMs: number;
  readonly slots: number;
  readonly maxSeriesPerMetric: number;
  readonly maxSeries: number;
  private readonly metrics = new Map<string, MetricEntry>();
  private seriesCount = 0;
  /** The newest slot any series was written at. */
  private newest = -1;
  private sweptAt = -1;

  constructor(options: MetricStoreOptions = {}) {
    this.resolutionMs = options.resolutionMs ?? DEFAULT_STORE.resolutionMs;
    this.slots = Math.max(1, Math.ceil((options.retentionMs ?? DEFAULT_STORE.retentionMs) / this.resolutionMs));
    this.maxSeriesPerMetric = options.maxSeriesPerMetric ?? DEFAULT_STORE.maxSeriesPerMetric;
    this.maxSeries = options.maxSeries ?? DEFAULT_STORE.maxSeries;
  }

  get seriesTotal(): number {
    return this.seriesCount;
  }

  /** Stores the points of `metrics`; with `nowMs` (the caller's clock), points from too far ahead are refused. */
  ingest(metrics: readonly Metric[], nowMs?: number): IngestReport {
    const report: IngestReport = { points: 0, stored: 0, baseline: 0, late: 0, resets: 0, refused: 0, conflicts: 0, future: 0 };
    const latest = nowMs === undefined ? Infinity : nowMs + FUTURE_SLACK_MS;
    for (const m of metrics) {
      report.points += m.points.length;
      if (m.points.length === 0) continue;
      const entry = this.entry(m);
      if (!entry) {
        report.conflicts += m.points.length;
        continue;
      }
      const service = m.resource.serviceName ?? '';
      const attrs = m.resource.attributes;
      const id = attrs['service.instance.id'];
      const instance = typeof id === 'string' ? id : (m.resource.podName ?? '');
      const prefix = `${service}\u0000${instance}\u0000`;
      for (const point of m.points) {
        if (point.timeMs > latest) {
          report.future++;
          continue;
        }
        const slot = Math.floor(point.timeMs / this.resolutionMs);
        if (!(point.timeMs > 0) || slot <= this.newest - this.slots) {
          report.late++;
          continue;
        }
        let trie = entry.index.get(prefix);
        if (!trie) entry.index.set(prefix, (trie = new AttributeTrie()));
        let s = trie.get(point.attributes);
        if (!s) {
          const key = prefix + attributeKey(point.attributes);
          s = entry.series.get(key);
          if (s) trie.set(point.attributes, s);
        }
        if (!s) {
          const key = prefix + attributeKey(point.attributes);
          const cap = entry.series.size >= this.maxSeriesPerMetric ? 'per-metric' : this.seriesCount >= this.maxSeries ? 'total' : undefined;
          if (cap) {
            entry.refused[cap]++;
            report.refused++;
            continue;
          }
          s = { info: { key: `${m.source}\u0000${m.name}\u0000${key}`, source: m.source, name: m.name, kind: m.kind, service, instance, attributes: point.attributes }, data: this.newSeries(m) };
          entry.series.set(key, s);
          trie.set(point.attributes, s);
          this.seriesCount++;
        }
        const r: Ingested = ingestPoint(s.data, m, point, slot);
        if (r.outcome === 'stored') report.stored++;
        else if (r.outcome === 'baseline') report.baseline++;
        else report.late++;
        if (r.outcome === 'stored' && slot > this.newest) this.newest = slot;
        if (r.reset) report.resets++;
      }
    }
    if (this.newest - this.sweptAt >= Math.max(1, this.slots >> 3)) this.sweep();
    return report;
  }

  private entry(m: Metric): MetricEntry | undefined {
    const k = `${m.source}\u0000${m.name}`;
    let e = this.metrics.get(k);
    if (!e) {
      const temporality = m.kind === 'gauge' || m.kind === 'summary' ? undefined : m.temporality;
      e = {
        info: { source: m.source, name: m.name, kind: m.kind, unit: m.unit, description: m.description, monotonic: m.kind === 'sum' && m.monotonic, temporality, series: 0 },
        series: new Map(),
        index: new Map(),
        refused: { 'per-metric': 0, total: 0 },
      };
      this.metrics.set(k, e);
    }
    return e.info.kind === m.kind ? e : undefined;
  }

  private newSeries(m: Metric): Series {
    switch (m.kind) {
      case 'sum':
        return new NumberSeries(this.slots, m.monotonic ? 'counter' : 'updown', m.temporality);
      case 'gauge':
        return new NumberSeries(this.slots, 'gauge', 'unspecified');
      case 'histogram':
        return new HistogramSeries(this.slots, m.temporality, m.points[0]?.bounds ?? []);
      case 'exponentialHistogram':
        return new ExpSeries(this.slots, m.temporality, m.points[0]?.scale ?? 0);
      case 'summary':
        return new SummarySeries(this.slots);
    }
  }

  /** Drops the series with no point for the whole retention. */
  private sweep(): void {
    this.sweptAt = this.newest;
    for (const [k, e] of this.metrics) {
      for (const [sk, s] of e.series) {
        if (s.data.newest <= this.newest - this.slots) {
          e.series.delete(sk);
          e.index.clear(); // rebuilt from the series as points come
          this.seriesCount--;
        }
      }
      if (e.series.size === 0 && e.refused['per-metric'] === 0 && e.refused.total === 0) this.metrics.delete(k);
    }
  }

  /** The metrics known, of one source or all. */
  metricList(source?: SourceTag): MetricInfo[] {
    const out: MetricInfo[] = [];
    for (const e of this.metrics.values()) if (source === undefined || e.info.source === source) out.push({ ...e.info, series: e.series.size });
    return out;
  }

  /** The series of one metric of one source. */
  seriesOf(source: SourceTag, name: string): SeriesInfo[] {
    const e = this.metrics.get(`${source}\u0000${name}`);
    return e ? [...e.series.values()].map((s) => s.info) : [];
  }

  /** The data of a series by its key (SeriesInfo.key), for the readers of ./read.ts. */
  data(key: string): Series | undefined {
    const [source, name] = key.split('\u0000', 2);
    const e = this.metrics.get(`${source}\u0000${name}`);
    return e?.series.get(key.slice(source!.length + name!.length + 2))?.data;
  }

  /** The series of a metric whose attributes `match` (all when not given). */
  matching(source: SourceTag, name: string, match?: (attributes: Attributes) => boolean): { info: SeriesInfo; data: Series }[] {
    const e = this.metrics.get(`${source}\u0000${name}`);
    if (!e) return [];
    return [...e.series.values()].filter((s) => !match || match(s.info.attributes));
  }

  /** The slot number of a time. */
  slotOf(timeMs: number): number {
    return Math.floor(timeMs / this.resolutionMs);
  }

  /** The cardinality guard's report. */
  guard(): GuardReport {
    const capped: { source: SourceTag; name: string; cap: 'per-metric' | 'total'; refusedPoints: number }[] = [];
    for (const e of this.metrics.values()) {
      for (const cap of ['per-metric', 'total'] as const) if (e.refused[cap] > 0) capped.push({ source: e.info.source, name: e.info.name, cap, refusedPoints: e.refused[cap] });
    }
    return { maxSeries: this.maxSeries, maxSeriesPerMetric: this.maxSeriesPerMetric, series: this.seriesCount, capped };
  }

  /** Forgets one source (a slice deleted, a reconnect from scratch) or everything. */
  clear(source?: SourceTag): void {
    for (const [k, e] of this.metrics) {
      if (source !== undefined && e.info.source !== source) continue;
      this.seriesCount -= e.series.size;
      this.metrics.delete(k);
    }
  }
}

function ingestPoint(s: Series, m: Metric, point: Metric['points'][number], slot: number): Ingested {
  // the series was made for this metric's kind (MetricStore.entry refuses another kind under the same name)
  switch (m.kind) {
    case 'sum':
    case 'gauge':
      return (s as NumberSeries).ingest(point as (typeof m.points)[number], slot);
    case 'histogram':
      return (s as HistogramSeries).ingest(point as (typeof m.points)[number], slot);
    case 'exponentialHistogram':
      return (s as ExpSeries).ingest(point as (typeof m.points)[number], slot);
    case 'summary':
      return (s as SummarySeries).ingest(point as (typeof m.points)[number], slot);
  }
}
