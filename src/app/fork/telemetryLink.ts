import { inflateRawSync } from 'node:zlib';
import { type IDisposable } from '../../core/base/disposable';
import { Emitter } from '../../core/base/event';
import { type ILogger, nullLogger } from '../../core/base/logger';
import { type BackoffOptions, backoffPolicy } from '../../core/base/backoff';
import { AgentError } from '../../core/agent/errors';
import { type TelemetryPayloadMeta, parseMessage } from '../../core/agent/messages';
import { type LiveLinkState } from '../../core/telemetry/liveSummary';
import { FrameFlags, MessageType, SUPPORTED_VERSIONS, decodeFrame } from '../../core/agent/protocol';
import { type Transport } from '../../core/agent/transport';
import { AgentLink, type LinkLoss, type LinkSession } from './agentLink';

/** One OTLP payload relayed by the agent, decompressed. */
export interface RelayedPayload extends TelemetryPayloadMeta {
  readonly body: Uint8Array;
}

/** The link's state: the core's vocabulary, which the editor shows (core/telemetry/liveSummary.ts). */
export type TelemetryLinkState = LiveLinkState;

export interface TelemetryLinkOptions {
  /** The fork's shared agent link (one connection for sync and telemetry). */
  readonly link?: AgentLink;
  /** Or a transport (a WsTransport in tests, benches): the telemetry link then makes a link of its own. */
  readonly transport?: Transport;
  readonly clientName?: string;
  /** The backoff of its own link (only with `transport`). */
  readonly backoff?: BackoffOptions;
  readonly requestTimeoutMs?: number;
  readonly logger?: ILogger;
  /**
   * Also subscribe to the agent's metrics stream (TelemetrySubscribe{stream: 'metrics'}) on the same
   * socket: its payloads (kind 'metrics') come through onPayload too, with a cursor of their own.
   */
  readonly metrics?: boolean;
}

/** A relayed payload body is never inflated beyond this (the agent caps bodies at 20 MiB). */
const MAX_INFLATED = 32 * 1024 * 1024;

/**
 * The editor's subscription to the telemetry an agent receives, on the fork's agent link: on every
 * connection it subscribes after the last sequence number it has seen and emits each payload once,
 * in order. When the connection drops, the link reconnects (its policy) and this resumes from that
 * sequence number, so nothing is delivered twice; payloads the agent could not keep meanwhile are
 * reported by onDropped. A restarted agent (new instance id) counts from 1 again: the subscription
 * then starts from the beginning of the new agent's ring.
 */
export class TelemetryLink implements IDisposable {
  private lastSeq = 0;
  /** The metrics stream's cursor (its own sequence numbers). */
  private lastMetricsSeq = 0;
  private instanceId: string | undefined;
  private state: TelemetryLinkState = 'stopped';
  private stopped = false;
  private started = false;
  private readonly link: AgentLink;
  private readonly ownsLink: boolean;
  private readonly subscriptions: IDisposable[] = [];
  private relayed: IDisposable | undefined;
  private readonly log: ILogger;
  private readonly payloads = new Emitter<RelayedPayload>();
  private readonly drops = new Emitter<number>();
  private readonly states = new Emitter<TelemetryLinkState>();
  private readonly failures = new Emitter<Error>();
  /** Each relayed payload, once, in sequence order. */
  readonly onPayload = this.payloads.event;
  /** How many payloads were lost (the agent's ring overflowed before they reached this link). */
  readonly onDropped = this.drops.event;
  readonly onStateChange = this.states.event;
  /** Every failed connection attempt or lost connection, with the reason. */
  readonly onError = this.failures.event;
  /** Payloads delivered and lost since the link started; subscriptions made. */
  readonly counts = { received: 0, dropped: 0, connects: 0, metricsReceived: 0, metricsDropped: 0 };

  constructor(private readonly options: TelemetryLinkOptions) {
    this.log = options.logger ?? nullLogger;
    if (options.link) {
      this.link = options.link;
      this.ownsLink = false;
    } else {
      if (!options.transport) throw new Error('TelemetryLink needs a link or a transport');
      this.link = new AgentLink({
        transport: options.transport,
        policy: backoffPolicy({ initialMs: 200, maxMs: 10_000, ...options.backoff }),
        hello: { versions: [...SUPPORTED_VERSIONS], client: options.clientName ?? 'slice telemetry link' },
        requestTimeoutMs: options.requestTimeoutMs ?? 30_000,
      });
      this.ownsLink = true;
    }
  }

  get current(): TelemetryLinkState {
    return this.state;
  }

  /** The sequence number of the last payload delivered. */
  get lastSequence(): number {
    return this.lastSeq;
  }

  /** The sequence number of the last metrics payload delivered (the metrics stream counts on its own). */
  get lastMetricsSequence(): number {
    return this.lastMetricsSeq;
  }

  start(): void {
    if (this.started || this.stopped) return;
    this.started = true;
    this.subscriptions.push(
      this.link.onConnected((s) => void this.subscribe(s)),
      this.link.onLost((l) => this.lost(l)),
    );
    this.setState('connecting');
    const now = this.link.current;
    if (now) void this.subscribe(now);
    this.link.start();
  }

  /** Drops the current connection (tests: a network cut); the link reconnects and this resumes. */
  cut(): void {
    this.link.current?.raw.dispose();
  }

  dispose(): void {
    if (this.stopped) return;
    this.stopped = true;
    for (const s of this.subscriptions.splice(0)) s.dispose();
    this.relayed?.dispose();
    if (this.ownsLink) this.link.dispose();
    this.setState('stopped');
    for (const e of [this.payloads, this.drops, this.states, this.failures]) e.dispose();
  }

