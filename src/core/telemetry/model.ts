/**
 * The telemetry model of the pure core: spans, log records and exceptions as the editor needs
 * them, decoded from OTLP (JSON or protobuf) or parsed from container log lines.
 *
 * Lines are 1-based and columns 1-based, as OpenTelemetry and stack traces report them;
 * conversion to VS Code's 0-based positions happens once, in `src/vscode`.
 * Times are milliseconds since the Unix epoch as floats (sub-microsecond precision is not kept).
 */
import type { SpanRecord } from './span';

/**
 * Which slice the telemetry came from: the developer's own slice or the shared baseline. The
 * decoders stamp it on every item; the aggregator keeps sources apart.
 */
export type SourceTag = string;

/** The well-known source tags. Any other string (e.g. a slice's name) is allowed too. */
export const SOURCE_SLICE: SourceTag = 'slice';
export const SOURCE_BASELINE: SourceTag = 'baseline';

/** An attribute value: OTLP's AnyValue without its wrapper (int64 becomes a number; may lose precision above 2^53). */
export type AttrValue = string | number | boolean | Uint8Array | null | readonly AttrValue[] | { readonly [key: string]: AttrValue };

/** Attributes as a plain object (keys in payload order; `__proto__` is never a key). */
export type Attributes = Readonly<Record<string, AttrValue>>;

/** Where in the source an item was produced, as reported (container paths, before mapping). */
export interface CodeLocation {
  /** Path of the source file as the process saw it (`code.file.path` / `code.filepath`, a caller field, a frame). */
  readonly file: string | undefined;
  /** 1-based line, when known. */
  readonly line: number | undefined;
  /** 1-based column, when known. */
  readonly column: number | undefined;
  /** Function name (`code.function.name` / `code.function`), qualified when the producer qualified it. */
  readonly function: string | undefined;
}

/** One frame of a parsed stack trace, most recent call first. */
export interface StackFrame {
  /** File path or URL as printed (a `file://` URL is turned into a path; Java: package path + file name). */
  readonly file: string;
  /** 1-based line; 0 when the runtime printed none. */
  readonly line: number;
  /** 1-based column; 0 when the runtime printed none. */
  readonly column: number;
  /** Function as printed (`Foo.bar`, `main.(*T).M`, `com.x.Foo.bar`, `<module>`), or '' when anonymous. */
  readonly function: string;
  /** True for frames of the runtime itself (`node:internal`, `<frozen importlib>`, `Native Method`, `runtime/`...). */
  readonly internal: boolean;
  /** True for V8 `at async fn (...)` frames. */
  readonly async?: boolean;
}

/** A parsed exception: its type and message, its frames, and what caused it (Java `Caused by:`, Python chains). */
export interface ParsedStack {
  readonly runtime: 'node' | 'python' | 'java' | 'go' | 'unknown';
  readonly type: string;
  readonly message: string;
  readonly frames: readonly StackFrame[];
  /** Exceptions that caused this one, outermost cause first (Java `Caused by:`, Python `__cause__`/`__context__`). */
  readonly causes: readonly { readonly type: string; readonly message: string; readonly frames: readonly StackFrame[] }[];
  /** Go only: goroutines other than the one that panicked. */
  readonly otherGoroutines?: readonly { readonly id: number; readonly state: string; readonly frames: readonly StackFrame[] }[];
}

/** An exception recorded on a span (event `exception`) or a log record (`exception.*` attributes). */
export interface ExceptionInfo {
  readonly type: string;
  readonly message: string;
  /** The raw `exception.stacktrace`, possibly truncated to the decoder's string cap; '' when absent. */
  readonly stacktrace: string;
  readonly timeMs: number;
}

/** A span event other than the exceptions (which are in `Span.exceptions`). */
export interface SpanEvent {
  readonly name: string;
  readonly timeMs: number;
  readonly attributes: Attributes;
}

/** The resource of a batch: who produced the telemetry. Shared by every item of the batch. */
export interface ResourceInfo {
  readonly serviceName: string | undefined;
  readonly namespace: string | undefined;
  readonly podName: string | undefined;
  readonly containerName: string | undefined;
  readonly attributes: Attributes;
}

/** OTLP SpanKind: 0 unspecified, 1 internal, 2 server, 3 client, 4 producer, 5 consumer. */
export type SpanKind = 0 | 1 | 2 | 3 | 4 | 5;
/** OTLP StatusCode: 0 unset, 1 ok, 2 error. */
export type StatusCode = 0 | 1 | 2;
export const STATUS_ERROR: StatusCode = 2;
export const KIND_SERVER: SpanKind = 2;

/** A decoded span: the shape of {@link SpanRecord}, the one span class (its fields are documented there). */
export type Span = { readonly [K in Exclude<keyof SpanRecord, 'httpStatus'>]: SpanRecord[K] } & { readonly httpStatus?: number };

/** A log record, from OTLP logs or from a container log line. */
export interface LogRecord {
  readonly source: SourceTag;
  readonly timeMs: number;
  /** OTLP SeverityNumber 0..24 (9 info, 13 warn, 17 error, 21 fatal); 0 when unknown. */
  readonly severityNumber: number;
  readonly severityText: string;
  /** The body as text (structured bodies are JSON-encoded). */
  readonly body: string;
  readonly attributes: Attributes;
  readonly code: CodeLocation | undefined;
  readonly traceId: string;
  readonly spanId: string;
  readonly exception: ExceptionInfo | undefined;
  readonly resource: ResourceInfo;
}

/** The first severity number of the ERROR range. */
export const SEVERITY_ERROR = 17;

export const EMPTY_ATTRIBUTES: Attributes = Object.freeze({});
export const EMPTY_RESOURCE: ResourceInfo = Object.freeze({ serviceName: undefined, namespace: undefined, podName: undefined, containerName: undefined, attributes: EMPTY_ATTRIBUTES });

/**
 * Whether a server span answered a 4xx on purpose (its status not set to error; OpenTelemetry's HTTP
 * conventions: for a server a 4xx is the client's): the exceptions its service's handler threw to
 * answer it (a 404 for an unknown id) are how it answered, not failures. `status` defaults to the one
 * read at decode time (no attribute read: the aggregator calls this for every span).
 */
export function answeredOnPurpose(s: Span, status: number = s.httpStatus ?? 0): boolean {
  return status >= 400 && status < 500 && s.kind === KIND_SERVER && s.status.code !== STATUS_ERROR;
}
