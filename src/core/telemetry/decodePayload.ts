/**
 * One OTLP payload, the decoder port that decodes it, and what comes back: the work the decode
 * worker does (platform/telemetry/decodeWorker), also done in-thread ({@link InlineDecoder}: unit
 * tests, a worker that failed to start). Spans come back as a {@link SpanBatch}. Rejections are
 * counted on a counter of the payload's own and sent back as counts, which the caller adds to its counter.
 */
import { type IDisposable } from '../base/disposable';
import { type TelemetryEncoding, type TelemetryKind } from '../agent/messages';
import { BASELINE_SOURCE_ATTRIBUTE, BASELINE_SOURCE_VALUE } from '../routing/collectorConfig';
import { decodeMetricsJson, decodeMetricsProto } from './metrics/decode';
import { type Metric } from './metrics/model';
import { type LogRecord, SOURCE_BASELINE } from './model';
import { decodeLogsJson, decodeTracesJson } from './otlp/decodeJson';
import { decodeLogsProto, decodeTracesProto } from './otlp/decodeProto';
import { type RejectReason, type Rejection, RejectionCounter } from './rejections';
import { type SpanBatch, packSpans } from './spanBatch';

/** One payload as the in-container agent relays it (or as recorded in a file): the ingest seam. */
export interface TelemetryPayload {
  readonly kind: TelemetryKind;
  readonly encoding: TelemetryEncoding;
  readonly body: Uint8Array | string;
  /** The slice it came from: 'mine' (or 'slice') for the developer's own, 'baseline' for the shared one; stamped on every item. */
  readonly source: string;
}

export type DecodeAnswer =
  | { readonly kind: 'traces'; readonly spans: SpanBatch; readonly counts: Partial<Record<RejectReason, number>> }
  | { readonly kind: 'logs'; readonly logs: LogRecord[]; readonly counts: Partial<Record<RejectReason, number>> }
  | { readonly kind: 'metrics'; readonly metrics: Metric[]; readonly counts: Partial<Record<RejectReason, number>> }
  | { readonly kind: 'rejected'; readonly rejection: Rejection; readonly counts: Partial<Record<RejectReason, number>> }
  /** Not decoded at all: the decoder failed or stopped (not the payload's fault, as far as is known). */
  | { readonly kind: 'failed'; readonly detail: string };

/** Decodes payloads; answers resolve in the order the payloads were given. */
export interface TelemetryDecoder extends IDisposable {
  decode(payload: TelemetryPayload): Promise<DecodeAnswer>;
}

/** Decodes in the calling thread (tests, and the fallback of the worker decoder). */
export class InlineDecoder implements TelemetryDecoder {
  decode(payload: TelemetryPayload): Promise<DecodeAnswer> {
    return Promise.resolve(decodePayload(payload));
  }
  dispose(): void {}
}

/** A payload as posted to the decode worker. */
export interface WorkerRequest {
  readonly id: number;
  readonly job: TelemetryPayload;
}
/** The decode worker's answer to a job. */
export type WorkerResponse = { readonly id: number; readonly answer: DecodeAnswer } | { readonly id: number; readonly error: string };

let encoder: InstanceType<typeof TextEncoder> | undefined;
const bytes = (b: Uint8Array | string) => (typeof b === 'string' ? (encoder ??= new TextEncoder()).encode(b) : b);

/**
 * Decodes a payload with the core decoders; spans come as a batch (see spanBatch). `posted`: the
 * answer is posted to another thread (the decode worker), which copies it, so the decoder's strings
 * may be views of the payload (see DecodeOptions.transient); in the thread that keeps them, they may not.
 */
export function decodePayload(job: TelemetryPayload, posted = false): DecodeAnswer {
  const counter = new RejectionCounter();
  const options = { source: job.source, counter, transient: posted };
  if (job.kind === 'traces') {
    const r = job.encoding === 'json' ? decodeTracesJson(job.body, options) : decodeTracesProto(bytes(job.body), options);
    return r.ok ? { kind: 'traces', spans: packSpans(r.value), counts: counter.snapshot() } : { kind: 'rejected', rejection: r.error, counts: counter.snapshot() };
  }
  if (job.kind === 'metrics') {
    const r = job.encoding === 'json' ? decodeMetricsJson(job.body, options) : decodeMetricsProto(bytes(job.body), options);
    return r.ok ? { kind: 'metrics', metrics: baselineTagged(r.value), counts: counter.snapshot() } : { kind: 'rejected', rejection: r.error, counts: counter.snapshot() };
  }
  const r = job.encoding === 'json' ? decodeLogsJson(job.body, options) : decodeLogsProto(bytes(job.body), options);
  return r.ok ? { kind: 'logs', logs: r.value, counts: counter.snapshot() } : { kind: 'rejected', rejection: r.error, counts: counter.snapshot() };
}

/**
 * Metrics the baseline's collector relayed to the slice's agent carry the resource attribute
 * `slice.source=baseline` (src/core/routing/collectorConfig.ts): they are the baseline's, whatever
 * stream brought them, and are stored as its source (what the comparison reads as "baseline").
 */
function baselineTagged(metrics: Metric[]): Metric[] {
  for (let i = 0; i < metrics.length; i++) {
    const m = metrics[i]!;
    if (m.source !== SOURCE_BASELINE && m.resource.attributes[BASELINE_SOURCE_ATTRIBUTE] === BASELINE_SOURCE_VALUE) metrics[i] = { ...m, source: SOURCE_BASELINE };
  }
  return metrics;
}
