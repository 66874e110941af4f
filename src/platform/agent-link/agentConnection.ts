import { inflateRawSync } from 'node:zlib';
import { type IDisposable } from '../../core/base/disposable';
import { AgentError } from '../../core/agent/errors';
import { type HelloMeta, type Message, type WelcomeMeta, encodeMessage, parseMessage } from '../../core/agent/messages';
import { FrameFlags, MessageType, decodeFrame } from '../../core/agent/protocol';
import { type Connection } from '../../core/agent/transport';

export interface Reply {
  readonly msg: Message;
  /** Decompressed. */
  readonly payload: Uint8Array;
}

interface Waiter {
  resolve(r: Reply): void;
  reject(e: Error): void;
  timer: ReturnType<typeof setTimeout>;
}

/** Traffic counters of one connection, in frame bytes. */
export interface TrafficStats {
  bytesSent: number;
  bytesReceived: number;
  framesSent: number;
}

/**
 * Request/response over one Connection: request ids, replies matched to requests, ERROR frames
 * turned into AgentError, payloads inflated, a timeout per request. When the connection closes,
 * every outstanding request fails with DISCONNECTED.
 */
export class AgentConnection implements IDisposable {
  private nextId = 1;
  private readonly waiters = new Map<number, Waiter>();
  private closedReason: string | undefined;
  private readonly subscriptions: IDisposable[];
  readonly closed: Promise<string>;

  constructor(
    private readonly connection: Connection,
    private readonly stats: TrafficStats,
    private readonly timeoutMs = 120_000,
  ) {
    let onClosed: (reason: string) => void = () => undefined;
    this.closed = new Promise((resolve) => (onClosed = resolve));
    this.subscriptions = [
      connection.onMessage((bytes) => this.receive(bytes)),
      connection.onClose(({ reason }) => {
        this.closedReason = reason;
        for (const w of this.waiters.values()) {
          clearTimeout(w.timer);
          w.reject(new AgentError('DISCONNECTED', `the connection to the agent was lost: ${reason}`));
        }
        this.waiters.clear();
        onClosed(reason);
      }),
    ];
  }

  get isClosed(): boolean {
    return this.closedReason !== undefined;
  }

  /** What the transport said when the connection closed ("closed (1006)", "no answer to pings"). */
  get closeReason(): string | undefined {
    return this.closedReason;
  }

  async hello(meta: HelloMeta): Promise<WelcomeMeta> {
    const reply = await this.request({ type: MessageType.Hello, meta });
    if (reply.msg.type !== MessageType.Welcome) throw new AgentError('BAD_FRAME', `expected WELCOME, got ${MessageType[reply.msg.type]}`);
    return reply.msg.meta;
  }

  request(msg: Message, payload?: Uint8Array, flags = 0): Promise<Reply> {
    if (this.closedReason !== undefined) return Promise.reject(new AgentError('DISCONNECTED', `the connection to the agent is closed: ${this.closedReason}`));
    const id = this.nextId++;
    const frame = encodeMessage(msg, id, payload, flags);
    return new Promise<Reply>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiters.delete(id);
        reject(new AgentError('DISCONNECTED', `the agent did not answer ${MessageType[msg.type]} within ${this.timeoutMs / 1000} s`));
        this.connection.dispose();
      }, this.timeoutMs);
      this.waiters.set(id, { resolve, reject, timer });
      try {
        this.connection.send(frame);
        this.stats.bytesSent += frame.length;
        this.stats.framesSent++;
      } catch (e) {
        clearTimeout(timer);
        this.waiters.delete(id);
        reject(e instanceof Error ? e : new Error(String(e)));
      }
    });
  }

  /** Closes the connection: outstanding requests fail with DISCONNECTED and `closed` resolves. */
  dispose(): void {
    this.connection.dispose();
    for (const s of this.subscriptions) s.dispose();
  }

  private receive(bytes: Uint8Array): void {
    this.stats.bytesReceived += bytes.length;
    const frame = decodeFrame(bytes);
    if (!frame.ok) return this.failOne(frame.error.requestId, new AgentError(frame.error.code, `bad frame from the agent: ${frame.error.message}`));
    const parsed = parseMessage(frame.value);
    if (!parsed.ok) return this.failOne(frame.value.requestId, new AgentError(parsed.error.code, parsed.error.message));
    const waiter = this.waiters.get(frame.value.requestId);
    if (!waiter) return;
    this.waiters.delete(frame.value.requestId);
    clearTimeout(waiter.timer);
    const msg = parsed.value;
    if (msg.type === MessageType.Error) return waiter.reject(new AgentError(msg.meta.code, msg.meta.message, msg.meta.path));
    try {
      const payload = (frame.value.flags & FrameFlags.Compressed) !== 0 ? inflateRawSync(frame.value.payload, { maxOutputLength: 512 * 1024 * 1024 }) : frame.value.payload;
      waiter.resolve({ msg, payload });
    } catch {
      waiter.reject(new AgentError('BAD_FRAME', 'the agent sent a payload that does not inflate'));
    }
  }

  private failOne(requestId: number | undefined, e: AgentError): void {
    const w = requestId === undefined ? undefined : this.waiters.get(requestId);
    if (w && requestId !== undefined) {
      this.waiters.delete(requestId);
      clearTimeout(w.timer);
      w.reject(e);
    } else {
      // A frame we cannot attribute: the stream is no longer trustworthy.
      this.connection.dispose();
    }
  }
}
