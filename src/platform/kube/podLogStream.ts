import { type Readable, Writable } from 'node:stream';
import { ApiException, CoreV1Api, type KubeConfig, Log, type V1Pod } from '@kubernetes/client-node';
import { type IDisposable } from '../../core/base/disposable';
import { Emitter } from '../../core/base/event';
import { type ILogger, nullLogger } from '../../core/base/logger';
import { LogResume } from '../../core/cluster/logResume';
import { AGENT_CONTAINER } from '../../core/slice/fork';
import { type BackoffOptions, type RetryPolicy, backoffPolicy } from '../../core/base/backoff';
import { withSignal } from './requestOptions';

export type PodLogFailure = 'forbidden' | 'noPod' | 'unreachable';

export class PodLogError extends Error {
  constructor(
    readonly reason: PodLogFailure,
    message: string,
    /** The HTTP status of a namespace-level failure (listing the pods), for the reconnect policy's "slice gone" rule. */
    readonly status?: number,
  ) {
    super(message);
  }
}

export interface PodLogLine {
  readonly pod: string;
  readonly timestamp: string;
  readonly text: string;
}

export interface PodLogStreamOptions {
  readonly kubeConfig: KubeConfig;
  readonly namespace: string;
  /** Label selector of the workload's pods (e.g. slice.dev/fork=web). */
  readonly selector: string;
  /** The container to follow; default: the pod's first container that is not the sync agent. */
  readonly container?: string;
  /** On the first connection to a pod, start this many lines back (default 200; 0: the whole log). */
  readonly initialTailLines?: number;
  readonly backoff?: BackoffOptions;
  /** The reconnect policy (app/reconnect.ts); default: plain backoff that never gives up. */
  readonly retry?: RetryPolicy;
  readonly requestTimeoutMs?: number;
  readonly logger?: ILogger;
}

/** Longest line kept whole; longer ones are cut (a binary blob must not grow memory without bound). */
const MAX_LINE = 64 * 1024;

/**
 * Follows a workload's container log through the Kubernetes log API (`follow`, `timestamps`) as the
 * developer. When the stream ends or fails it reconnects with backoff: to the same pod with
 * `sinceTime` and the lines already delivered at the boundary dropped (LogResume), or — when the pod
 * was replaced — to the new pod from its start. Each complete line is emitted once.
 */
export class PodLogStream implements IDisposable {
  private readonly resume = new LogResume();
  private readonly backoff: RetryPolicy;
  private readonly log: ILogger;
  private pod: string | undefined;
  private abort: AbortController | undefined;
  private timer: ReturnType<typeof setTimeout> | undefined;
  private stopped = false;
  private running = false;
  private readonly lines = new Emitter<PodLogLine>();
  private readonly failures = new Emitter<PodLogError>();
  private readonly pods = new Emitter<string>();
  private readonly ends = new Emitter<PodLogError | undefined>();
  /** The stream stopped for good: the reconnect policy said no more (with the failure that ended it). */
  readonly onEnded = this.ends.event;
  readonly onLine = this.lines.event;
  /** Every failed attempt, with the reason (the stream keeps retrying until disposed). */
  readonly onError = this.failures.event;
  /** The pod each (re)connection follows. */
  readonly onPod = this.pods.event;
  readonly counts = { lines: 0, connects: 0 };

  constructor(private readonly options: PodLogStreamOptions) {
    this.backoff = options.retry ?? backoffPolicy({ initialMs: 250, maxMs: 10_000, ...options.backoff });
    this.log = options.logger ?? nullLogger;
  }

  get currentPod(): string | undefined {
    return this.pod;
  }

  start(): void {
    if (this.running || this.stopped) return;
    this.running = true;
    void this.connect();
  }

  /** Cuts the current stream (tests: a dropped connection); it reconnects. */
  cut(): void {
    this.abort?.abort();
  }

  dispose(): void {
    if (this.stopped) return;
    this.stopped = true;
    clearTimeout(this.timer);
    this.abort?.abort();
    for (const e of [this.lines, this.failures, this.pods, this.ends]) e.dispose();
  }

  private async connect(): Promise<void> {
    if (this.stopped) return;
    const { namespace } = this.options;
    try {
      const pod = await this.choosePod();
      const first = pod.metadata?.name !== this.pod;
      const name = pod.metadata?.name ?? '';
      const container = this.options.container ?? pod.spec?.containers.find((c) => c.name !== AGENT_CONTAINER)?.name ?? pod.spec?.containers[0]?.name ?? '';
      if (first) {
        if (this.pod) this.log.info(`logs: ${namespace}/${this.pod} was replaced by ${name}; following the new pod`);
        this.resume.reset();
        this.pod = name;
      }
      const sinceTime = this.resume.resume();
      const tail = this.options.initialTailLines ?? 200;
      await this.follow(name, container, sinceTime ? { sinceTime } : tail > 0 ? { tailLines: tail } : {});
    } catch (e) {
      const err = e instanceof PodLogError ? e : failure(e, `follow the logs in ${namespace}`);
      if (this.stopped) return;
      this.failures.fire(err);
      this.retry(err);
    }
  }