  private setState(s: TelemetryLinkState): void {
    if (s === this.state) return;
    this.state = s;
    this.states.fire(s);
  }

  private async subscribe(session: LinkSession): Promise<void> {
    if (this.stopped) return;
    this.relayed?.dispose();
    const relayed = session.raw.onMessage((bytes) => this.receive(bytes));
    this.relayed = relayed;
    void session.conn.closed.then(() => relayed.dispose());
    const { welcome, conn } = session;
    if (this.instanceId !== undefined && welcome.instanceId !== this.instanceId) {
      this.log.info(`telemetry: the agent restarted (${this.lastSeq} payloads received from the previous one); starting from its first`);
      this.lastSeq = 0;
      this.lastMetricsSeq = 0;
    }
    this.instanceId = welcome.instanceId;
    // the metrics subscription goes first: an agent that ignored `stream` would move the main cursor, and the main subscription then puts it back
    if (this.options.metrics) void this.subscribeMetrics(session);
    try {
      const reply = await conn.request({ type: MessageType.TelemetrySubscribe, meta: { since: this.lastSeq } });
      if (reply.msg.type !== MessageType.TelemetrySubscribed) throw new AgentError('BAD_FRAME', `expected TELEMETRY_SUBSCRIBED, got ${MessageType[reply.msg.type]}`);
      // payloads lost meanwhile show up as the gap before the next sequence number (counted there)
      if (reply.msg.meta.dropped > 0) this.log.info(`telemetry: the agent no longer holds ${reply.msg.meta.dropped} payload(s) after #${this.lastSeq}`);
      if (this.stopped) return;
      this.counts.connects++;
      this.setState('streaming');
    } catch (e) {
      if (this.stopped || conn.isClosed) return; // the link says why (onLost)
      let err = e instanceof Error ? e : new Error(String(e));
      if (/does not accept TelemetrySubscribe/.test(err.message)) {
        err = new AgentError('UNSUPPORTED_VERSION', `the agent of this fork is older than the extension and does not relay telemetry (it does not accept TelemetrySubscribe messages): update the Slice platform (npm run platform:install) and recreate the fork's pod`);
      }
      relayed.dispose();
      this.setState('waiting');
      this.failures.fire(err);
    }
  }

  private async subscribeMetrics(session: LinkSession): Promise<void> {
    const { conn } = session;
    try {
      const reply = await conn.request({ type: MessageType.TelemetrySubscribe, meta: { since: this.lastMetricsSeq, stream: 'metrics' } });
      if (reply.msg.type !== MessageType.TelemetrySubscribed) throw new AgentError('BAD_FRAME', `expected TELEMETRY_SUBSCRIBED, got ${MessageType[reply.msg.type]}`);
      if (reply.msg.meta.dropped > 0) this.log.info(`telemetry: the agent no longer holds ${reply.msg.meta.dropped} metrics payload(s) after #${this.lastMetricsSeq}`);
    } catch (e) {
      if (this.stopped || conn.isClosed) return;
      // traces and logs go on without metrics: a log line, not a failure of the link
      this.log.warn(`telemetry: the agent did not subscribe this editor to its metrics stream: ${e instanceof Error ? e.message : String(e)}`);
    }
  }

  private lost(l: LinkLoss): void {
    if (this.stopped) return;
    if (l.failure) this.failures.fire(l.failure);
    else if (l.wasConnected) this.log.info(`telemetry: the connection to the agent was lost (${l.reason}); resuming after #${this.lastSeq}`);
    this.setState(l.retryInMs === undefined ? 'stopped' : 'waiting');
  }

  private dropped(n: number): void {
    this.counts.dropped += n;
    this.log.warn(`telemetry: ${n} payload(s) were dropped by the agent before they reached the editor (its buffer was full)`);
    this.drops.fire(n);
  }

  private receive(bytes: Uint8Array): void {
    if (bytes.length < 5 || bytes[4] !== MessageType.TelemetryPayload) return;
    const frame = decodeFrame(bytes);
    if (!frame.ok) return;
    const msg = parseMessage(frame.value);
    if (!msg.ok || msg.value.type !== MessageType.TelemetryPayload) return;
    const meta = msg.value.meta;
    const metrics = meta.kind === 'metrics';
    if (metrics && !this.options.metrics) return;
    if (meta.seq <= (metrics ? this.lastMetricsSeq : this.lastSeq)) return; // already delivered before a reconnect
    let body = frame.value.payload;
    if ((frame.value.flags & FrameFlags.Compressed) !== 0) {
      try {
        body = inflateRawSync(body, { maxOutputLength: MAX_INFLATED });
      } catch {
        this.log.warn(`telemetry: payload #${meta.seq} from the agent does not inflate; skipped`);
        if (metrics) this.lastMetricsSeq = meta.seq;
        else this.lastSeq = meta.seq;
        return;
      }
    }
    if (metrics) {
      const gap = meta.seq - this.lastMetricsSeq - 1;
      this.lastMetricsSeq = meta.seq;
      if (gap > 0) {
        this.counts.metricsDropped += gap;
        this.log.warn(`telemetry: ${gap} metrics payload(s) were dropped by the agent before they reached the editor (its buffer was full)`);
      }
      this.counts.metricsReceived++;
      this.payloads.fire({ ...meta, body });
      return;
    }
    const gap = meta.seq - this.lastSeq - 1;
    this.lastSeq = meta.seq;
    if (gap > 0) this.dropped(gap);
    this.counts.received++;
    this.payloads.fire({ ...meta, body });
  }
}
