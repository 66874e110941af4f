import { type IncomingMessage, type Server, type ServerResponse, createServer } from 'node:http';
import { type Transform } from 'node:stream';
import { createGunzip, createInflate, createInflateRaw } from 'node:zlib';
import { Writer } from 'protobufjs/minimal';
import { type TelemetryEncoding, type TelemetryKind } from '../core/agent/messages';
import { loggablePath } from '../core/base/urlPath';
import { type PayloadRing } from './otlpRing';

/** Body cap, after decompression (OTLP/HTTP request bodies; a larger one is answered 413). */
export const DEFAULT_MAX_BODY_BYTES = 20 * 1024 * 1024;
export const DEFAULT_OTLP_PORT = 4318;

const PATHS: Readonly<Record<string, TelemetryKind>> = { '/v1/traces': 'traces', '/v1/logs': 'logs', '/v1/metrics': 'metrics' };

export interface OtlpReceiverOptions {
  readonly ring: PayloadRing;
  /** Loopback only by default: the pod's containers share it, other pods cannot reach it. */
  readonly host?: string;
  readonly port?: number;
  readonly maxBodyBytes?: number;
  readonly log: (line: string) => void;
}

/** What the receiver has seen since it started (for logs and tests). */
export interface ReceiverStats {
  accepted: number;
  rejected: Record<number, number>;
}

class HttpRefusal extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

/**
 * An OTLP/HTTP receiver (https://opentelemetry.io/docs/specs/otlp/#otlphttp): POST /v1/traces,
 * /v1/logs and /v1/metrics (the same limits, encodings and answers for all three), bodies in application/json or application/x-protobuf, optionally gzip- or
 * deflate-encoded. A body is read as a stream and cut as soon as it passes the cap, before or after
 * decompression (a decompression bomb stops early), and answered 413. Accepted bodies go into the
 * ring as they are (the editor decodes them) and are answered 200 with an empty Export*ServiceResponse
 * in the request's encoding. Nothing a client sends can crash the agent: every failure is an HTTP
 * status with a one-line reason.
 */
export class OtlpReceiver {
  private readonly server: Server;
  private readonly maxBodyBytes: number;
  readonly stats: ReceiverStats = { accepted: 0, rejected: {} };

  constructor(private readonly options: OtlpReceiverOptions) {
    this.maxBodyBytes = options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES;
    this.server = createServer((req, res) => void this.handle(req, res));
    this.server.on('clientError', (_e, socket) => socket.destroy());
  }

  listen(): Promise<number> {
    return new Promise((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(this.options.port ?? DEFAULT_OTLP_PORT, this.options.host ?? '127.0.0.1', () => {
        this.server.off('error', reject);
        const address = this.server.address();
        resolve(typeof address === 'object' && address ? address.port : (this.options.port ?? DEFAULT_OTLP_PORT));
      });
    });
  }

  close(): Promise<void> {
    return new Promise((resolve) => {
      this.server.close(() => resolve());
      this.server.closeAllConnections();
    });
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    try {
      const path = (req.url ?? '').split('?')[0] ?? '';
      const kind = PATHS[path];
      if (!kind) throw new HttpRefusal(404, `no OTLP endpoint at ${path}: use POST /v1/traces, /v1/logs or /v1/metrics`);
      if (req.method !== 'POST') {
        res.setHeader('allow', 'POST');
        throw new HttpRefusal(405, `${req.method ?? '?'} is not allowed on ${path}: use POST`);
      }
      const encoding = encodingOf(req.headers['content-type']);
      const body = await this.readBody(req);
      this.options.ring.push(kind, encoding, body);
      this.stats.accepted++;
      // An empty Export*ServiceResponse: `{}` in JSON, zero bytes in protobuf (all fields default).
      const reply = encoding === 'json' ? '{}' : '';
      res.writeHead(200, { 'content-type': encoding === 'json' ? 'application/json' : 'application/x-protobuf', 'content-length': Buffer.byteLength(reply) }).end(reply);
    } catch (e) {
      const refusal = e instanceof HttpRefusal ? e : new HttpRefusal(400, e instanceof Error ? e.message : String(e));
      this.refuse(req, res, refusal);
    }
  }

