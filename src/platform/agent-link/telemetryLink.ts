import { inflateRawSync } from 'node:zlib';
import { type IDisposable } from '../../core/base/disposable';
import { Emitter } from '../../core/base/event';
import { type ILogger, nullLogger } from '../../core/base/logger';
import { Backoff, type BackoffOptions } from '../../core/base/backoff';
import { AgentError } from '../../core/agent/errors';
import { type TelemetryPayloadMeta, parseMessage } from '../../core/agent/messages';
import { type LiveLinkState } from '../../core/telemetry/liveSummary';
import { FrameFlags, MessageType, SUPPORTED_VERSIONS, decodeFrame } from '../../core/agent/protocol';
import { type Connection, type Transport } from '../../core/agent/transport';
import { AgentConnection } from './agentConnection';

/** One OTLP payload relayed by the agent, decompressed. */
export interface RelayedPayload extends TelemetryPayloadMeta {
  readonly body: Uint8Array;
}

/** The link's state: the core's vocabulary, which the editor shows (core/telemetry/liveSummary.ts). */
export type TelemetryLinkState = LiveLinkState;

export interface TelemetryLinkOptions {
  /** A PortForwardTransport for a fork (or a WsTransport in tests). */
  readonly transport: Transport;
  readonly clientName?: string;
  readonly backoff?: BackoffOptions;
  readonly requestTimeoutMs?: number;
  readonly logger?: ILogger;
}

/** A relayed payload body is never inflated beyond this (the agent caps bodies at 20 MiB). */
const MAX_INFLATED = 32 * 1024 * 1024;

/**
 * The editor's subscription to the telemetry an agent receives: connects through the transport
 * (port-forward + token, like sync), says HELLO, subscribes after the last sequence number it has
 * seen and emits each payload once, in order. When the connection drops it reconnects with backoff
 * and resumes from that sequence number, so nothing is delivered twice; payloads the agent could not
 * keep meanwhile are reported by onDropped. A restarted agent (new instance id) counts from 1
 * again: the link then starts from the beginning of the new agent's ring.
 */
export class TelemetryLink implements IDisposable {
  private lastSeq = 0;
  private instanceId: string | undefined;
  private connection: AgentConnection | undefined;
  private raw: Connection | undefined;
  private state: TelemetryLinkState = 'stopped';
  private stopped = false;
  private timer: ReturnType<typeof setTimeout> | undefined;
  private readonly backoff: Backoff;
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
  /** Payloads delivered and lost since the link started. */
  readonly counts = { received: 0, dropped: 0, connects: 0 };

  constructor(private readonly options: TelemetryLinkOptions) {
    this.backoff = new Backoff({ initialMs: 200, maxMs: 10_000, ...options.backoff });
    this.log = options.logger ?? nullLogger;
  }

  get current(): TelemetryLinkState {
    return this.state;
  }

  /** The sequence number of the last payload delivered. */
  get lastSequence(): number {
    return this.lastSeq;
  }

  start(): void {
    if (this.state !== 'stopped' || this.stopped) return;
    void this.connect();
  }

  /** Drops the current connection (tests: a network cut); the link reconnects and resumes. */
  cut(): void {
    this.raw?.dispose();
  }

  dispose(): void {
    if (this.stopped) return;
    this.stopped = true;
    clearTimeout(this.timer);
    this.connection?.dispose();
    this.setState('stopped');
    for (const e of [this.payloads, this.drops, this.states, this.failures]) e.dispose();
  }

  private setState(s: TelemetryLinkState): void {
    if (s === this.state) return;
    this.state = s;
    this.states.fire(s);
  }

  private async connect(): Promise<void> {
    if (this.stopped) return;
    this.setState('connecting');
    let raw: Connection | undefined;
    try {
      raw = await this.options.transport.connect();
      if (this.stopped) return raw.dispose();
      this.raw = raw;
      const conn = new AgentConnection(raw, { bytesSent: 0, bytesReceived: 0, framesSent: 0 }, this.options.requestTimeoutMs ?? 30_000);
      this.connection = conn;
      const relayed = raw.onMessage((bytes) => this.receive(bytes));
      void conn.closed.then((reason) => {
        relayed.dispose();
        this.lost(reason);
      });
      const welcome = await conn.hello({ versions: [...SUPPORTED_VERSIONS], client: this.options.clientName ?? 'slice telemetry link' });
      if (this.instanceId !== undefined && welcome.instanceId !== this.instanceId) {
        this.log.info(`telemetry: the agent restarted (${this.lastSeq} payloads received from the previous one); starting from its first`);
        this.lastSeq = 0;
      }
      this.instanceId = welcome.instanceId;
      const reply = await conn.request({ type: MessageType.TelemetrySubscribe, meta: { since: this.lastSeq } });
      if (reply.msg.type !== MessageType.TelemetrySubscribed) throw new AgentError('BAD_FRAME', `expected TELEMETRY_SUBSCRIBED, got ${MessageType[reply.msg.type]}`);
      // payloads lost meanwhile show up as the gap before the next sequence number (counted there)
      if (reply.msg.meta.dropped > 0) this.log.info(`telemetry: the agent no longer holds ${reply.msg.meta.dropped} payload(s) after #${this.lastSeq}`);
      this.counts.connects++;
      this.backoff.reset();
      this.setState('streaming');
    } catch (e) {
      let err = e instanceof Error ? e : new Error(String(e));
      if (/does not accept TelemetrySubscribe/.test(err.message)) {
        err = new AgentError('UNSUPPORTED_VERSION', `the agent of this fork is older than the extension and does not relay telemetry (it does not accept TelemetrySubscribe messages): update the Slice platform (npm run platform:install) and recreate the fork's pod`);
      }
      raw?.dispose();
      if (!this.stopped) {
        this.failures.fire(err);
        this.retry();
      }
    }
  }

  private lost(reason: string): void {
    this.connection = undefined;
    this.raw = undefined;
    if (this.stopped || this.state === 'waiting') return;
    this.log.info(`telemetry: the connection to the agent was lost (${reason}); resuming after #${this.lastSeq}`);
    this.retry();
  }

  private retry(): void {
    if (this.stopped || this.timer) return;
    this.setState('waiting');
    this.timer = setTimeout(() => {
      this.timer = undefined;
      void this.connect();
    }, this.backoff.next());
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
    if (meta.seq <= this.lastSeq) return; // already delivered before a reconnect
    let body = frame.value.payload;
    if ((frame.value.flags & FrameFlags.Compressed) !== 0) {
      try {
        body = inflateRawSync(body, { maxOutputLength: MAX_INFLATED });
      } catch {
        this.log.warn(`telemetry: payload #${meta.seq} from the agent does not inflate; skipped`);
        this.lastSeq = meta.seq;
        return;
      }
    }
    const gap = meta.seq - this.lastSeq - 1;
    this.lastSeq = meta.seq;
    if (gap > 0) this.dropped(gap);
    this.counts.received++;
    this.payloads.fire({ ...meta, body });
  }
}
