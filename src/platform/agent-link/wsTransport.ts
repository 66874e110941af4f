import WebSocket, { type ClientOptions } from 'ws';

import { Emitter } from '../../core/base/event';
import { AgentError } from '../../core/agent/errors';
import { type Connection, type Transport } from '../../core/agent/transport';

export interface WsTransportOptions {
  /** e.g. ws://127.0.0.1:PORT/v1/connect — a port-forward's local end. */
  readonly url: string;
  readonly token: string;
  readonly connectTimeoutMs?: number;
  /** A ping every this often; two missed pongs and the connection is dropped. 0 disables. */
  readonly pingIntervalMs?: number;
  /** Extra ws client options (e.g. `createConnection` to tunnel through a port-forward stream). */
  readonly wsOptions?: ClientOptions;
}

function zeroMask(mask: Buffer): void {
  mask.fill(0);
}

/** The Transport port over a WebSocket with the slice's bearer token. */
export class WsTransport implements Transport {
  constructor(private readonly options: WsTransportOptions) {}

  connect(): Promise<Connection> {
    const { url, token, connectTimeoutMs = 10_000 } = this.options;
    return new Promise((resolve, reject) => {
      const ws = new WebSocket(url, {
        ...this.options.wsOptions,
        headers: { ...this.options.wsOptions?.headers, authorization: `Bearer ${token}` },
        perMessageDeflate: false,
        // A zero masking key: ws then neither masks here nor unmasks in the agent (two passes over
        // every byte in JavaScript). Masking guards HTTP intermediaries against script-controlled
        // payloads (RFC 6455 §10.3); this socket only ever reaches our own agent through loopback
        // and a port-forward, which carries it inside its own (masked) Kubernetes WebSocket.
        generateMask: zeroMask,
        maxPayload: 64 * 1024 * 1024,
        handshakeTimeout: connectTimeoutMs,
      });
      const fail = (e: Error) => {
        ws.removeAllListeners();
        ws.on('error', () => undefined);
        ws.terminate();
        reject(e);
      };
      ws.once('unexpected-response', (_req, res) => {
        const status = res.statusCode ?? 0;
        fail(new AgentError('DISCONNECTED', status === 401 ? 'the agent refused the slice token (401)' : `the agent answered HTTP ${status} instead of a WebSocket`));
      });
      ws.once('error', (e) => fail(new AgentError('DISCONNECTED', `cannot reach the agent at ${url}: ${e.message}`)));
      ws.once('open', () => {
        ws.removeAllListeners('error');
        ws.removeAllListeners('unexpected-response');
        resolve(new WsConnection(ws, this.options.pingIntervalMs ?? 15_000));
      });
    });
  }
}

class WsConnection implements Connection {
  private readonly messages = new Emitter<Uint8Array>();
  private readonly closes = new Emitter<{ readonly reason: string }>();
  private closed = false;
  private readonly pinger: ReturnType<typeof setInterval> | undefined;
  private missedPongs = 0;
  readonly onMessage = this.messages.event;
  readonly onClose = this.closes.event;

  constructor(
    private readonly ws: WebSocket,
    pingIntervalMs: number,
  ) {
    ws.binaryType = 'nodebuffer';
    ws.on('message', (data: Buffer, isBinary) => {
      if (isBinary) this.messages.fire(new Uint8Array(data.buffer, data.byteOffset, data.byteLength));
    });
    ws.on('close', (code, reason) => this.gone(`closed (${code}${reason.length ? ` ${reason.toString('utf8')}` : ''})`));
    ws.on('error', (e) => this.gone(`socket error: ${e.message}`));
    ws.on('pong', () => (this.missedPongs = 0));
    if (pingIntervalMs > 0) {
      this.pinger = setInterval(() => {
        if (++this.missedPongs > 2) {
          this.gone('no answer to pings');
          return;
        }
        ws.ping();
      }, pingIntervalMs);
      this.pinger.unref?.();
    }
  }

  get bufferedAmount(): number {
    return this.ws.bufferedAmount;
  }

  send(frame: Uint8Array): void {
    if (this.closed) throw new AgentError('DISCONNECTED', 'the connection to the agent is closed');
    this.ws.send(frame, { binary: true });
  }

  dispose(): void {
    this.gone('closed by the client');
  }

  private gone(reason: string): void {
    if (this.closed) return;
    this.closed = true;
    clearInterval(this.pinger);
    this.ws.terminate();
    this.closes.fire({ reason });
    this.messages.dispose();
    this.closes.dispose();
  }
}

