/**
 * Decodes OTLP payloads off the caller's thread: a `worker_threads` worker runs the pure core
 * decoders (JSON.parse and protobuf included) and answers in the compact transfer form, so the
 * extension host's event loop only unpacks and aggregates. The worker starts on the first payload,
 * answers in order, and does not keep the process alive. When it cannot start, the payloads are
 * decoded in-thread (and the reason logged once); when it dies, the payloads it held are answered
 * as rejected and the next payload starts a new worker (after three deaths, in-thread for good).
 */
import { Worker } from 'node:worker_threads';
import { type ILogger } from '../../core/base/logger';
import { type DecodeAnswer, type TelemetryDecoder, type TelemetryPayload, type WorkerRequest, type WorkerResponse, decodePayload } from '../../core/telemetry/decodePayload';

/**
 * A payload with the decoder. Once answered it lets go of the job and of its promise: a payload can
 * wait long enough in a burst for this record to reach V8's old generation, and an old record still
 * holding the promise would keep the decoded batch alive through young-generation collections.
 */
interface Pending {
  id: number;
  job: TelemetryPayload | undefined;
  resolve: (a: DecodeAnswer) => void;
}

const answered = (): void => undefined;

function settle(p: Pending, a: DecodeAnswer): void {
  const resolve = p.resolve;
  p.resolve = answered;
  p.job = undefined;
  resolve(a);
}

const MAX_RESTARTS = 3;
/**
 * Payloads handed to the worker at once: enough that it decodes the next while the main thread
 * aggregates the last, few enough that answers never pile up (a thread drains its whole message
 * queue in one turn, and a burst of 200 decoded payloads would block it for a second).
 */
const IN_FLIGHT = 2;

/** A body the worker gets a copy of: only the bytes of the view (a Buffer may be a view into a larger pooled buffer). */
function ownBytes(b: Uint8Array | string): Uint8Array | string {
  return typeof b === 'string' || (b.byteOffset === 0 && b.byteLength === b.buffer.byteLength) ? b : new Uint8Array(b);
}

/** Decodes in a worker thread running `script` (the bundled decodeWorker). */
export class WorkerDecoder implements TelemetryDecoder {
  private worker: Worker | undefined;
  /**
   * Posted to the worker, in posting order (the order it answers in). An array, not a map by id: a
   * long-lived map with an entry added and deleted per payload keeps every record it ever held
   * alive until V8's next full collection (each of its replaced hash tables links to the next).
   */
  private readonly posted: Pending[] = [];
  /** Not posted yet. */
  private readonly waiting: Pending[] = [];
  private nextId = 1;
  private deaths = 0;
  private inline = false;
  private disposed = false;

  constructor(
    private readonly script: string,
    private readonly logger: ILogger,
  ) {}

  /** True while a worker thread is running (tests). */
  get running(): boolean {
    return this.worker !== undefined;
  }

  decode(job: TelemetryPayload): Promise<DecodeAnswer> {
    if (this.disposed || this.inline) return Promise.resolve(decodePayload(job));
    return new Promise<DecodeAnswer>((resolve) => {
      this.waiting.push({ id: 0, job, resolve });
      this.pump();
    });
  }

  /** Posts waiting payloads while fewer than {@link IN_FLIGHT} are with the worker. */
  private pump(): void {
    while (this.waiting.length > 0 && this.posted.length < IN_FLIGHT) {
      const w = this.inline ? undefined : this.start();
      if (!w) {
        // no worker: what waits is decoded here, in order
        for (const p of this.waiting.splice(0)) settle(p, decodePayload(p.job!));
        return;
      }
      const p = this.waiting.shift()!;
      const job = p.job!;
      p.id = this.nextId++;
      p.job = undefined;
      this.posted.push(p);
      const request: WorkerRequest = { id: p.id, job: { ...job, body: ownBytes(job.body) } };
      w.postMessage(request);
    }
  }

  private start(): Worker | undefined {
    if (this.worker) return this.worker;
    let w: Worker;
    try {
      w = new Worker(this.script, { name: 'slice-otlp-decode' });
    } catch (e) {
      this.inline = true;
      this.logger.warn(`telemetry: the decode worker did not start (${e instanceof Error ? e.message : String(e)}); decoding on the main thread`);
      return undefined;
    }
    w.unref();
    w.on('message', (m: WorkerResponse) => this.answer(m));
    w.on('error', (e) => this.died(w, e.message));
    w.on('exit', (code) => this.died(w, `exit code ${code}`));
    this.worker = w;
    return w;
  }

  private answer(m: WorkerResponse): void {
    const i = this.posted.findIndex((p) => p.id === m.id);
    if (i < 0) return;
    const p = this.posted.splice(i, 1)[0]!;
    this.pump();
    settle(p, 'answer' in m ? m.answer : { kind: 'failed', detail: `the decoder failed: ${m.error}` });
  }

  private died(w: Worker, why: string): void {
    if (this.worker !== w) return;
    this.worker = undefined;
    if (this.disposed) return;
    this.deaths++;
    if (this.deaths >= MAX_RESTARTS) this.inline = true;
    this.logger.warn(`telemetry: the decode worker stopped (${why}); ${this.posted.length} payload(s) lost; ${this.inline ? 'decoding on the main thread from now on' : 'a new one starts with the next payload'}`);
    for (const p of this.posted.splice(0)) settle(p, { kind: 'failed', detail: `the decode worker stopped (${why}) while decoding it` });
    this.pump();
  }

  dispose(): void {
    this.disposed = true;
    const w = this.worker;
    this.worker = undefined;
    if (w) void w.terminate();
    for (const p of [...this.posted.splice(0), ...this.waiting.splice(0)]) settle(p, { kind: 'failed', detail: 'telemetry stopped before the payload was decoded' });
  }
}
