import { type KubeConfig } from '@kubernetes/client-node';
import { Emitter } from '../../core/base/event';
import { type ILogger } from '../../core/base/logger';
import { type TelemetryEncoding, type TelemetryKind } from '../../core/agent/messages';
import { LABEL_FORK } from '../../core/slice/manifests';
import { type LiveSessionFacts } from '../../core/telemetry/liveSummary';
import { PortForwardError } from '../../core/agent/errors';
import { deploymentSelector } from '../../platform/kube/deploymentSelector';
import { PodLogError, type PodLogLine, PodLogStream } from '../../platform/kube/podLogStream';
import { type EndReason, type Lifetime } from '../lifetimes';
import { ReconnectPolicy, sliceGoneRule } from '../reconnect';
import { type ForkSession } from './forkSession';
import { type RelayedPayload, TelemetryLink } from './telemetryLink';

/** The workload whose telemetry is streamed. */
export interface LiveTarget {
  readonly contextName: string;
  readonly sliceLabel: string;
  /** The slice namespace and the forked workload in it. */
  readonly namespace: string;
  readonly workload: string;
  /** The baseline namespace the workload was forked from, when known: its logs are streamed as 'baseline' where readable. */
  readonly baseline: string | undefined;
}

/** The ingest port of the telemetry pipeline: OTLP bytes + kind (metrics with the slice they belong to), and container log lines. */
export interface TelemetrySink {
  ingest(payload: { readonly kind: TelemetryKind; readonly encoding: TelemetryEncoding; readonly body: Uint8Array; readonly source: string; readonly slice?: string }): Promise<{ readonly rejected?: string }>;
  ingestLogLine(line: string, source: string): boolean;
  /** The slice is gone for this identity (deleted, or another identity took over): what was kept of it goes. */
  sliceEnded?(slice: string): void;
}

export interface LiveDeps {
  /** The identity's credentials (the fork's pods and logs are read as the developer). */
  readonly kubeConfig: KubeConfig;
  readonly sink: TelemetrySink;
  readonly logger: ILogger;
  readonly requestTimeoutMs: number;
}

/** A problem the user should hear about, once per kind until the stream recovers. */
export interface LiveProblem {
  readonly kind: 'agentGone' | 'forbidden' | 'podNotFound' | 'tokenMissing' | 'logsForbidden';
  readonly message: string;
}

export interface LiveCounts {
  /** Trace and log payloads. */
  payloads: number;
  /** Metrics payloads (the metrics stream: one per export interval, traffic or not). */
  metrics: number;
  /** Payloads the editor could not use (the Slice log says why). */
  refused: number;
  dropped: number;
  logLines: number;
  baselineLines: number;
}

/**
 * Live telemetry of one forked workload: the agent's relayed OTLP on the fork session's agent link
 * (the connection sync shares), the app container's log, and — where the developer may read the
 * baseline's pods — the baseline workload's log. Everything lands in the sink, tagged 'slice' (the
 * developer's own) or 'baseline'. The streams reconnect by the one reconnect policy; a 403/404 from
 * the slice's namespace ends the fork session (the slice is gone), quietly. Problems are reported once
 * per kind until that stream works again; a slice that went away is not a problem, only a log line.
 */
export class LiveTelemetrySession {
  readonly key: string;
  readonly link: TelemetryLink;
  readonly logs: PodLogStream;
  baselineLogs: PodLogStream | undefined;
  /** Whether the baseline workload's log is followed: not yet decided, yes, not readable by the developer, or no baseline. */
  baselineState: 'pending' | 'streaming' | 'unreadable' | 'none' = 'pending';
  readonly counts: LiveCounts = { payloads: 0, metrics: 0, refused: 0, dropped: 0, logLines: 0, baselineLines: 0 };
  private readonly reported = new Set<LiveProblem['kind']>();
  private readonly problems = new Emitter<LiveProblem>();
  private readonly changes = new Emitter<void>();
  private readonly endEmitter = new Emitter<EndReason>();
  private ended = false;
  /** A problem to tell the user about (each kind once until it clears). */
  readonly onProblem = this.problems.event;
  /** The link's state changed, or a payload was refused (the counts of payloads and lines are read when shown). */
  readonly onDidChange = this.changes.event;
  /** The session ended (stopped, slice gone, identity changed), with why. */
  readonly onDidEnd = this.endEmitter.event;

