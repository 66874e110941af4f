import { AppsV1Api, ApiException, type KubeConfig } from '@kubernetes/client-node';
import * as vscode from 'vscode';
import { type ILogger } from '../../core/base/logger';
import { LABEL_FORK } from '../../core/slice/manifests';
import { type LiveSessionFacts } from '../../core/telemetry/liveSummary';
import { PortForwardError, PortForwardTransport } from '../../platform/agent-link/portForwardTransport';
import { type RelayedPayload, TelemetryLink } from '../../platform/agent-link/telemetryLink';
import { PodLogError, type PodLogLine, PodLogStream } from '../../platform/kube/podLogStream';
import { withSignal } from '../../platform/kube/requestOptions';
import { type IngestPayload, type IngestResult } from './telemetryService';

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

/** The ingest port (TelemetryService). */
export interface TelemetrySink {
  ingest(payload: IngestPayload): Promise<IngestResult>;
  ingestLogLine(line: string, source: string): boolean;
}

export interface LiveDeps {
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
  payloads: number;
  /** Payloads the editor could not use (the Slice log says why). */
  refused: number;
  dropped: number;
  logLines: number;
  baselineLines: number;
}

export function liveKey(contextName: string, namespace: string, workload: string): string {
  return `${contextName}/${namespace}/${workload}`;
}

/**
 * Live telemetry of one forked workload, owned as one disposable: the agent's relayed OTLP through
 * a port-forward (TelemetryLink), the app container's log, and — where the developer may read the
 * baseline's pods — the baseline workload's log. Everything lands in the TelemetryService, tagged
 * 'slice' (the developer's own) or 'baseline'. Each stream reconnects on its own; problems are
 * reported once per kind until that stream works again.
 */
export class LiveTelemetrySession implements vscode.Disposable {
  readonly key: string;
  readonly link: TelemetryLink;
  readonly logs: PodLogStream;
  baselineLogs: PodLogStream | undefined;
  /** Whether the baseline workload's log is followed: not yet decided, yes, not readable by the developer, or no baseline. */
  baselineState: 'pending' | 'streaming' | 'unreadable' | 'none' = 'pending';
  readonly counts: LiveCounts = { payloads: 0, refused: 0, dropped: 0, logLines: 0, baselineLines: 0 };
  private readonly transport: PortForwardTransport;
  private readonly owned: { dispose(): void }[] = [];
  private readonly reported = new Set<LiveProblem['kind']>();
  private readonly problems = new vscode.EventEmitter<LiveProblem>();
  private readonly changes = new vscode.EventEmitter<void>();
  private disposed = false;
  /** A problem to tell the user about (each kind once until it clears). */
  readonly onProblem = this.problems.event;
  /** The link's state changed, or a payload was refused (the counts of payloads and lines are read when shown). */
  readonly onDidChange = this.changes.event;

  constructor(
    readonly target: LiveTarget,
    private readonly deps: LiveDeps,
  ) {
    this.key = liveKey(target.contextName, target.namespace, target.workload);
    const { kubeConfig, logger, requestTimeoutMs } = deps;
    const tag = `telemetry ${target.workload}`;
    this.transport = this.own(new PortForwardTransport({ kubeConfig, namespace: target.namespace, workload: target.workload, logger, requestTimeoutMs }));
    this.link = this.own(new TelemetryLink({ transport: this.transport, logger, clientName: `slice-vscode ${vscode.version} telemetry`, requestTimeoutMs }));
    this.logs = this.own(new PodLogStream({ kubeConfig, namespace: target.namespace, selector: `${LABEL_FORK}=${target.workload}`, logger, requestTimeoutMs, initialTailLines: 500 }));
    this.own(this.link.onPayload((p) => this.payload(p)));
    this.own(this.link.onDropped((n) => (this.counts.dropped += n)));
    this.own(this.link.onStateChange((s) => {
      this.changes.fire();
      if (s !== 'streaming') return;
      this.clear('agentGone', 'forbidden', 'podNotFound', 'tokenMissing');
      logger.info(`${tag}: streaming from the agent in ${this.transport.currentPod ?? '?'} (after #${this.link.lastSequence})`);
    }));
    this.own(this.link.onError((e) => {
      logger.warn(`${tag}: ${e.message}`);
      const reason = e instanceof PortForwardError ? e.reason : 'unreachable';
      const kind = reason === 'forbidden' ? 'forbidden' : reason === 'noReadyPod' ? 'podNotFound' : reason === 'tokenMissing' ? 'tokenMissing' : 'agentGone';
      this.report({ kind, message: `${target.workload} (slice ${target.sliceLabel}): ${e.message}` });
    }));
    this.own(this.logs.onLine((l) => this.line(l, 'slice')));
    this.own(this.logs.onPod((pod) => logger.info(`${tag}: following the log of ${target.namespace}/${pod}`)));
    this.own(this.logs.onError((e) => {
      logger.warn(`${tag}: logs: ${e.message}`);
      this.report({ kind: e.reason === 'forbidden' ? 'logsForbidden' : e.reason === 'noPod' ? 'podNotFound' : 'agentGone', message: `the log of ${target.workload} (slice ${target.sliceLabel}): ${e.message}` });
    }));
  }

