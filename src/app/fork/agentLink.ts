import { type IDisposable } from '../../core/base/disposable';
import { Emitter } from '../../core/base/event';
import { type RetryPolicy } from '../../core/base/backoff';
import { AgentError } from '../../core/agent/errors';
import { type HelloMeta, type WelcomeMeta } from '../../core/agent/messages';
import { SUPPORTED_VERSIONS } from '../../core/agent/protocol';
import { type Connection, type Transport } from '../../core/agent/transport';
import { AgentConnection, type TrafficStats } from '../../platform/agent-link/agentConnection';

/** One connection to the agent, after its WELCOME: what sync and telemetry both speak over. */
export interface LinkSession {
  readonly conn: AgentConnection;
  /** The raw connection: unsolicited frames (relayed telemetry) are read from it. */
  readonly raw: Connection;
  readonly welcome: WelcomeMeta;
  /** The pod the connection reached, when the transport knows it. */
  readonly pod: string | undefined;
}

/** A connection attempt failed or a connection ended. */
export interface LinkLoss {
  readonly reason: string;
  /** The failure itself (the transport's error), when an attempt failed. */
  readonly failure?: Error;
  /** True when a connection had been made (false: connecting failed). */
  readonly wasConnected: boolean;
  /** When the next attempt starts; undefined: no next attempt, the link ended. */
  readonly retryInMs: number | undefined;
}

export type LinkState = 'idle' | 'connecting' | 'connected' | 'waiting' | 'ended';

export interface AgentLinkOptions {
  readonly transport: Transport;
  /** The reconnect policy (app/reconnect.ts) that decides every retry. */
  readonly policy: RetryPolicy;
  readonly hello: HelloMeta;
  readonly requestTimeoutMs?: number;
  /** The pod the transport reached (PortForwardTransport.currentPod). */
  readonly podOf?: () => string | undefined;
  readonly traffic?: TrafficStats;
}

/**
 * One agent connection for one fork: connect through the transport (one port-forward, one token
 * read), one HELLO per connection, and reconnect as the policy says when it drops. Sync and
 * telemetry are both carried on it: each takes every LinkSession as it comes (onConnected) and
 * learns of its end through the connection's `closed`. A consumer that finds the stream
 * untrustworthy calls drop(); the link then reconnects for everyone.
 */
export class AgentLink implements IDisposable {
  private state: LinkState = 'idle';
  private session: LinkSession | undefined;
  private timer: ReturnType<typeof setTimeout> | undefined;
  private wakeWait: (() => void) | undefined;
  private disposed = false;
  private readonly connected = new Emitter<LinkSession>();
  private readonly lost = new Emitter<LinkLoss>();
  private readonly states = new Emitter<LinkState>();
  readonly onConnected = this.connected.event;
  readonly onLost = this.lost.event;
  readonly onStateChange = this.states.event;
  /** Connections made (each with one HELLO), failed attempts. */
  readonly counts = { connects: 0, hellos: 0, failures: 0 };
  readonly traffic: TrafficStats;

  constructor(private readonly options: AgentLinkOptions) {
    this.traffic = options.traffic ?? { bytesSent: 0, bytesReceived: 0, framesSent: 0 };
  }

  get current(): LinkSession | undefined {
    return this.session;
  }

  get currentState(): LinkState {
    return this.state;
  }

  start(): void {
    if (this.state !== 'idle' || this.disposed) return;
    void this.loop();
  }

  /** Closes the current connection (a consumer could not trust it); the link reconnects. */
  drop(): void {
    this.session?.conn.dispose();
  }

  /** Skips the wait before the next attempt (a consumer has news, e.g. the user asked). */
  retryNow(): void {
    this.wakeWait?.();
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    clearTimeout(this.timer);
    this.session?.conn.dispose();
    this.wakeWait?.();
    this.setState('ended');
    for (const e of [this.connected, this.lost, this.states]) e.dispose();
  }

  private setState(s: LinkState): void {
    if (this.state === s || this.state === 'ended') return;
    this.state = s;
    this.states.fire(s);
  }

  private async loop(): Promise<void> {
    while (!this.disposed) {
      this.setState('connecting');
      let failure: Error | undefined;
      let wasConnected = false;
      let reason: string;
      try {
        const session = await this.connect();
        wasConnected = true;
        this.session = session;
        this.options.policy.reset();
        this.setState('connected');
        this.connected.fire(session);
        reason = await session.conn.closed;
      } catch (e) {
        failure = e instanceof Error ? e : new Error(String(e));
        reason = failure.message;
        if (!this.disposed) this.counts.failures++;
      }
      this.session = undefined;
      if (this.disposed) return;
      const retryInMs = this.options.policy.next(failure ?? new AgentError('DISCONNECTED', reason));
      this.lost.fire({ reason, wasConnected, retryInMs, ...(failure ? { failure } : {}) });
      if (retryInMs === undefined || this.disposed) {
        this.setState('ended');
        return;
      }
      this.setState('waiting');
      await new Promise<void>((resolve) => {
        this.wakeWait = resolve;
        this.timer = setTimeout(resolve, retryInMs);
      });
      clearTimeout(this.timer);
      this.wakeWait = undefined;
    }
  }

  private async connect(): Promise<LinkSession> {
    const raw = await this.options.transport.connect();
    if (this.disposed) {
      raw.dispose();
      throw new AgentError('DISCONNECTED', 'the link was stopped');
    }
    const conn = new AgentConnection(raw, this.traffic, this.options.requestTimeoutMs);
    let welcome: WelcomeMeta;
    try {
      this.counts.hellos++;
      welcome = await conn.hello(this.options.hello);
    } catch (e) {
      conn.dispose();
      if (e instanceof AgentError && e.code === 'UNSUPPORTED_VERSION') {
        throw new AgentError('UNSUPPORTED_VERSION', `the slice's agent does not speak this extension's agent protocol ${SUPPORTED_VERSIONS.join(', ')} (${e.message}); update the platform's agent image (npm run platform:install) and recreate the fork, or use the matching extension`);
      }
      throw e;
    }
    this.counts.connects++;
    return { conn, raw, welcome, pod: this.options.podOf?.() };
  }
}
