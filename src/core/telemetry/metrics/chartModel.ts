/**
 * What the metrics view draws (issue 23): from a slice's metric store, one chart per metric of my
 * slice, per producer (service) and `http.route` when its series have one, with the baseline's same
 * metric, service and route beside it where the store has it. Histograms give two charts, the p95
 * per step (nearest rank inside the bucket, as the route lens) and the request rate; counters their
 * rate per second; gauges and up-down sums their value (the mean over series, the sum for up-down
 * sums). Every chart of a model shares one time axis: a step of whole store slots over the window.
 *
 * {@link chartUpdate} is what travels to the webview when the data moves: per chart only the points
 * past the last one they had in common, and how many fell off the front (the webview appends and
 * calls uPlot's setData, no page reload).
 *
 * Bounded: at most {@link CHART_LIMITS}.charts charts (the rest counted), {@link CHART_LIMITS}.points
 * steps, {@link CHART_LIMITS}.exemplars exemplars per chart.
 */
import { type Attributes, SOURCE_BASELINE, SOURCE_SLICE, type SourceTag } from '../model';
import { type ExemplarLog, routeLabel } from './exemplars';
import { distribution, seriesValues } from './read';
import { ROUTE_DURATION_METRICS, msPerUnit, nearestRankBucketQuantile } from './routeLens';
import { type MetricInfo, type MetricStore } from './store';

export const CHART_LIMITS = { charts: 24, points: 120, exemplars: 60 } as const;

/** Steps per window the step aims at (fewer for short windows: never under one slot). */
const TARGET_STEPS = 60;

export type ChartMeasure = 'p95' | 'rate' | 'value';

/** A point of a chart with a trace behind it. */
export interface ChartExemplar {
  /** Index into the chart's x. */
  readonly index: number;
  /** In the chart's display unit. */
  readonly y: number;
  readonly traceId: string;
  readonly side: 'mine' | 'baseline';
}

export interface MetricChart {
  /** Stable across updates: metric, service, route and measure. */
  readonly id: string;
  readonly metric: string;
  readonly service: string;
  readonly route: string | undefined;
  readonly measure: ChartMeasure;
  readonly title: string;
  /** The y axis' unit as shown ('ms', '/s', 'MiB', … or ''). */
  readonly unit: string;
  readonly description: string;
  readonly mine: readonly (number | null)[];
  /** Absent when the baseline has no such metric, service and route. */
  readonly baseline: readonly (number | null)[] | undefined;
  readonly exemplars: readonly ChartExemplar[];
}

export interface MetricsViewModel {
  readonly slice: string;
  readonly windowMinutes: number;
  readonly stepSeconds: number;
  /** Step starts, seconds since the epoch (uPlot's time unit), oldest first; shared by every chart. */
  readonly x: readonly number[];
  readonly charts: readonly MetricChart[];
  /** Charts left out past {@link CHART_LIMITS}.charts. */
  readonly omitted: number;
  /** With no slice shown: the slice shown before, whose store went (the slice is gone for the identity). */
  readonly ended?: string;
}

export interface ChartModelOptions {
  readonly slice: string;
  readonly windowMinutes: number;
  readonly nowMs: number;
  readonly exemplars?: ExemplarLog;
  readonly mine?: SourceTag;
  readonly baseline?: SourceTag;
}

/** The step for a window: whole slots, about {@link TARGET_STEPS} of them, at most {@link CHART_LIMITS}.points. */
export function chartStepMs(windowMs: number, resolutionMs: number): number {
  const k = Math.max(1, Math.ceil(windowMs / (TARGET_STEPS * resolutionMs)), Math.ceil(windowMs / (CHART_LIMITS.points * resolutionMs)));
  return k * resolutionMs;
}

interface Group {
  readonly info: MetricInfo;
  readonly service: string;
  /** The route with its method when the series say one (`GET /orders`). */
  readonly route: string | undefined;
}

const routeOf = routeLabel;