  constructor(
    readonly target: LiveTarget,
    readonly fork: ForkSession,
    readonly lifetime: Lifetime,
    private readonly deps: LiveDeps,
  ) {
    this.key = fork.key;
    const { kubeConfig, logger, requestTimeoutMs } = deps;
    const tag = `telemetry ${target.workload}`;
    const own = <T extends { dispose(): void }>(d: T): T => lifetime.add(d);
    this.link = own(new TelemetryLink({ link: fork.link, logger, requestTimeoutMs, metrics: true }));
    const retry = new ReconnectPolicy({ initialMs: 250, lifetime: fork.lifetime, gone: sliceGoneRule });
    this.logs = own(new PodLogStream({ kubeConfig, namespace: target.namespace, selector: `${LABEL_FORK}=${target.workload}`, logger, requestTimeoutMs, initialTailLines: 500, retry }));
    own(this.link.onPayload((p) => this.payload(p)));
    own(this.link.onDropped((n) => (this.counts.dropped += n)));
    own(this.link.onStateChange((s) => {
      this.changes.fire();
      if (s !== 'streaming') return;
      this.clear('agentGone', 'forbidden', 'podNotFound', 'tokenMissing');
      logger.info(`${tag}: streaming from the agent in ${fork.transport.currentPod ?? '?'} (after #${this.link.lastSequence})`);
    }));
    own(this.link.onError((e) => {
      logger.warn(`${tag}: ${e.message}`);
      if (sliceGoneRule(e)) return; // the slice is gone for this identity: the fork session ends, quietly
      const reason = e instanceof PortForwardError ? e.reason : 'unreachable';
      const kind = reason === 'forbidden' ? 'forbidden' : reason === 'noReadyPod' ? 'podNotFound' : reason === 'tokenMissing' ? 'tokenMissing' : 'agentGone';
      this.report({ kind, message: `${target.workload} (slice ${target.sliceLabel}): ${e.message}` });
    }));
    own(this.logs.onLine((l) => this.line(l, 'slice')));
    own(this.logs.onPod((pod) => logger.info(`${tag}: following the log of ${target.namespace}/${pod}`)));
    own(this.logs.onError((e) => {
      logger.warn(`${tag}: logs: ${e.message}`);
      if (sliceGoneRule(e)) return;
      this.report({ kind: e.reason === 'forbidden' ? 'logsForbidden' : e.reason === 'noPod' ? 'podNotFound' : 'agentGone', message: `the log of ${target.workload} (slice ${target.sliceLabel}): ${e.message}` });
    }));
    lifetime.onDidEnd((reason) => {
      this.ended = true;
      const { payloads, metrics, refused, dropped, logLines, baselineLines } = this.counts;
      logger.info(`${tag}: stopped: ${reason.message} (${payloads} OTLP trace and log payloads, ${metrics} metrics payloads, ${refused} refused, ${dropped} lost in the agent's buffer, ${logLines} log lines, ${baselineLines} baseline log lines)`);
      // the slice's metric store lives as long as the slice does for this identity; a stopped stream keeps what it showed
      if (reason.kind === 'sliceGone' || reason.kind === 'identityChanged') deps.sink.sliceEnded?.(target.namespace);
      this.endEmitter.fire(reason);
      for (const e of [this.problems, this.changes, this.endEmitter]) e.dispose();
    });
  }

  get isEnded(): boolean {
    return this.ended;
  }

  start(): void {
    this.link.start();
    this.fork.start();
    this.logs.start();
    void this.startBaseline().catch((e: unknown) => this.deps.logger.warn(`telemetry ${this.target.workload}: baseline logs: ${e instanceof Error ? e.message : String(e)}`));
  }

