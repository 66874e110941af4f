/**
 * Bounds how far decoding runs ahead of its consumer. Without a bound, a burst is decoded (off the
 * thread) as fast as the decoder goes while aggregation lags, and the decoded batches waiting their
 * turn survive garbage collections of the extension host's young generation. Jobs start in the
 * order they are taken, each once fewer than `limit` taken jobs are decoding or decoded and not
 * yet released by the consumer.
 */
import { type IDisposable } from '../../core/base/disposable';
import { type DecodeAnswer, type DecodeJob } from './decodeJob';
import { type OtlpDecoder } from './otlpDecoder';

interface Waiting {
  readonly job: DecodeJob;
  readonly resolve: (answer: DecodeAnswer | Promise<DecodeAnswer>) => void;
}

export class DecodeAhead implements IDisposable {
  private readonly waiting: Waiting[] = [];
  private ahead = 0;
  private disposed = false;

  constructor(
    private readonly decoder: OtlpDecoder,
    private readonly limit: number,
  ) {}

  /** The job's answer; its decoding starts once fewer than `limit` jobs are ahead. Call {@link release} when the answer has been used. */
  take(job: DecodeJob): Promise<DecodeAnswer> {
    if (this.disposed) return Promise.resolve(stopped);
    const answer = new Promise<DecodeAnswer>((resolve) => this.waiting.push({ job, resolve }));
    this.start();
    return answer;
  }

  /** The consumer is done with one answer (in any order): the next waiting job may start. */
  release(): void {
    if (this.ahead > 0) this.ahead--;
    this.start();
  }

  /** Answers the jobs still waiting as not decoded, and disposes the decoder. */
  dispose(): void {
    this.disposed = true;
    for (const { resolve } of this.waiting.splice(0)) resolve(stopped);
    this.decoder.dispose();
  }

  private start(): void {
    while (this.ahead < this.limit && this.waiting.length > 0) {
      this.ahead++;
      const { job, resolve } = this.waiting.shift()!;
      resolve(this.decode(job));
    }
  }

  private decode(job: DecodeJob): Promise<DecodeAnswer> {
    try {
      return this.decoder.decode(job);
    } catch (e) {
      return Promise.resolve({ kind: 'failed', detail: `the decoder failed: ${e instanceof Error ? e.message : String(e)}` });
    }
  }
}

const stopped: DecodeAnswer = { kind: 'failed', detail: 'telemetry stopped before the payload was decoded' };