  private refuse(req: IncomingMessage, res: ServerResponse, e: HttpRefusal): void {
    this.stats.rejected[e.status] = (this.stats.rejected[e.status] ?? 0) + 1;
    const n = this.stats.rejected[e.status]!;
    // logged for the first few of each kind, then every 100th: a misbehaving exporter cannot flood the log
    if (n <= 3 || n % 100 === 0) this.options.log(`otlp: ${req.method ?? '?'} ${loggablePath(req.url)} refused ${e.status} (${n} so far): ${e.message}`);
    if (res.headersSent) return void res.destroy();
    // The spec's error body: a google.rpc.Status in the request's encoding (JSON when it had none we know).
    // A body we stopped reading is not drained: the connection is closed after the answer.
    const protobuf = /^application\/(x-)?protobuf\b/i.test(req.headers['content-type'] ?? '');
    const body = protobuf ? statusProto(GRPC_CODE[e.status] ?? 2, e.message) : Buffer.from(JSON.stringify({ code: GRPC_CODE[e.status] ?? 2, message: e.message }));
    res.writeHead(e.status, { 'content-type': protobuf ? 'application/x-protobuf' : 'application/json', 'content-length': body.length, connection: 'close' }).end(body);
    if (!req.complete) req.resume();
  }

  /** The request body, decompressed, or an HttpRefusal (413 past the cap, 415, 400). */
  private readBody(req: IncomingMessage): Promise<Uint8Array> {
    const max = this.maxBodyBytes;
    const declared = Number(req.headers['content-length'] ?? NaN);
    if (Number.isFinite(declared) && declared > max) return Promise.reject(new HttpRefusal(413, `the body of ${declared} bytes is over the ${max}-byte limit`));
    const coding = (req.headers['content-encoding'] ?? 'identity').trim().toLowerCase();
    let inflater: Transform | undefined;
    if (coding === 'gzip' || coding === 'x-gzip') inflater = createGunzip();
    else if (coding === 'deflate') inflater = undefined; // chosen from the first byte: zlib-wrapped or raw
    else if (coding !== 'identity' && coding !== '') return Promise.reject(new HttpRefusal(415, `Content-Encoding ${coding} is not supported: use gzip, deflate or none`));
    return new Promise<Uint8Array>((resolve, reject) => {
      const chunks: Buffer[] = [];
      let size = 0;
      let wire = 0;
      let done = false;
      const finish = (e?: HttpRefusal) => {
        if (done) return;
        done = true;
        inflater?.destroy();
        if (e) reject(e);
        else resolve(Buffer.concat(chunks, size));
      };
      const tooLarge = () => finish(new HttpRefusal(413, `the body is over the ${max}-byte limit${inflater ? ' once decompressed' : ''}`));
      const collect = (chunk: Buffer) => {
        if (done) return;
        size += chunk.length;
        if (size > max) return tooLarge();
        chunks.push(chunk);
      };
      const wireInflater = (t: Transform) => {
        inflater = t;
        t.on('data', collect);
        t.on('end', () => finish());
        t.on('error', (e: Error) => finish(new HttpRefusal(400, `the ${coding} body does not decompress: ${e.message}`)));
      };
      if (inflater) wireInflater(inflater);
      req.on('data', (chunk: Buffer) => {
        if (done) return;
        wire += chunk.length;
        if (wire > max) return tooLarge();
        if (coding === 'deflate' && !inflater) wireInflater((chunk[0]! & 0x0f) === 8 ? createInflate() : createInflateRaw());
        if (inflater) inflater.write(chunk);
        else collect(chunk);
      });
      req.on('end', () => {
        if (inflater) inflater.end();
        else finish();
      });
      req.on('error', (e) => finish(new HttpRefusal(400, `the request was cut: ${e.message}`)));
      req.on('aborted', () => finish(new HttpRefusal(400, 'the client went away')));
    });
  }
}

/** gRPC status codes of the HTTP refusals (google.rpc.Status.code). */
const GRPC_CODE: Readonly<Record<number, number>> = { 400: 3, 404: 5, 405: 12, 413: 3, 415: 3 };

/** google.rpc.Status { int32 code = 1; string message = 2; } */
function statusProto(code: number, message: string): Uint8Array {
  return Writer.create().uint32(8).int32(code).uint32(18).string(message).finish();
}

function encodingOf(contentType: string | undefined): TelemetryEncoding {
  const type = (contentType ?? '').split(';')[0]!.trim().toLowerCase();
  if (type === 'application/json') return 'json';
  if (type === 'application/x-protobuf' || type === 'application/protobuf') return 'protobuf';
  throw new HttpRefusal(415, `Content-Type ${type || '(none)'} is not supported: OTLP/HTTP takes application/json or application/x-protobuf`);
}