/** The display unit of a metric's values and the factor from its unit. */
function displayUnit(info: MetricInfo): { unit: string; factor: number } {
  const u = info.unit;
  if (['s', 'ms', 'us', 'ns'].includes(u) || (ROUTE_DURATION_METRICS as readonly string[]).includes(info.name)) return { unit: 'ms', factor: msPerUnit(u, info.name) };
  if (u === 'By') return { unit: 'MiB', factor: 1 / (1024 * 1024) };
  if (u === '1') return { unit: '', factor: 1 };
  return { unit: u.replace(/^\{(.*)\}$/, '$1'), factor: 1 };
}

/** The model of the view from `store` over the window ending at `nowMs`. */
export function chartModel(store: MetricStore, o: ChartModelOptions): MetricsViewModel {
  const mine = o.mine ?? SOURCE_SLICE;
  const base = o.baseline ?? SOURCE_BASELINE;
  const windowMs = Math.max(1, o.windowMinutes) * 60_000;
  const stepMs = chartStepMs(windowMs, store.resolutionMs);
  const lastStep = Math.floor(o.nowMs / stepMs);
  const steps = Math.min(CHART_LIMITS.points, Math.ceil(windowMs / stepMs));
  const starts: number[] = [];
  for (let i = steps - 1; i >= 0; i--) starts.push((lastStep - i) * stepMs);
  const x = starts.map((t) => t / 1000);

  const groups: Group[] = [];
  for (const info of store.metricList(mine)) {
    const seen = new Set<string>();
    for (const s of store.seriesOf(mine, info.name)) {
      const route = routeOf(s.attributes);
      const k = `${s.service}\u0000${route ?? ''}`;
      if (seen.has(k)) continue;
      seen.add(k);
      groups.push({ info, service: s.service, route });
    }
  }
  groups.sort((a, b) => rank(a) - rank(b) || a.info.name.localeCompare(b.info.name) || a.service.localeCompare(b.service) || (a.route ?? '').localeCompare(b.route ?? ''));

  const baseMetrics = new Map(store.metricList(base).map((m) => [m.name, m]));
  const charts: MetricChart[] = [];
  let omitted = 0;
  for (const g of groups) {
    const measures: ChartMeasure[] = g.info.kind === 'histogram' || g.info.kind === 'exponentialHistogram' ? ['p95', 'rate'] : g.info.kind === 'summary' || (g.info.kind === 'sum' && g.info.monotonic) ? ['rate'] : ['value'];
    for (const measure of measures) {
      if (charts.length >= CHART_LIMITS.charts) {
        omitted++;
        continue;
      }
      const match = (a: Attributes) => routeOf(a) === g.route;
      const read = (source: SourceTag) => stepValues(store, source, g, measure, starts, stepMs, match);
      const baseInfo = baseMetrics.get(g.info.name);
      const hasBase = baseInfo !== undefined && baseInfo.kind === g.info.kind && store.matching(base, g.info.name, match).some((s) => s.info.service === g.service);
      const { unit, factor } = measure === 'rate' ? { unit: '/s', factor: 1 } : displayUnit(g.info);
      const scale = (v: (number | null)[]) => (factor === 1 ? v : v.map((y) => (y === null ? null : y * factor)));
      const mineY = scale(read(mine));
      const baseY = hasBase ? scale(read(base)) : undefined;
      const exemplars = o.exemplars ? chartExemplars(o.exemplars, g, measure, factor, starts, stepMs, mineY, baseY, mine, base) : [];
      const where = [g.service, g.route].filter((s) => s !== undefined && s !== '').join(' ');
      const what = measure === 'p95' ? 'p95' : measure === 'rate' ? (g.info.kind === 'sum' ? 'rate' : 'requests') : 'value';
      charts.push({
        id: `${g.info.name}\u0000${g.service}\u0000${g.route ?? ''}\u0000${measure}`,
        metric: g.info.name,
        service: g.service,
        route: g.route,
        measure,
        title: `${g.info.name}${where ? ` · ${where}` : ''} · ${what}${unit ? ` (${unit})` : ''}`,
        unit,
        description: g.info.description,
        mine: mineY,
        baseline: baseY,
        exemplars,
      });
    }
  }
  return { slice: o.slice, windowMinutes: o.windowMinutes, stepSeconds: stepMs / 1000, x, charts, omitted };
}

