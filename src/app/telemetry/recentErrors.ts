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

  list(): RecentError[] {
    return this.items.slice(-this.capacity).reverse();
  }

  clear(): void {
    this.items = [];
  }
}
