/**
 * What the aggregator answers: per-file views of per-line and per-function statistics, for one
 * source (the developer's slice or the baseline).
 */
import { type SourceTag, type StackFrame } from '../model';
import { type WindowSummary } from './window';
import { type Buckets } from '../metrics/compare';

/** The last error seen at a line or in a function. */
export interface ErrorSample {
  readonly type: string;
  readonly message: string;
  /** Parsed frames of the exception, most recent first (empty when there was no stack trace). */
  readonly frames: readonly StackFrame[];
  /** The raw stack trace as reported (capped by the decoder). */
  readonly stacktrace: string;
  readonly traceId: string;
  readonly spanId: string;
  readonly timeMs: number;
  /** Service that reported it. */
  readonly service: string | undefined;
  /**
   * The 4xx status the request's server span answered on purpose (its status not ERROR): the
   * exception was the handler's way to answer, not a failure. Not counted as an error, not a Problem.
   */
  readonly answered?: number;
}

/** A log record kept for its line. */
export interface LogSample {
  readonly timeMs: number;
  readonly severityNumber: number;
  /** The body, cut to 1,000 characters. */
  readonly body: string;
  readonly traceId: string;
}

/** Statistics of one line (1-based) over the window. */
export interface LineStats extends WindowSummary {
  readonly line: number;
  readonly lastError: ErrorSample | undefined;
  /** The last log records at this line, newest first. */
  readonly lastLogs: readonly LogSample[];
  /** The file version the data was recorded against. */
  readonly version: string | undefined;
  /** True when `version` differs from the version the caller asked about: the lines may have moved. */
  readonly stale: boolean;
}

/** Statistics of one function over the window. */
export interface FunctionStats extends WindowSummary {
  readonly function: string;
  /** The line the function was last reported at (`code.line.number` of its spans). */
  readonly line: number;
  readonly lastError: ErrorSample | undefined;
  readonly version: string | undefined;
  readonly stale: boolean;
  /** The window's durations as buckets, for the comparison with the baseline (./functionCompare.ts); undefined without durations. */
  durationBuckets?(): Buckets | undefined;
}

/** All statistics of one file for one source. */
export interface FileView {
  readonly source: SourceTag;
  /** Workspace path. */
  readonly file: string;
  readonly lines: readonly LineStats[];
  readonly functions: readonly FunctionStats[];
  /** True when any entry is stale. */
  readonly stale: boolean;
}

/** Counters of the aggregator, for logs and the benchmark. */
export interface AggregatorStats {
  readonly spans: number;
  readonly logs: number;
  /** Spans and logs with no location in the workspace (no `code.*`, unmapped path, no user frame). */
  readonly unlocated: number;
  /** Line and function entries tracked now. */
  readonly keys: number;
  /** Entries evicted to stay under the key cap. */
  readonly evictions: number;
}
