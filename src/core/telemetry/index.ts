/**
 * The public API of the telemetry core: decode OTLP (JSON, protobuf) and container log lines,
 * parse stacks, map container paths into the workspace (and through source maps), aggregate per
 * line and per function for each source.
 */
export * from './model';
export { type RejectReason, type Rejection, RejectionCounter } from './rejections';
export { type DecodeOptions, DEFAULT_LIMITS } from './otlp/limits';
export { decodeTracesJson, decodeLogsJson } from './otlp/decodeJson';
export { decodeTracesProto, decodeLogsProto } from './otlp/decodeProto';
export { codeLocationOf, getAttr, attrString } from './attributes';
export { type LogLineOptions, parseLogLine, parseCaller, stripAnsi, isBinaryLine } from './logs';
export { type StackRuntime, parseStack, detectRuntime, runtimeOfLanguage } from './stack';
export { type PathMappingEntry, type MappedPath, PathMapper, normalizePath } from './pathMapping';
export { type RawSourceMap, type SourceMapProvider, type OriginalPosition, SourceMapper } from './sourceMaps';
export { type WorkspaceLocation, Locator } from './locate';
export { type AggregatorOptions, TelemetryAggregator } from './aggregate/aggregator';
export type { AggregatorStats, ErrorSample, FileView, FunctionStats, LineStats, LogSample } from './aggregate/view';
export type { WindowSummary } from './aggregate/window';
