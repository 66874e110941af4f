/**
 * The exemplars of a slice's metrics: the measurements an SDK kept with a point together with the
 * trace they were taken in (OTLP `Exemplar`: time, value, trace and span id). The store keeps
 * values per slot and no exemplar; the metrics view links a chart's point to its trace through
 * these. Bounded: the newest {@link EXEMPLARS_PER_METRIC} with a trace id per source and metric.
 */
import { type Attributes, type SourceTag } from '../model';
import { type Metric } from './model';

/** Exemplars kept per source and metric (the oldest go first). */
export const EXEMPLARS_PER_METRIC = 256;

/** A point's route: its `http.route` after its method when it has one (`GET /orders`); undefined without a route. */
export function routeLabel(a: Attributes): string | undefined {
  const route = a['http.route'];
  if (typeof route !== 'string') return undefined;
  const method = a['http.request.method'] ?? a['http.method'];
  return typeof method === 'string' && method !== '' ? `${method} ${route}` : route;
}

/** An exemplar as kept: where it was measured and the trace that has it. */
export interface KeptExemplar {
  readonly timeMs: number;
  /** In the metric's unit. */
  readonly value: number;
  readonly traceId: string;
  readonly service: string;
  /** The point's `http.route` after its method (`GET /orders`), when it has one. */
  readonly route: string | undefined;
}

export class ExemplarLog {
  private readonly byMetric = new Map<string, KeptExemplar[]>();

  constructor(private readonly perMetric = EXEMPLARS_PER_METRIC) {}

  /** Keeps the exemplars with a trace id of decoded metrics. */
  add(metrics: readonly Metric[]): void {
    for (const m of metrics) {
      const service = m.resource.serviceName ?? '';
      for (const p of m.points) {
        if (p.exemplars.length === 0) continue;
        const route = routeLabel(p.attributes);
        const key = `${m.source}\u0000${m.name}`;
        let list = this.byMetric.get(key);
        if (!list) this.byMetric.set(key, (list = []));
        for (const e of p.exemplars) {
          if (e.traceId === '' || !Number.isFinite(e.value)) continue;
          list.push({ timeMs: e.timeMs > 0 ? e.timeMs : p.timeMs, value: e.value, traceId: e.traceId, service, route });
        }
        if (list.length > this.perMetric) list.splice(0, list.length - this.perMetric);
      }
    }
  }

  /** The exemplars of one metric of one source from `fromMs` to `toMs`, oldest first. */
  of(source: SourceTag, metric: string, fromMs: number, toMs: number): readonly KeptExemplar[] {
    const list = this.byMetric.get(`${source}\u0000${metric}`);
    return list ? list.filter((e) => e.timeMs >= fromMs && e.timeMs <= toMs) : [];
  }

  clear(): void {
    this.byMetric.clear();
  }
}
