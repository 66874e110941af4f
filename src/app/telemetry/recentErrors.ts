import { type Locator, type LogRecord, type SourceTag, type Span, type WorkspaceLocation, SEVERITY_ERROR, STATUS_ERROR } from '../../core/telemetry';
import { answeredStatus } from '../../core/telemetry/attributes';
import { type StackCache } from '../../core/telemetry/stack/stackCache';

/** An error as the Traces & Errors view lists it. */
export interface RecentError {
  readonly source: SourceTag;
  readonly type: string;
  readonly message: string;
  readonly traceId: string;
  readonly timeMs: number;
  /** Where it was thrown (or logged) in the workspace, when known. 1-based. */
  readonly location: WorkspaceLocation | undefined;
}

/** The last `capacity` errors, newest first. */
export class RecentErrors {
  private items: RecentError[] = [];

  constructor(private readonly capacity = 50) {}

  add(e: RecentError): void {
    this.items.push(e);
    if (this.items.length > this.capacity * 2) this.items = this.items.slice(-this.capacity);
  }

  /** True when an error of the trace is listed (cheap: most spans' traces have none). */
  has(traceId: string): boolean {
    for (let i = this.items.length - 1; i >= 0; i--) if (this.items[i]!.traceId === traceId) return true;
    return false;
  }

  /** Drops the errors of a trace whose request was answered on purpose (a 4xx its server span did not call an error). */
  dropTrace(traceId: string): void {
    this.items = this.items.filter((e) => e.traceId !== traceId);
  }

  /** Lists the errors of these spans (failed, or with an exception); a request answered 4xx on purpose takes its trace's errors back. */
  addSpans(spans: readonly Span[], locator: Locator, stacks: StackCache): void {
    for (const s of spans) {
      // a request answered 4xx on purpose: the exception its handler threw to answer is no error
      if (answeredStatus(s.kind, s.status.code, s.httpStatus) !== undefined && this.has(s.traceId)) {
        this.dropTrace(s.traceId);
        continue;
      }
      const ex = s.exceptions.length > 0 ? s.exceptions[s.exceptions.length - 1] : undefined;
      if (s.status.code !== STATUS_ERROR && !ex) continue;
      const stack = ex?.stacktrace ? stacks.parse(ex.stacktrace, s.resource.attributes['telemetry.sdk.language']) : undefined;
      this.add({
        source: s.source,
        type: ex?.type || stack?.type || 'Error',
        message: ex?.message || s.status.message || stack?.message || s.name,
        traceId: s.traceId,
        timeMs: ex?.timeMs || s.startMs + s.durationMs,
        location: (stack && locator.throwSite(stack)) ?? locator.resolveCode(s.code),
      });
    }
  }

  /** Lists the errors of these log records (severity ERROR or more, or with an exception). */
  addLogs(records: readonly LogRecord[], locator: Locator, stacks: StackCache): void {
    for (const r of records) {
      if (r.severityNumber < SEVERITY_ERROR && !r.exception) continue;
      const stack = r.exception?.stacktrace ? stacks.parse(r.exception.stacktrace, r.resource.attributes['telemetry.sdk.language']) : undefined;
      this.add({
        source: r.source,
        type: r.exception?.type || stack?.type || r.severityText || 'ERROR',
        message: r.exception?.message || stack?.message || r.body,
        traceId: r.traceId,
        timeMs: r.timeMs,
        location: locator.resolveCode(r.code) ?? (stack && locator.throwSite(stack)),
      });
    }
  }

  list(): RecentError[] {
    return this.items.slice(-this.capacity).reverse();
  }

  clear(): void {
    this.items = [];
  }
}