/** Route durations first, then the other histograms, counters, the rest. */
function rank(g: Group): number {
  if ((ROUTE_DURATION_METRICS as readonly string[]).includes(g.info.name)) return 0;
  if (g.info.kind === 'histogram' || g.info.kind === 'exponentialHistogram') return 1;
  if (g.info.kind === 'sum' && g.info.monotonic) return 2;
  return 3;
}

function stepValues(store: MetricStore, source: SourceTag, g: Group, measure: ChartMeasure, starts: readonly number[], stepMs: number, match: (a: Attributes) => boolean): (number | null)[] {
  const seconds = stepMs / 1000;
  if (g.info.kind === 'histogram' || g.info.kind === 'exponentialHistogram') {
    return starts.map((t) => {
      const d = distribution(store, source, g.info.name, t, t + stepMs - 1, match, g.service);
      if (!d) return null;
      if (measure === 'rate') return d.count / seconds;
      return nearestRankBucketQuantile(d, 0.95)?.value ?? null;
    });
  }
  const series = store.matching(source, g.info.name, match).filter((s) => s.info.service === g.service);
  const first = starts[0] ?? 0;
  const sums = new Array<number>(starts.length).fill(0);
  const counts = new Array<number>(starts.length).fill(0);
  const perSeries = new Array<number>(starts.length).fill(0);
  for (const s of series) {
    perSeries.fill(NaN);
    for (const v of seriesValues(store, s.info.key, first, first + starts.length * stepMs - 1)) {
      const i = Math.floor((v.timeMs - first) / stepMs);
      if (i < 0 || i >= starts.length) continue;
      // rates (counters, histogram-like counts): the step's observations; values: the step's last
      if (measure === 'rate') perSeries[i] = (Number.isNaN(perSeries[i]!) ? 0 : perSeries[i]!) + (v.value * store.resolutionMs) / 1000;
      else perSeries[i] = v.value;
    }
    for (let i = 0; i < starts.length; i++) {
      if (Number.isNaN(perSeries[i]!)) continue;
      sums[i]! += perSeries[i]!;
      counts[i]!++;
    }
  }
  const mean = g.info.kind === 'gauge';
  return sums.map((sum, i) => (counts[i] === 0 ? null : measure === 'rate' ? sum / seconds : mean ? sum / counts[i]! : sum));
}

/** The exemplars of a chart's window, at most one per step and side (the largest value), newest last. */
function chartExemplars(log: ExemplarLog, g: Group, measure: ChartMeasure, factor: number, starts: readonly number[], stepMs: number, mineY: readonly (number | null)[], baseY: readonly (number | null)[] | undefined, mine: SourceTag, base: SourceTag): ChartExemplar[] {
  const first = starts[0] ?? 0;
  const out: ChartExemplar[] = [];
  for (const [side, source, ys] of [['mine', mine, mineY], ['baseline', base, baseY]] as const) {
    if (!ys) continue;
    const best = new Map<number, { y: number; traceId: string }>();
    for (const e of log.of(source, g.info.name, first, first + starts.length * stepMs - 1)) {
      if (e.service !== g.service || e.route !== g.route) continue;
      const index = Math.floor((e.timeMs - first) / stepMs);
      // on a p95 or value chart the exemplar is a measurement in the chart's unit; on a rate chart it sits on the line
      const y = measure === 'rate' ? ys[index] : e.value * factor;
      if (y === null || y === undefined) continue;
      const had = best.get(index);
      if (!had || y > had.y) best.set(index, { y, traceId: e.traceId });
    }
    for (const [index, b] of best) out.push({ index, y: b.y, traceId: b.traceId, side });
  }
  out.sort((a, b) => a.index - b.index);
  return out.slice(-CHART_LIMITS.exemplars);
}