  /** Stop Telemetry. */
  dispose(): void {
    this.lifetime.end({ kind: 'stopped', message: 'stopped' });
  }

  /** What the Traces & Errors view shows of this session. */
  facts(): LiveSessionFacts {
    const { workload, sliceLabel } = this.target;
    const { payloads, refused, dropped, logLines } = this.counts;
    return { workload, slice: sliceLabel, link: this.link.current, payloads, refused, dropped, logLines };
  }

  private report(p: LiveProblem): void {
    if (this.ended || this.reported.has(p.kind)) return;
    this.reported.add(p.kind);
    this.problems.fire(p);
  }

  private clear(...kinds: LiveProblem['kind'][]): void {
    for (const k of kinds) this.reported.delete(k);
  }

  private payload(p: RelayedPayload): void {
    if (p.kind === 'metrics') this.counts.metrics++;
    else this.counts.payloads++;
    this.deps.sink.ingest({ kind: p.kind, encoding: p.encoding, body: p.body, source: 'slice', slice: this.target.namespace }).then(
      (r) => {
        if (!r.rejected) return;
        this.counts.refused++;
        this.deps.logger.warn(`telemetry ${this.target.workload}: payload #${p.seq} (${p.kind}, ${p.encoding}) refused: ${r.rejected}`);
        if (!this.ended) this.changes.fire();
      },
      (e: unknown) => this.deps.logger.error(`telemetry ${this.target.workload}: payload #${p.seq}: ${e instanceof Error ? e.message : String(e)}`),
    );
  }

  private line(l: PodLogLine, source: 'slice' | 'baseline'): void {
    if (this.ended) return;
    if (source === 'slice') {
      this.counts.logLines++;
      this.clear('podNotFound', 'logsForbidden');
    } else this.counts.baselineLines++;
    this.deps.sink.ingestLogLine(l.timestamp ? `${l.timestamp} ${l.text}` : l.text, source);
  }

  /** Follows the baseline workload's log when the developer may read its pods; otherwise says so in the log only. */
  private async startBaseline(): Promise<void> {
    const { baseline, workload } = this.target;
    if (!baseline) {
      this.baselineState = 'none';
      return;
    }
    const { kubeConfig, logger, requestTimeoutMs } = this.deps;
    const found = await deploymentSelector(kubeConfig, baseline, workload, requestTimeoutMs);
    if (this.ended) return;
    if (!found.ok) {
      this.baselineState = found.reason === 'forbidden' ? 'unreadable' : 'none';
      logger.info(`telemetry ${workload}: the baseline's log is not streamed: ${found.message}`);
      return;
    }
    // the baseline is not the slice: a 403 there only means "not yours to read" (stop following it, quietly)
    const policy = new ReconnectPolicy({ initialMs: 250, lifetime: this.lifetime });
    const retry = { next: (f: unknown) => (f instanceof PodLogError && f.reason === 'forbidden' ? undefined : policy.next(f)), reset: () => policy.reset() };
    const stream = new PodLogStream({ kubeConfig, namespace: baseline, selector: found.selector, logger, requestTimeoutMs, initialTailLines: 200, retry });
    this.lifetime.add(stream);
    this.baselineLogs = stream;
    this.baselineState = 'streaming';
    this.lifetime.add(stream.onLine((l) => this.line(l, 'baseline')));
    this.lifetime.add(stream.onPod((pod) => logger.info(`telemetry ${workload}: following the baseline's log ${baseline}/${pod}`)));
    this.lifetime.add(stream.onError((e) => {
      if (e.reason !== 'forbidden') return logger.debug(`telemetry ${workload}: baseline logs: ${e.message}`);
      // not the developer's to read: stop trying, quietly
      logger.info(`telemetry ${workload}: the baseline's log is not streamed: ${e.message}`);
      this.baselineState = 'unreadable';
      this.baselineLogs = undefined;
    }));
    stream.start();
  }
}
