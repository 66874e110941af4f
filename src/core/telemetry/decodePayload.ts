/**
 * One OTLP payload to decode, and what comes back: the work the decode worker does, also done
 * in-thread when no worker runs (unit tests, a worker that failed to start). Rejections are counted
 * on a counter of the job's own and sent back as counts, which the caller adds to its counter.
 */
import { type LogRecord } from '../../core/telemetry/model';
import { decodeLogsJson, decodeTracesJson } from '../../core/telemetry/otlp/decodeJson';
import { decodeLogsProto, decodeTracesProto } from '../../core/telemetry/otlp/decodeProto';
import { type RejectReason, type Rejection, RejectionCounter } from '../../core/telemetry/rejections';
import { type PackedSpans, packSpans } from './spanColumns';

export interface DecodeJob {
  readonly kind: 'traces' | 'logs';
  readonly encoding: 'json' | 'protobuf';
  readonly body: Uint8Array | string;
  /** The source tag stamped on every item. */
  readonly source: string;
}

export type DecodeAnswer =
  | { readonly kind: 'traces'; readonly spans: PackedSpans; readonly counts: Partial<Record<RejectReason, number>> }
  | { readonly kind: 'logs'; readonly logs: LogRecord[]; readonly counts: Partial<Record<RejectReason, number>> }
  | { readonly kind: 'rejected'; readonly rejection: Rejection; readonly counts: Partial<Record<RejectReason, number>> }
  /** Not decoded at all: the decoder failed or stopped (not the payload's fault, as far as is known). */
  | { readonly kind: 'failed'; readonly detail: string };

/** A job as posted to the decode worker. */
export interface WorkerRequest {
  readonly id: number;
  readonly job: DecodeJob;
}
/** The decode worker's answer to a job. */
export type WorkerResponse = { readonly id: number; readonly answer: DecodeAnswer } | { readonly id: number; readonly error: string };

let encoder: InstanceType<typeof TextEncoder> | undefined;
const bytes = (b: Uint8Array | string) => (typeof b === 'string' ? (encoder ??= new TextEncoder()).encode(b) : b);

/**
 * Decodes a job with the pure core decoders; spans come packed (see spanColumns). `posted`: the
 * answer is posted to another thread (the decode worker), which copies it, so the decoder's strings
 * may be views of the payload (see DecodeOptions.transient); in the thread that keeps them, they may not.
 */
export function runDecodeJob(job: DecodeJob, posted = false): DecodeAnswer {
  const counter = new RejectionCounter();
  const options = { source: job.source, counter, transient: posted };
  if (job.kind === 'traces') {
    const r = job.encoding === 'json' ? decodeTracesJson(job.body, options) : decodeTracesProto(bytes(job.body), options);
    return r.ok ? { kind: 'traces', spans: packSpans(r.value), counts: counter.snapshot() } : { kind: 'rejected', rejection: r.error, counts: counter.snapshot() };
  }
  const r = job.encoding === 'json' ? decodeLogsJson(job.body, options) : decodeLogsProto(bytes(job.body), options);
  return r.ok ? { kind: 'logs', logs: r.value, counts: counter.snapshot() } : { kind: 'rejected', rejection: r.error, counts: counter.snapshot() };
}
