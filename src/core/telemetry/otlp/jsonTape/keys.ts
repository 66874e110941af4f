/**
 * The OTLP/JSON keys the tape decoders read, by id (1 + the index in {@link OTLP_KEYS}: the scanner
 * gives a key token that id), and the keys whose string values go through the scanner's string cache.
 */

export const OTLP_KEYS = [
  'resourceSpans',
  'resource',
  'scopeSpans',
  'instrumentationLibrarySpans',
  'scope',
  'instrumentationLibrary',
  'spans',
  'traceId',
  'spanId',
  'parentSpanId',
  'name',
  'kind',
  'startTimeUnixNano',
  'endTimeUnixNano',
  'attributes',
  'events',
  'status',
  'code',
  'message',
  'key',
  'value',
  'stringValue',
  'intValue',
  'boolValue',
  'doubleValue',
  'timeUnixNano',
  'resourceLogs',
  'scopeLogs',
  'instrumentationLibraryLogs',
  'logRecords',
  'observedTimeUnixNano',
  'severityNumber',
  'severityText',
  'body',
] as const;

/** The keys whose string values repeat from item to item: attribute keys and string values, span names, status messages, severity texts. */
export const CACHED_VALUES: ReadonlySet<string> = new Set(['key', 'stringValue', 'name', 'message', 'severityText']);

/** The id the scanner gives `key`. */
function idOf(key: (typeof OTLP_KEYS)[number]): number {
  return OTLP_KEYS.indexOf(key) + 1;
}

export const K_RESOURCE_SPANS = idOf('resourceSpans');
export const K_RESOURCE = idOf('resource');
export const K_SCOPE_SPANS = idOf('scopeSpans');
export const K_LEGACY_SCOPE_SPANS = idOf('instrumentationLibrarySpans');
export const K_SCOPE = idOf('scope');
export const K_LEGACY_SCOPE = idOf('instrumentationLibrary');
export const K_SPANS = idOf('spans');
export const K_TRACE_ID = idOf('traceId');
export const K_SPAN_ID = idOf('spanId');
export const K_PARENT_SPAN_ID = idOf('parentSpanId');
export const K_NAME = idOf('name');
export const K_KIND = idOf('kind');
export const K_START = idOf('startTimeUnixNano');
export const K_END = idOf('endTimeUnixNano');
export const K_ATTRIBUTES = idOf('attributes');
export const K_EVENTS = idOf('events');
export const K_STATUS = idOf('status');
export const K_CODE = idOf('code');
export const K_MESSAGE = idOf('message');
export const K_KEY = idOf('key');
export const K_VALUE = idOf('value');
export const K_STRING_VALUE = idOf('stringValue');
export const K_INT_VALUE = idOf('intValue');
export const K_BOOL_VALUE = idOf('boolValue');
export const K_DOUBLE_VALUE = idOf('doubleValue');
export const K_TIME = idOf('timeUnixNano');
export const K_RESOURCE_LOGS = idOf('resourceLogs');
export const K_SCOPE_LOGS = idOf('scopeLogs');
export const K_LEGACY_SCOPE_LOGS = idOf('instrumentationLibraryLogs');
export const K_LOG_RECORDS = idOf('logRecords');
export const K_OBSERVED_TIME = idOf('observedTimeUnixNano');
export const K_SEVERITY_NUMBER = idOf('severityNumber');
export const K_SEVERITY_TEXT = idOf('severityText');
export const K_BODY = idOf('body');

/** No such member (token indexes are >= 0). */
export const ABSENT = -1;
