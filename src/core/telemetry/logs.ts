/**
 * Container log lines (from the Kubernetes log stream) to log records: binary lines rejected,
 * long lines cut, ANSI colours stripped, an RFC 3339 timestamp prefix (`timestamps=true`) read,
 * structured JSON lines of the usual loggers understood (pino, winston, bunyan, zap, logrus,
 * python-json-logger, structlog, ECS) including their caller fields, klog/glog text headers read.
 * Anything else is a plain text record without a location.
 */
import { type Result, ok } from '../base/result';
import { type AttrValue, type Attributes, type CodeLocation, type ExceptionInfo, type LogRecord, type ResourceInfo, EMPTY_ATTRIBUTES, EMPTY_RESOURCE } from './model';
import { type Rejection, type RejectionCounter, reject } from './rejections';
import { jsonId } from './otlp/scalars';
import { parseV8Frame } from './stack/node';

/** Options of {@link parseLogLine}. */
export interface LogLineOptions {
  readonly source: string;
  readonly counter?: RejectionCounter;
  /** The pod/container the stream belongs to. */
  readonly resource?: ResourceInfo;
  /** Longest line kept (longer ones are cut and counted as 'truncated'). Default 16 KiB. */
  readonly maxLineLength?: number;
  /** Time for lines that carry none (ms since epoch). Default: 0 (unknown). */
  readonly receivedMs?: number;
}

// eslint-disable-next-line no-control-regex -- matching escape sequences is the point
const ANSI = /\x1b\[[0-9;?]*[ -/]*[@-~]|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)|\x1b[@-Z\\-_]/g;
const KLOG = /^([IWEF])\d{4} \d\d:\d\d:\d\d\.\d+\s+\d+ ([^:\]\s]+):(\d+)\] ?(.*)$/s;
const LEVEL_WORD = /\b(TRACE|DEBUG|INFO|NOTICE|WARN|WARNING|ERROR|ERR|CRITICAL|FATAL|PANIC)\b/;

/** True when the line is binary: a NUL, or more than 10% control characters (tab and ESC aside). */
export function isBinaryLine(line: string): boolean {
  let control = 0;
  const n = Math.min(line.length, 4096);
  for (let i = 0; i < n; i++) {
    const c = line.charCodeAt(i);
    if (c === 0) return true;
    if ((c < 32 && c !== 9 && c !== 27 && c !== 10 && c !== 13) || c === 0xfffd) control++;
  }
  return control * 10 > n;
}

/** `s` without ANSI escape sequences. */
export function stripAnsi(s: string): string {
  return s.includes('\x1b') ? s.replace(ANSI, '') : s;
}

/** OTLP severity number of a level name or a pino/bunyan level number; 0 when unknown. */
export function severityOf(level: unknown): number {
  if (typeof level === 'number') {
    if (level >= 60) return 21; // pino/bunyan fatal
    if (level >= 50) return 17;
    if (level >= 40) return 13;
    if (level >= 30) return 9;
    if (level >= 20) return 5;
    return level >= 10 ? 1 : 0;
  }
  if (typeof level !== 'string') return 0;
  switch (level.toLowerCase()) {
    case 'trace':
      return 1;
    case 'debug':
      return 5;
    case 'info':
    case 'notice':
      return 9;
    case 'warn':
    case 'warning':
      return 13;
    case 'error':
    case 'err':
      return 17;
    case 'critical':
    case 'crit':
    case 'fatal':
    case 'panic':
    case 'dpanic':
    case 'alert':
    case 'emerg':
      return 21;
    default:
      return 0;
  }
}

/** A caller field as a location: `file:line[:col]`, `fn (file:line:col)`, `at fn (file:line:col)`. */
export function parseCaller(caller: string): CodeLocation | undefined {
  let t = caller.trim();
  if (t.startsWith('at ')) t = t.slice(3);
  if (t.endsWith(')') && t.includes(' (')) {
    const f = parseV8Frame(t);
    return f.line > 0 ? { file: f.file, line: f.line, column: f.column || undefined, function: f.function || undefined } : undefined;
  }
  const m = /^(.*?):(\d+)(?::(\d+))?$/.exec(t);
  if (!m || m[1]!.length === 0) return undefined;
  return { file: m[1], line: Number(m[2]), column: m[3] ? Number(m[3]) : undefined, function: undefined };
}

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
const firstString = (o: Obj, keys: readonly string[]): string | undefined => {
  for (const k of keys) {
    const v = o[k];
    if (typeof v === 'string' && v.length > 0) return v;
  }
  return undefined;
};
const posInt = (v: unknown): number | undefined => {
  const n = typeof v === 'string' ? Number(v) : v;
  return typeof n === 'number' && Number.isInteger(n) && n > 0 ? n : undefined;
};

/** The code location of a structured record, from whichever caller convention it follows. */
function locationOf(o: Obj): CodeLocation | undefined {
  const caller = o.caller ?? o['logger.caller'];
  if (typeof caller === 'string') {
    const c = parseCaller(caller);
    if (c) return { ...c, function: c.function ?? firstString(o, ['func', 'function', 'funcName']) };
  }
  const src = o.src ?? o.caller; // bunyan `src: { file, line, func }`
  if (isObj(src) && typeof src.file === 'string') return { file: src.file, line: posInt(src.line), column: undefined, function: firstString(src, ['func', 'function']) };
  if (typeof o.pathname === 'string') return { file: o.pathname, line: posInt(o.lineno), column: undefined, function: firstString(o, ['funcName']) }; // python logging
  const origin = o['log.origin.file.name'];
  if (typeof origin === 'string') return { file: origin, line: posInt(o['log.origin.file.line']), column: undefined, function: firstString(o, ['log.origin.function']) }; // ECS
  const codeFile = o['code.filepath'] ?? o['code.file.path'];
  if (typeof codeFile === 'string') return { file: codeFile, line: posInt(o['code.lineno'] ?? o['code.line.number']), column: undefined, function: firstString(o, ['code.function', 'code.function.name']) };
  if (typeof o.file === 'string') {
    const c = parseCaller(o.file); // logrus ReportCaller: file "/app/main.go:42", func "main.handler"
    if (c) return { ...c, function: firstString(o, ['func', 'function']) };
    return { file: o.file, line: posInt(o.line ?? o.lineno), column: undefined, function: firstString(o, ['func', 'function']) };
  }
  return undefined;
}

