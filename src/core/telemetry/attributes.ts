/**
 * Reading semantic-convention attributes: code locations (both generations of the `code.*`
 * attributes), resources, exceptions.
 */
import { type AttrValue, type Attributes, type CodeLocation, type ExceptionInfo, type ResourceInfo } from './model';

/** The `code.*` attribute keys, newest generation first. */
export const CODE_KEYS = {
  filePath: ['code.file.path', 'code.filepath'],
  lineNumber: ['code.line.number', 'code.lineno'],
  columnNumber: ['code.column.number', 'code.column'],
  functionName: ['code.function.name', 'code.function'],
  /** Old generation only: the namespace the function belongs to (class or module). */
  namespace: 'code.namespace',
} as const;

/** An own attribute (never one of Object.prototype's properties). */
export function getAttr(attrs: Attributes, key: string): AttrValue | undefined {
  return Object.prototype.hasOwnProperty.call(attrs, key) ? attrs[key] : undefined;
}

/** A string attribute, or undefined. */
export function attrString(attrs: Attributes, key: string): string | undefined {
  const v = getAttr(attrs, key);
  return typeof v === 'string' ? v : undefined;
}

function attrInt(v: AttrValue | undefined): number | undefined {
  if (typeof v === 'number') return Number.isInteger(v) && v > 0 ? v : undefined;
  if (typeof v === 'string' && v.length > 0 && v.length < 10) {
    const n = Number(v);
    return Number.isInteger(n) && n > 0 ? n : undefined;
  }
  return undefined;
}

function str(v: AttrValue | undefined): string | undefined {
  return typeof v === 'string' && v.length > 0 ? v : undefined;
}

/**
 * The code location of the `code.*` attributes, either generation (`code.file.path`,
 * `code.line.number`, `code.column.number`, `code.function.name`; or `code.filepath`, `code.lineno`,
 * `code.column`, `code.function` + `code.namespace`). Undefined when neither file nor function is set.
 *
 * Hot path: plain property reads (the attribute objects come from the decoders, which never
 * create `__proto__` and only own keys matter here because none of these names is on Object.prototype).
 */
export function codeLocationOf(a: Attributes): CodeLocation | undefined {
  return codeLocationFrom(a['code.file.path'], a['code.filepath'], a['code.function.name'], a['code.function'], a['code.namespace'], a['code.line.number'], a['code.lineno'], a['code.column.number'], a['code.column']);
}

/** {@link codeLocationOf} from the values of its keys (undefined when absent), new generation before old. */
export function codeLocationFrom(
  filePath: AttrValue | undefined,
  filepath: AttrValue | undefined,
  functionName: AttrValue | undefined,
  functionOld: AttrValue | undefined,
  namespace: AttrValue | undefined,
  lineNumber: AttrValue | undefined,
  lineno: AttrValue | undefined,
  columnNumber: AttrValue | undefined,
  column: AttrValue | undefined,
): CodeLocation | undefined {
  const file = str(filePath) ?? str(filepath);
  let fn = str(functionName);
  if (fn === undefined) {
    fn = str(functionOld);
    const ns = fn !== undefined ? str(namespace) : undefined;
    if (ns !== undefined) fn = `${ns}.${fn}`;
  }
  if (file === undefined && fn === undefined) return undefined;
  const line = attrInt(lineNumber) ?? attrInt(lineno);
  const col = attrInt(columnNumber) ?? attrInt(column);
  return { file, line, column: col, function: fn };
}

/** The resource fields the editor shows, from a resource's attributes. */
export function resourceInfoOf(a: Attributes): ResourceInfo {
  return {
    serviceName: attrString(a, 'service.name'),
    namespace: attrString(a, 'k8s.namespace.name'),
    podName: attrString(a, 'k8s.pod.name'),
    containerName: attrString(a, 'k8s.container.name'),
    attributes: a,
  };
}

/** The exception of `exception.*` attributes (a span event or a log record), or undefined when there is none. */
export function exceptionOf(a: Attributes, timeMs: number): ExceptionInfo | undefined {
  const type = attrString(a, 'exception.type');
  const message = attrString(a, 'exception.message');
  const stacktrace = attrString(a, 'exception.stacktrace');
  if (type === undefined && message === undefined && stacktrace === undefined) return undefined;
  return { type: type ?? '', message: message ?? '', stacktrace: stacktrace ?? '', timeMs };
}

/** What an HTTP span says of its request (semantic conventions, both generations of the keys). */
export interface HttpFacts {
  readonly method: string | undefined;
  /** The route template (`/orders/:id`), else the path. */
  readonly route: string | undefined;
  readonly status: number | undefined;
}

/** The HTTP method, route and response status an HTTP span carries. */
export function httpOf(attrs: Attributes): HttpFacts {
  const method = str(getAttr(attrs, 'http.request.method')) ?? str(getAttr(attrs, 'http.method'));
  const route = str(getAttr(attrs, 'http.route')) ?? str(getAttr(attrs, 'url.path')) ?? str(getAttr(attrs, 'http.target'))?.split('?')[0];
  const status = attrInt(getAttr(attrs, 'http.response.status_code')) ?? attrInt(getAttr(attrs, 'http.status_code'));
  return { method, route, status };
}

/** An HTTP status code attribute's value (an int, or an int as a string); undefined otherwise. */
export function httpStatusValue(v: AttrValue | undefined): number | undefined {
  return attrInt(v);
}

/**
 * The 4xx a SERVER span answered without setting its status to ERROR (OpenTelemetry's HTTP
 * conventions: for a server, a 4xx is the client's error, not the span's, unless the span says so;
 * a 5xx is one): the request was answered on purpose. Undefined otherwise. `httpStatus` is the
 * span's `http.response.status_code` as decoded (0: none).
 */
export function answeredStatus(kind: number, statusCode: number, httpStatus: number | undefined): number | undefined {
  return kind === 2 && statusCode !== 2 && httpStatus !== undefined && httpStatus >= 400 && httpStatus < 500 ? httpStatus : undefined;
}
