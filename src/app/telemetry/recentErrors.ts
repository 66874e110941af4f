import { type SourceTag, type WorkspaceLocation } from '../../core/telemetry';

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

  list(): RecentError[] {
    return this.items.slice(-this.capacity).reverse();
  }

  clear(): void {
    this.items = [];
  }
}