  start(): void {
    this.link.start();
    this.logs.start();
    void this.startBaseline().catch((e: unknown) => this.deps.logger.warn(`telemetry ${this.target.workload}: baseline logs: ${e instanceof Error ? e.message : String(e)}`));
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    for (const d of this.owned.splice(0).reverse()) d.dispose();
    this.problems.dispose();
    this.changes.dispose();
  }

  /** What the Traces & Errors view shows of this session. */
  facts(): LiveSessionFacts {
    const { workload, sliceLabel } = this.target;
    const { payloads, refused, dropped, logLines } = this.counts;
    return { workload, slice: sliceLabel, link: this.link.current, payloads, refused, dropped, logLines };
  }

  private own<T extends { dispose(): void }>(d: T): T {
    this.owned.push(d);
    return d;
  }

  private report(p: LiveProblem): void {
    if (this.disposed || this.reported.has(p.kind)) return;
    this.reported.add(p.kind);
    this.problems.fire(p);
  }

  private clear(...kinds: LiveProblem['kind'][]): void {
    for (const k of kinds) this.reported.delete(k);
  }

  private payload(p: RelayedPayload): void {
    this.counts.payloads++;
    this.deps.sink.ingest({ kind: p.kind, encoding: p.encoding, body: p.body, source: 'slice' }).then(
      (r) => {
        if (!r.rejected) return;
        this.counts.refused++;
        this.deps.logger.warn(`telemetry ${this.target.workload}: payload #${p.seq} (${p.kind}, ${p.encoding}) refused: ${r.rejected}`);
        if (!this.disposed) this.changes.fire();
      },
      (e: unknown) => this.deps.logger.error(`telemetry ${this.target.workload}: payload #${p.seq}: ${e instanceof Error ? e.message : String(e)}`),
    );
  }

  private line(l: PodLogLine, source: 'slice' | 'baseline'): void {
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
    let selector: string;
    try {
      const d = await kubeConfig.makeApiClient(AppsV1Api).readNamespacedDeployment({ name: workload, namespace: baseline }, withSignal(AbortSignal.timeout(requestTimeoutMs)));
      const labels = d.spec?.selector.matchLabels ?? {};
      selector = Object.entries(labels).map(([k, v]) => `${k}=${v}`).join(',');
      if (!selector) this.baselineState = 'none';
      if (!selector) return logger.info(`telemetry ${workload}: the baseline Deployment ${baseline}/${workload} selects pods by expressions only; its log is not streamed`);
    } catch (e) {
      const code = e instanceof ApiException ? e.code : undefined;
      this.baselineState = code === 403 || code === 401 ? 'unreadable' : 'none';
      logger.info(`telemetry ${workload}: the baseline's log is not streamed: ${code === 403 || code === 401 ? `you may not read ${baseline}/${workload}` : code === 404 ? `${baseline}/${workload} does not exist` : e instanceof Error ? e.message.split('\n')[0] : String(e)}`);
      return;
    }
    if (this.disposed) return;
    const stream = this.own(new PodLogStream({ kubeConfig, namespace: baseline, selector, logger, requestTimeoutMs, initialTailLines: 200 }));
    this.baselineLogs = stream;
    this.baselineState = 'streaming';
    this.own(stream.onLine((l) => this.line(l, 'baseline')));
    this.own(stream.onPod((pod) => logger.info(`telemetry ${workload}: following the baseline's log ${baseline}/${pod}`)));
    this.own(stream.onError((e) => {
      if (!(e instanceof PodLogError) || e.reason !== 'forbidden') return logger.debug(`telemetry ${workload}: baseline logs: ${e.message}`);
      // not the developer's to read: stop trying, quietly
      logger.info(`telemetry ${workload}: the baseline's log is not streamed: ${e.message}`);
      this.baselineState = 'unreadable';
      this.baselineLogs = undefined;
      stream.dispose();
    }));
    stream.start();
  }
}