function exceptionOfRecord(o: Obj, timeMs: number): ExceptionInfo | undefined {
  const err = o.err ?? o.error ?? o.exception;
  if (isObj(err)) {
    const stack = firstString(err, ['stack', 'stacktrace', 'stack_trace']) ?? '';
    const type = firstString(err, ['type', 'name', 'class']) ?? '';
    const message = firstString(err, ['message', 'msg']) ?? '';
    if (stack || type || message) return { type, message, stacktrace: stack, timeMs };
  }
  const stack = firstString(o, ['exc_info', 'exception', 'stack', 'stacktrace', 'stack_trace', 'error.stack_trace']);
  if (stack && stack.includes('\n')) return { type: firstString(o, ['error.type', 'exc_type']) ?? '', message: firstString(o, ['error.message']) ?? '', stacktrace: stack, timeMs };
  return undefined;
}

function timeOf(v: unknown): number {
  if (typeof v === 'number') return v > 1e14 ? v / 1e6 : v > 1e11 ? v : v * 1000; // ns, ms or s (zap)
  if (typeof v === 'string') {
    const t = Date.parse(v);
    return Number.isNaN(t) ? 0 : t;
  }
  return 0;
}

function toAttributes(o: Obj): Attributes {
  const out: Record<string, AttrValue> = {};
  let n = 0;
  for (const k of Object.keys(o)) {
    if (k === '__proto__' || ++n > 64) continue;
    const v = o[k];
    out[k] = typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean' || v === null ? v : JSON.stringify(v);
  }
  return out;
}

function structured(o: Obj, raw: string, fallbackMs: number, opt: LogLineOptions): LogRecord {
  const level = o.level ?? o.levelname ?? o.severity ?? o['log.level'] ?? o.lvl;
  const timeMs = timeOf(o.time ?? o.timestamp ?? o.ts ?? o['@timestamp']) || fallbackMs;
  return {
    source: opt.source,
    timeMs,
    severityNumber: severityOf(level),
    severityText: typeof level === 'string' ? level : '',
    body: firstString(o, ['msg', 'message', '@message', 'event', 'log']) ?? raw,
    attributes: toAttributes(o),
    code: locationOf(o),
    traceId: jsonId(o.trace_id ?? o.traceId ?? o['trace.id'] ?? o.otelTraceID, 16),
    spanId: jsonId(o.span_id ?? o.spanId ?? o['span.id'] ?? o.otelSpanID, 8),
    exception: exceptionOfRecord(o, timeMs),
    resource: opt.resource ?? EMPTY_RESOURCE,
  };
}

function plain(text: string, timeMs: number, opt: LogLineOptions): LogRecord {
  let code: CodeLocation | undefined;
  let body = text;
  let severity = 0;
  const k = text.length > 20 && text.charCodeAt(1) >= 48 && text.charCodeAt(1) <= 57 ? KLOG.exec(text) : null;
  if (k) {
    severity = { I: 9, W: 13, E: 17, F: 21 }[k[1] as 'I' | 'W' | 'E' | 'F'];
    code = { file: k[2], line: Number(k[3]), column: undefined, function: undefined };
    body = k[4]!;
  } else {
    const m = LEVEL_WORD.exec(text.slice(0, 64));
    if (m) severity = severityOf(m[1]);
  }
  return { source: opt.source, timeMs, severityNumber: severity, severityText: '', body, attributes: EMPTY_ATTRIBUTES, code, traceId: '', spanId: '', exception: undefined, resource: opt.resource ?? EMPTY_RESOURCE };
}

/** Parses one container log line. Never throws; binary lines are rejected and counted. */
export function parseLogLine(line: string, opt: LogLineOptions): Result<LogRecord, Rejection> {
  if (isBinaryLine(line)) return reject(opt.counter, 'binary-line', `binary log line of ${line.length} chars`);
  const max = opt.maxLineLength ?? 16 * 1024;
  let text = line;
  if (text.length > max) {
    opt.counter?.add('truncated');
    text = text.slice(0, max);
  }
  text = stripAnsi(text).replace(/\r?\n$/, '');
  let timeMs = opt.receivedMs ?? 0;
  // `kubectl logs --timestamps` / the log API's timestamps=true: RFC 3339 then a space
  if (text.length > 21 && text.charCodeAt(4) === 45 && text.charCodeAt(10) === 84) {
    const sp = text.indexOf(' ');
    if (sp > 19 && sp < 40) {
      const t = Date.parse(text.slice(0, sp));
      if (!Number.isNaN(t)) {
        timeMs = t;
        text = text.slice(sp + 1);
      }
    }
  }
  const trimmed = text.trim();
  if (trimmed.startsWith('{') && trimmed.endsWith('}')) {
    try {
      const o: unknown = JSON.parse(trimmed);
      if (isObj(o)) return ok(structured(o, trimmed, timeMs, opt));
    } catch {
      // not JSON after all: plain text
    }
  }
  return ok(plain(text, timeMs, opt));
}