/** One chart's change: drop `drop` points off the front, cut at `from`, append the values. */
export interface ChartDelta {
  readonly id: string;
  readonly mine: readonly (number | null)[];
  readonly baseline: readonly (number | null)[] | undefined;
  readonly exemplars: readonly ChartExemplar[];
}

/** What the host posts to the webview. */
export type ChartUpdate =
  | { readonly type: 'model'; readonly model: MetricsViewModel }
  | {
      readonly type: 'append';
      /** Steps that left the window at the front. */
      readonly drop: number;
      /** Index (after the drop) from which the points are replaced by the ones given. */
      readonly from: number;
      readonly x: readonly number[];
      readonly charts: readonly ChartDelta[];
      readonly omitted: number;
    };

const sameValue = (a: number | null | undefined, b: number | null | undefined) => a === b || (a !== null && b !== null && a !== undefined && b !== undefined && Math.abs(a - b) <= 1e-12 * Math.max(1, Math.abs(a)));

/**
 * The message that turns the webview's `prev` into `next`: the whole model when the charts, the
 * step or the window changed (or nothing was shown), else per chart only the points from the first
 * that differs (a step still filling in) or is new. Undefined when nothing changed.
 */
export function chartUpdate(prev: MetricsViewModel | undefined, next: MetricsViewModel): ChartUpdate | undefined {
  if (!prev || prev.stepSeconds !== next.stepSeconds || prev.slice !== next.slice || prev.ended !== next.ended || prev.charts.length !== next.charts.length || prev.charts.some((c, i) => c.id !== next.charts[i]!.id || (c.baseline === undefined) !== (next.charts[i]!.baseline === undefined))) {
    return { type: 'model', model: next };
  }
  const x0 = next.x[0];
  const drop = x0 === undefined ? prev.x.length : prev.x.findIndex((t) => t >= x0);
  if (drop < 0 || (prev.x.length - drop > 0 && prev.x[drop] !== x0)) return { type: 'model', model: next };
  const kept = prev.x.length - drop;
  let from = Math.min(kept, next.x.length);
  for (const [i, c] of prev.charts.entries()) {
    const n = next.charts[i]!;
    for (let j = 0; j < from; j++) {
      if (!sameValue(c.mine[drop + j], n.mine[j]) || !sameValue(c.baseline?.[drop + j], n.baseline?.[j])) {
        from = j;
        break;
      }
    }
  }
  const exemplarsChanged = prev.charts.some((c, i) => JSON.stringify(c.exemplars) !== JSON.stringify(next.charts[i]!.exemplars));
  if (drop === 0 && from === next.x.length && next.x.length === prev.x.length && !exemplarsChanged && prev.omitted === next.omitted) return undefined;
  return {
    type: 'append',
    drop,
    from,
    x: next.x.slice(from),
    charts: next.charts.map((c) => ({ id: c.id, mine: c.mine.slice(from), baseline: c.baseline?.slice(from), exemplars: c.exemplars })),
    omitted: next.omitted,
  };
}

/** Applies an update to a model (what the webview does to its arrays; the tests check both agree). */
export function applyUpdate(prev: MetricsViewModel | undefined, u: ChartUpdate): MetricsViewModel | undefined {
  if (u.type === 'model') return u.model;
  if (!prev) return undefined;
  const cut = <T>(a: readonly T[], tail: readonly T[]) => [...a.slice(u.drop, u.drop + u.from), ...tail];
  return {
    ...prev,
    x: cut(prev.x, u.x),
    omitted: u.omitted,
    charts: prev.charts.map((c, i) => {
      const d = u.charts[i]!;
      return { ...c, mine: cut(c.mine, d.mine), baseline: c.baseline && d.baseline ? cut(c.baseline, d.baseline) : c.baseline, exemplars: d.exemplars };
    }),
  };
}
