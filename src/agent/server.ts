import { createServer, type IncomingMessage, type Server } from 'node:http';
import { type Duplex } from 'node:stream';
import { WebSocketServer, type WebSocket } from 'ws';
import { bearerToken, tokenMatches } from './auth';

export interface AgentOptions {
  readonly host: string;
  readonly port: number;
  readonly token: string;
  readonly syncRoot: string;
  readonly version: string;
  readonly log: (line: string) => void;
}

/**
 * The agent's network face: a WebSocket endpoint that admits only holders of the slice's token,
 * and an unauthenticated /healthz for the kubelet's probes. The protocol spoken on an admitted
 * socket belongs to the sync engine; this server only authenticates and greets.
 */
export class AgentServer {
  private readonly http: Server;
  private readonly wss: WebSocketServer;

  constructor(private readonly options: AgentOptions) {
    this.wss = new WebSocketServer({ noServer: true, maxPayload: 64 * 1024 * 1024 });
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

  close(): Promise<void> {
    for (const client of this.wss.clients) client.terminate();
    return new Promise((resolve) => this.wss.close(() => this.http.close(() => resolve())));
  }

  private upgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    if (req.url !== '/v1/connect' || !tokenMatches(bearerToken(req.headers.authorization), this.options.token)) {
      this.options.log(`rejected connection from ${req.socket.remoteAddress ?? '?'} to ${req.url ?? '?'}: ${req.url === '/v1/connect' ? 'bad or missing token' : 'unknown path'}`);
      socket.end('HTTP/1.1 401 Unauthorized\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
      return;
    }
    this.wss.handleUpgrade(req, socket, head, (ws) => this.wss.emit('connection', ws, req));
  }

  private greet(ws: WebSocket, req: IncomingMessage): void {
    this.options.log(`client connected from ${req.socket.remoteAddress ?? '?'}`);
    ws.send(JSON.stringify({ type: 'hello', agentVersion: this.options.version, syncRoot: this.options.syncRoot, pid: process.pid }));
    ws.on('error', (e) => this.options.log(`socket error: ${e.message}`));
  }
}
