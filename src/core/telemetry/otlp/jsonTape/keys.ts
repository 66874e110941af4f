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

export const K_RESOURCE_SPANS = 1;
export const K_RESOURCE = 2;
export const K_SCOPE_SPANS = 3;
export const K_LEGACY_SCOPE_SPANS = 4;
export const K_SCOPE = 5;
export const K_LEGACY_SCOPE = 6;
export const K_SPANS = 7;
export const K_TRACE_ID = 8;
export const K_SPAN_ID = 9;
export const K_PARENT_SPAN_ID = 10;
export const K_NAME = 11;
export const K_KIND = 12;
export const K_START = 13;
export const K_END = 14;
export const K_ATTRIBUTES = 15;
export const K_EVENTS = 16;
export const K_STATUS = 17;
export const K_CODE = 18;
export const K_MESSAGE = 19;
export const K_KEY = 20;
export const K_VALUE = 21;
export const K_STRING_VALUE = 22;
export const K_INT_VALUE = 23;
export const K_BOOL_VALUE = 24;
export const K_DOUBLE_VALUE = 25;
export const K_TIME = 26;
export const K_RESOURCE_LOGS = 27;
export const K_SCOPE_LOGS = 28;
export const K_LEGACY_SCOPE_LOGS = 29;
export const K_LOG_RECORDS = 30;
export const K_OBSERVED_TIME = 31;
export const K_SEVERITY_NUMBER = 32;
export const K_SEVERITY_TEXT = 33;
export const K_BODY = 34;

/** No such member (token indexes are >= 0). */
export const ABSENT = -1;
