/**
 * Which code serves an HTTP route, learned from spans: the route histograms
 * (`http.server.request.duration` by `http.route`) say nothing about code, the spans do. A SERVER
 * span carries `http.route` (and the method); the handler's own span (a direct child with `code.*`
 * attributes: the sample's `traced()` handlers) says where the handler is. A server span that
 * carries `code.*` itself maps at once.
 *
 * Parent and child arrive in any order (a child usually ends, and is exported, first), in the same
 * batch or not: each side waits for the other in a bounded map. What is learned stays after the
 * spans leave the aggregation window, so a route keeps its place on the code while only its
 * metrics keep coming (sampling, or no span exported for a while).
 */
import { httpOf } from '../attributes';
import { type CodeLocation, type Span, type SourceTag } from '../model';

/** A route of a service: what one set of route-histogram series is about. */
export interface RouteKey {
  /** `service.name` of the server. */
  readonly service: string;
  /** The `http.request.method` ('' when not known). */
  readonly method: string;
  readonly route: string;
}

/** A route and the handler that serves it, as reported (container paths: the caller maps them). */
export interface RouteHandler extends RouteKey {
  readonly code: CodeLocation;
  /** Which source's spans showed it. */
  readonly source: SourceTag;
}

/** Spans waiting for their other half at most (each side). */
const PENDING = 4096;
/** Routes kept at most (the oldest learned goes first). */
const MAX_ROUTES = 2000;

const SERVER = 2;

interface Waiting {
  readonly route?: RouteKey;
  readonly code?: CodeLocation;
  readonly source: SourceTag;
}

/** Insertion-ordered map that forgets its oldest entry past `max`. */
function boundedSet<K, V>(m: Map<K, V>, k: K, v: V, max: number): void {
  m.delete(k);
  m.set(k, v);
  if (m.size > max) m.delete(m.keys().next().value as K);
}

const keyOf = (r: RouteKey) => `${r.service}\u0000${r.method}\u0000${r.route}`;

export class RouteHandlers {
  /** Server spans with a route, by trace + span id, waiting for a handler child. */
  private readonly servers = new Map<string, Waiting>();
  /** Spans with a code location, by trace + parent span id, waiting for their server parent. */
  private readonly children = new Map<string, Waiting>();
  private readonly routes = new Map<string, RouteHandler>();
  private version = 0;

  /** Bumped whenever a route's handler is learned or moves. */
  get generation(): number {
    return this.version;
  }

  /** Learns from a chunk of spans. */
  observe(spans: readonly Span[]): void {
    for (const s of spans) {
      const hasCode = s.code !== undefined && s.code.file !== undefined;
      if (s.kind === SERVER) {
        const attrs = s.attributes;
        const route = typeof attrs['http.route'] === 'string' ? attrs['http.route'] : undefined;
        if (!route) continue;
        const http = httpOf(attrs);
        const key: RouteKey = { service: s.resource.serviceName ?? '', method: http.method ?? '', route };
        if (hasCode) {
          this.learn(key, s.code, s.source);
          continue;
        }
        const id = `${s.traceId}:${s.spanId}`;
        const child = this.children.get(id);
        if (child?.code) {
          this.children.delete(id);
          this.learn(key, child.code, s.source);
        } else boundedSet(this.servers, id, { route: key, source: s.source }, PENDING);
        continue;
      }
      // a handler's span: its attributes are not read (that would make an object per span); its parent says the route
      if (!hasCode || !s.parentSpanId) continue;
      const pid = `${s.traceId}:${s.parentSpanId}`;
      const parent = this.servers.get(pid);
      if (parent?.route) {
        this.servers.delete(pid);
        this.learn(parent.route, s.code, s.source);
      } else boundedSet(this.children, pid, { code: s.code, source: s.source }, PENDING);
    }
  }

  private learn(key: RouteKey, code: CodeLocation, source: SourceTag): void {
    const k = keyOf(key);
    const had = this.routes.get(k);
    if (had && had.code.file === code.file && had.code.line === code.line && had.code.function === code.function) return;
    boundedSet(this.routes, k, { ...key, code, source }, MAX_ROUTES);
    this.version++;
  }

  /** Every route whose handler is known. */
  all(): RouteHandler[] {
    return [...this.routes.values()];
  }

  clear(): void {
    this.servers.clear();
    this.children.clear();
    this.routes.clear();
    this.version++;
  }
}