  private retry(failure?: PodLogError): void {
    if (this.stopped || this.timer) return;
    const delay = this.backoff.next(failure);
    if (delay === undefined) {
      this.log.debug(`logs: ${this.options.namespace}: not reconnecting${failure ? ` (${failure.message})` : ''}`);
      this.ends.fire(failure);
      this.dispose();
      return;
    }
    this.timer = setTimeout(() => {
      this.timer = undefined;
      void this.connect();
    }, delay);
  }

  /** Streams until the API closes the stream or it fails; then schedules the reconnect. */
  private async follow(pod: string, container: string, from: { sinceTime?: string; tailLines?: number }): Promise<void> {
    let partial = '';
    let ended = false;
    const end = (why: string) => {
      if (ended) return;
      ended = true;
      this.abort = undefined;
      if (this.stopped) return;
      this.log.debug(`logs: the stream of ${this.options.namespace}/${pod} ended (${why}); reconnecting`);
      this.retry();
    };
    const sink = new Writable({
      write: (chunk: Buffer, _enc, cb) => {
        if (!this.stopped) {
          const parts = (partial + chunk.toString('utf8')).split('\n');
          partial = parts.pop() ?? '';
          if (partial.length > MAX_LINE) partial = partial.slice(0, MAX_LINE);
          for (const raw of parts) this.deliver(pod, raw.endsWith('\r') ? raw.slice(0, -1) : raw);
        }
        cb();
      },
    });
    // the log API pipes its response body into the sink; its errors (an abort, a cut) land here
    sink.on('pipe', (src: Readable) => {
      src.on('error', (e: Error) => end(e.message));
      src.on('close', () => end('closed'));
    });
    sink.on('finish', () => end('the API closed it'));
    this.abort = await new Log(this.options.kubeConfig).log(this.options.namespace, pod, container, sink, { follow: true, timestamps: true, ...from });
    if (this.stopped) this.abort.abort();
    this.counts.connects++;
    this.pods.fire(pod);
    // a healthy stream resets the backoff; a pod that ends its stream at once keeps backing off
    setTimeout(() => !ended && this.backoff.reset(), 5000).unref?.();
  }

  private deliver(pod: string, raw: string): void {
    const line = this.resume.accept(raw.length > MAX_LINE ? raw.slice(0, MAX_LINE) : raw);
    if (!line) return;
    this.counts.lines++;
    this.lines.fire({ pod, ...line });
  }

  private async choosePod(): Promise<V1Pod> {
    const { namespace, selector } = this.options;
    const signal = AbortSignal.timeout(this.options.requestTimeoutMs ?? 10_000);
    let pods: V1Pod[];
    try {
      pods = (await this.options.kubeConfig.makeApiClient(CoreV1Api).listNamespacedPod({ namespace, labelSelector: selector }, withSignal(signal))).items;
    } catch (e) {
      throw failure(e, `list the pods (${selector}) in ${namespace}`, true);
    }
    const live = pods.filter((p) => !p.metadata?.deletionTimestamp).sort((a, b) => new Date(b.metadata?.creationTimestamp ?? 0).getTime() - new Date(a.metadata?.creationTimestamp ?? 0).getTime());
    // a container that has started has a log, ready or not
    const started = live.find((p) => (p.status?.containerStatuses ?? []).some((c) => c.state?.running || c.state?.terminated));
    if (started) return started;
    throw new PodLogError('noPod', live[0] ? `pod ${live[0].metadata?.name ?? '?'} in ${namespace} has not started a container yet (${live[0].status?.phase ?? 'Pending'})` : `no pod matches ${selector} in ${namespace}`);
  }
}

/** `namespaceLevel`: the request was about the namespace (a list), not one pod, so its status speaks for the slice. */
function failure(e: unknown, what: string, namespaceLevel = false): PodLogError {
  const code = e instanceof ApiException ? e.code : undefined;
  const status = namespaceLevel ? code : undefined;
  if (code === 401 || code === 403) return new PodLogError('forbidden', `you may not ${what} (HTTP ${code})`, status);
  if (code === 404) return new PodLogError('noPod', `cannot ${what}: not found (HTTP 404)`, status);
  return new PodLogError('unreachable', `cannot ${what}: ${e instanceof Error ? e.message.split('\n')[0] : String(e)}`);
}
