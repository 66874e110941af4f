import { createServer, type IncomingMessage, type Server } from 'node:http';
import { type Duplex } from 'node:stream';
import { WebSocketServer, type WebSocket } from 'ws';
import { randomUUID } from 'node:crypto';
import { type HookConfig } from '../core/agent/messages';
import { loggablePath } from '../core/base/urlPath';
import { HashCache } from '../core/sync/scanner';
import { bearerToken, tokenMatches } from './auth';
import { type PayloadRing } from './otlpRing';
import { TelemetryRelay, relayRequest } from './otlpRelay';
import { HookRunner } from './hook';
import { SafeTree } from './safeTree';
import { AgentSession } from './session';

/** Files above this size are refused (TOO_LARGE) unless SLICE_MAX_FILE_BYTES says otherwise. */
export const DEFAULT_MAX_FILE_BYTES = 32 * 1024 * 1024;

export interface AgentOptions {
  readonly host: string;
  readonly port: number;
  readonly token: string;
  readonly syncRoot: string;
  readonly version: string;
  readonly log: (line: string) => void;
  /** Per-file size cap (default DEFAULT_MAX_FILE_BYTES). */
  readonly maxFileBytes?: number;
  /** The after-sync action (SLICE_AFTER_SYNC_CMD); a client's HELLO may override it. */
  readonly afterSync?: HookConfig;
  /**
   * Flush each written file to disk before its rename (default true). Writes stay atomic for
   * readers either way; without the flush a node crash can lose recent writes, which the next
   * connection's manifest reconcile puts back (SLICE_AGENT_FSYNC=0).
   */
  readonly fsync?: boolean;
  /**
   * Where the agent keeps its record of what the sync wrote across its own restarts: a directory
   * that lives exactly as long as the sync root (the pod's second emptyDir). None: in memory.
   */
  readonly stateDir?: string;
  /** Received OTLP payloads that token holders may subscribe to (TelemetrySubscribe); none: refused. */
  readonly telemetry?: PayloadRing;
}

/**
 * The agent's network face: a WebSocket endpoint that admits only holders of the slice's token,
 * and an unauthenticated /healthz for the kubelet's probes. An admitted socket first gets a JSON
 * text greeting (kept for simple probes), then speaks the binary sync protocol (AgentSession).
 */
export class AgentServer {
  private readonly http: Server;
  private readonly wss: WebSocketServer;
  private readonly tree: SafeTree;
  private readonly hooks: HookRunner;
  private readonly cache = new HashCache();
  /** Random per process: tells a reconnecting client that the agent restarted. */
  readonly instanceId = randomUUID();

  constructor(private readonly options: AgentOptions) {
    this.wss = new WebSocketServer({ noServer: true, maxPayload: 64 * 1024 * 1024 });
    this.tree = new SafeTree(options.syncRoot, { fsync: options.fsync !== false, ...(options.stateDir ? { stateDir: options.stateDir } : {}) });
    this.hooks = new HookRunner(options.syncRoot);
    this.http = createServer((req, res) => {
      if (req.method === 'GET' && req.url === '/healthz') {
        res.writeHead(200, { 'content-type': 'text/plain' }).end('ok\n');
        return;
      }
      res.writeHead(404, { 'content-type': 'text/plain' }).end('not found\n');
    });
    this.http.on('upgrade', (req, socket, head) => this.upgrade(req, socket, head));
    this.wss.on('connection', (ws, req) => this.greet(ws, req));
  }

  listen(): Promise<number> {
    return new Promise((resolve, reject) => {
      this.http.once('error', reject);
      this.http.listen(this.options.port, this.options.host, () => {
        const address = this.http.address();
        resolve(typeof address === 'object' && address ? address.port : this.options.port);
      });
    });
  }

  /**
   * Stops: each client gets a WebSocket close frame first (1001, "the agent is stopping") — through a
   * port-forward a peer learns of a closed TCP connection late or never (the pod's end is gone only
   * when the pod is), the frame tells it at once — and whatever has not closed 200 ms later is cut.
   */
  close(): Promise<void> {
    this.hooks.dispose();
    for (const client of this.wss.clients) client.close(1001, 'the agent is stopping');
    return new Promise((resolve) => {
      const cut = setTimeout(() => {
        for (const client of this.wss.clients) client.terminate();
      }, 200);
      this.wss.close(() =>
        this.http.close(() => {
          clearTimeout(cut);
          resolve();
        }),
      );
    });
  }

  private upgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    if (req.url !== '/v1/connect' || !tokenMatches(bearerToken(req.headers.authorization), this.options.token)) {
      this.options.log(`rejected connection from ${req.socket.remoteAddress ?? '?'} to ${loggablePath(req.url)}: ${req.url === '/v1/connect' ? 'bad or missing token' : 'unknown path'}`);
      socket.end('HTTP/1.1 401 Unauthorized\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
      return;
    }
    this.wss.handleUpgrade(req, socket, head, (ws) => this.wss.emit('connection', ws, req));
  }

  private greet(ws: WebSocket, req: IncomingMessage): void {
    this.options.log(`client connected from ${req.socket.remoteAddress ?? '?'}`);
    ws.send(JSON.stringify({ type: 'hello', agentVersion: this.options.version, syncRoot: this.options.syncRoot, pid: process.pid }));
    ws.on('error', (e) => this.options.log(`socket error: ${e.message}`));
    const session = new AgentSession(
      {
        tree: this.tree,
        syncRoot: this.options.syncRoot,
        agentVersion: this.options.version,
        instanceId: this.instanceId,
        maxFileBytes: this.options.maxFileBytes ?? DEFAULT_MAX_FILE_BYTES,
        hook: this.options.afterSync,
        hooks: this.hooks,
        cache: this.cache,
        log: this.options.log,
      },
      {
        send: (frame) => ws.send(frame, { binary: true }),
        close: (code, reason) => ws.close(code, reason),
      },
    );
    let relay: TelemetryRelay | undefined;
    ws.on('message', (data: Buffer | ArrayBuffer | Buffer[], isBinary) => {
      if (!isBinary) return;
      const bytes = Array.isArray(data) ? Buffer.concat(data) : data instanceof ArrayBuffer ? new Uint8Array(data) : data;
      const sub = relayRequest(bytes);
      if (!sub) return session.receive(bytes);
      if (!this.options.telemetry) return session.receive(bytes); // answered "does not accept"
      relay ??= new TelemetryRelay(this.options.telemetry, { send: (f) => ws.send(f, { binary: true }), get bufferedAmount() { return ws.bufferedAmount; } });
      relay.subscribe(sub.requestId, sub.since, sub.stream);
    });
    ws.on('close', () => {
      relay?.dispose();
      session.dispose();
      this.options.log('client disconnected');
    });
  }
}
