/**
 * Bounds how far decoding runs ahead of its consumer. Without a bound, a burst is decoded (off the
 * thread) as fast as the decoder goes while aggregation lags, and the decoded batches waiting their
 * turn survive garbage collections of the extension host's young generation. Jobs start in the
 * order they are taken, each once fewer than `limit` taken jobs are decoding or decoded and not
 * yet released by the consumer.
 *
 * A job's answer is handed over by its ticket, once, and the ticket then forgets it. A payload is
 * taken when it arrives and its ticket lives until its turn comes, long enough in a burst to reach
 * V8's old generation; had the ticket been a promise resolved with the answer (or kept holding it),
 * each decoded batch would have been pinned by an old object, and every young-generation collection
 * until the next full one would have copied and promoted it.
 */
import { type IDisposable } from '../../core/base/disposable';
import { type DecodeAnswer, type TelemetryDecoder, type TelemetryPayload } from '../../core/telemetry/decodePayload';

/** A job's place in the queue. */
export interface DecodeTicket {
  /**
   * The job's answer, once decoded (decoding starts no later than its turn); call once. The ticket
   * keeps nothing of it, nor of the job, after that.
   */
  answer(): Promise<DecodeAnswer>;
}

class Ticket implements DecodeTicket {
  /** Until the job starts. */
  job: TelemetryPayload | undefined;
  /** From the start until {@link answer} hands it over. */
  decoding: Promise<DecodeAnswer> | undefined;
  /** {@link answer} was called before the job started. */
  waiter: ((answer: Promise<DecodeAnswer>) => void) | undefined;

  constructor(job: TelemetryPayload) {
    this.job = job;
  }

  answer(): Promise<DecodeAnswer> {
    const d = this.decoding;
    if (d) {
      this.decoding = undefined;
      return d;
    }
    if (!this.job) return Promise.resolve(handedOver);
    return new Promise<DecodeAnswer>((resolve) => (this.waiter = resolve));
  }

  /** The job has started (or will never be decoded): `answer` is its answer. */
  started(answer: Promise<DecodeAnswer>): void {
    this.job = undefined;
    const w = this.waiter;
    if (w) {
      this.waiter = undefined;
      w(answer);
    } else {
      this.decoding = answer;
    }
  }
}

export class DecodeAhead implements IDisposable {
  private readonly waiting: Ticket[] = [];
  private ahead = 0;
  private disposed = false;

  constructor(
    private readonly decoder: TelemetryDecoder,
    private readonly limit: number,
  ) {}

  /** The job's ticket; its decoding starts once fewer than `limit` jobs are ahead. Call {@link release} when the answer has been used. */
  take(job: TelemetryPayload): DecodeTicket {
    const t = new Ticket(job);
    if (this.disposed) {
      t.started(Promise.resolve(stopped));
      return t;
    }
    this.waiting.push(t);
    this.start();
    return t;
  }

  /** The consumer is done with one answer (in any order): the next waiting job may start. */
  release(): void {
    if (this.ahead > 0) this.ahead--;
    this.start();
  }

  /** Answers the jobs still waiting as not decoded, and disposes the decoder. */
  dispose(): void {
    this.disposed = true;
    for (const t of this.waiting.splice(0)) t.started(Promise.resolve(stopped));
    this.decoder.dispose();
  }

  private start(): void {
    while (this.ahead < this.limit && this.waiting.length > 0) {
      this.ahead++;
      const t = this.waiting.shift()!;
      t.started(this.decode(t.job!));
    }
  }

  private decode(job: TelemetryPayload): Promise<DecodeAnswer> {
    try {
      return this.decoder.decode(job);
    } catch (e) {
      return Promise.resolve({ kind: 'failed', detail: `the decoder failed: ${e instanceof Error ? e.message : String(e)}` });
    }
  }
}

const stopped: DecodeAnswer = { kind: 'failed', detail: 'telemetry stopped before the payload was decoded' };
const handedOver: DecodeAnswer = { kind: 'failed', detail: 'the answer was already handed over' };
