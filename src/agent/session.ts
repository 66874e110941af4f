import { inflateRaw } from 'node:zlib';
import { AgentError } from '../core/agent/errors';
import { type Written } from '../core/sync/manifest';
import { encodeManifest } from '../core/sync/manifestPayload';
import { type BatchOp, type HookConfig, type Message, type OpResult, encodeMessage, parseMessage } from '../core/agent/messages';
import { FrameFlags, MessageType, SUPPORTED_VERSIONS, decodeFrame, encodeFrame } from '../core/agent/protocol';
import { type HashCache, scanTree } from '../core/sync/scanner';
import { type HookRunner } from './hook';
import { TEMP_NAME } from './safeTree';
import { NodeTreeFs } from './treeFs';
import { deflateIfWorthIt } from './compression';

/** A batch is applied in slices of about this long, with the event loop free in between. */
const APPLY_SLICE_MS = 10;

/** Inflates on the thread pool, bounded by the size the batch announces. */
function inflate(raw: Uint8Array, maxOutputLength: number): Promise<Buffer> {
  return new Promise((resolve, reject) => inflateRaw(raw, { maxOutputLength }, (e, out) => (e ? reject(e) : resolve(out))));
}

/** What a session needs of the sync root: SafeTree (a test may wrap it to inject faults). */
export interface SyncTree {
  readonly root: string;
  readonly ledger: {
    readonly rootId: string;
    entries(): IterableIterator<[string, Written]>;
    madeDirs(): IterableIterator<string>;
  };
  beginBatch(ops: readonly BatchOp[]): void;
  endBatch(): void;
  writeSync(path: string, data: Uint8Array, mode: number | undefined, expectedHash?: string): string;
  removeSync(path: string): void;
  renameSync(from: string, to: string, expectedHash: string): string;
  mkdirSync(path: string): void;
  rmdirSync(path: string): void;
}

export interface SessionContext {
  readonly tree: SyncTree;
  readonly syncRoot: string;
  readonly agentVersion: string;
  readonly instanceId: string;
  readonly maxFileBytes: number;
  readonly hook: HookConfig | undefined;
  readonly hooks: HookRunner;
  readonly cache: HashCache;
  readonly log: (line: string) => void;
}

export interface SessionIo {
  send(frame: Uint8Array): void;
  close(code: number, reason: string): void;
}

/**
 * The agent's side of one authenticated connection: version negotiation, manifests, batches of
 * writes/deletes/renames acknowledged with hashes, and the after-sync action. Frames are handled
 * strictly in arrival order, so a batch is acknowledged only after the ones before it.
 */
export class AgentSession {
  private welcomed = false;
  private hook: HookConfig | undefined;
  private queue: Promise<void> = Promise.resolve();
  private closed = false;

  constructor(
    private readonly ctx: SessionContext,
    private readonly io: SessionIo,
  ) {
    this.hook = ctx.hook;
  }

  receive(bytes: Uint8Array): void {
    this.queue = this.queue.then(() => this.handle(bytes)).catch((e: unknown) => this.ctx.log(`session error: ${e instanceof Error ? e.stack ?? e.message : String(e)}`));
  }

  dispose(): void {
    this.closed = true;
  }

  private send(msg: Message, requestId: number, payload?: Uint8Array, flags = 0): void {
    if (!this.closed) this.io.send(encodeMessage(msg, requestId, payload, flags));
  }

  private fail(requestId: number, code: AgentError['code'], message: string, close = false): void {
    this.send({ type: MessageType.Error, meta: { code, message } }, requestId);
    if (close) {
      this.closed = true;
      this.io.close(1002, code);
    }
  }

  /**
   * A client of another protocol version: the ERROR goes out in that version's framing (the
   * header layout never changes), so the client can read what to update, then the socket closes.
   */
  private refuseVersion(bytes: Uint8Array, requestId: number): void {
    const theirs = bytes[3] ?? 0;
    const newer = theirs > Math.max(...SUPPORTED_VERSIONS);
    const message = `the Slice agent in the container speaks sync protocol ${SUPPORTED_VERSIONS.join(', ')}, this client speaks ${theirs}: ${newer ? "update the slice's agent image (npm run platform:install, then recreate the fork)" : 'update the Slice extension'}`;
    if (!this.closed) this.io.send(encodeFrame({ version: theirs, type: MessageType.Error, requestId, meta: { code: 'UNSUPPORTED_VERSION', message } }));
    this.closed = true;
    this.io.close(1002, 'UNSUPPORTED_VERSION');
  }

  private async handle(bytes: Uint8Array): Promise<void> {
    if (this.closed) return;
    const frame = decodeFrame(bytes);
    if (!frame.ok && frame.error.code === 'UNSUPPORTED_VERSION' && !this.welcomed) return this.refuseVersion(bytes, frame.error.requestId ?? 0);
    if (!frame.ok) return this.fail(frame.error.requestId ?? 0, frame.error.code, frame.error.message, !this.welcomed);
    const parsed = parseMessage(frame.value);
    if (!parsed.ok) return this.fail(frame.value.requestId, parsed.error.code, parsed.error.message, !this.welcomed);
    const msg = parsed.value;
    const id = frame.value.requestId;
    if (!this.welcomed && msg.type !== MessageType.Hello) return this.fail(id, 'BAD_FRAME', 'the first message must be HELLO', true);
    switch (msg.type) {
      case MessageType.Hello: {
        const common = msg.meta.versions.filter((v) => SUPPORTED_VERSIONS.includes(v));
        if (common.length === 0) return this.fail(id, 'UNSUPPORTED_VERSION', `the agent speaks protocol ${SUPPORTED_VERSIONS.join(', ')}, the client ${msg.meta.versions.join(', ')}; update the extension or the agent image`, true);
        if (msg.meta.afterSync) this.hook = msg.meta.afterSync;
        this.welcomed = true;
        const { syncRoot, agentVersion, instanceId, maxFileBytes } = this.ctx;
        const rootId = this.ctx.tree.ledger.rootId;
        return this.send({ type: MessageType.Welcome, meta: { version: Math.max(...common), agentVersion, syncRoot, instanceId, rootId, maxFileBytes, hook: this.hook !== undefined } }, id);
      }
      case MessageType.ManifestRequest: {
        const { tree } = this.ctx;
        const scan = await scanTree(new NodeTreeFs(tree.root), { spec: msg.meta.ignore, discoverGitignores: false, cache: this.ctx.cache, skipName: (n) => TEMP_NAME.test(n) });
        const written = [...tree.ledger.entries()].filter(([p]) => !scan.rules.isIgnored(p));
        const made = [...tree.ledger.madeDirs()].filter((d) => !scan.rules.isIgnored(d, true));
        const { payload, compressed } = deflateIfWorthIt(encodeManifest({ files: scan.manifest.values(), dirs: scan.dirs, written, made }));
        return this.send({ type: MessageType.Manifest, meta: { count: scan.manifest.size } }, id, payload, compressed ? FrameFlags.Compressed : 0);
      }
      case MessageType.Batch:
        return this.batch(id, msg.meta.ops, frame.value.payload, (frame.value.flags & FrameFlags.Compressed) !== 0);
      case MessageType.RunHook:
        // Outside the frame queue: a slow restart must not hold up the next save's batch.
        void this.ctx.hooks.run(this.hook).then(
          (meta) => this.send({ type: MessageType.HookResult, meta }, id),
          (e: unknown) => this.fail(id, 'HOOK_FAILED', e instanceof Error ? e.message : String(e)),
        );
        return;
      default:
        return this.fail(id, 'BAD_FRAME', `the agent does not accept ${MessageType[msg.type]} messages`);
    }
  }

  private async batch(id: number, ops: readonly BatchOp[], raw: Uint8Array, compressed: boolean): Promise<void> {
    const started = performance.now();
    const expected = ops.reduce((n, op) => n + (op.op === 'write' ? op.size : 0), 0);
    let payload = raw;
    try {
      if (compressed) payload = await inflate(raw, Math.max(1, expected));
    } catch {
      return this.fail(id, 'BAD_FRAME', 'batch payload does not inflate to the announced size');
    }
    if (payload.length !== expected) return this.fail(id, 'BAD_FRAME', `batch payload is ${payload.length} bytes, its writes announce ${expected}`);
    // Applied strictly in order, synchronously (see SafeTree), yielding to the event loop every
    // few milliseconds so pings and other frames are answered; the verified-directory cache lives
    // for this batch only. A write that lost a race on creating a parent directory is retried once.
    const results: OpResult[] = [];
    let offset = 0;
    let slice = performance.now();
    this.ctx.tree.beginBatch(ops);
    try {
      for (const op of ops) {
        if (performance.now() - slice > APPLY_SLICE_MS) {
          await new Promise<void>((resolve) => setImmediate(resolve));
          slice = performance.now();
        }
        let data: Uint8Array | undefined;
        if (op.op === 'write') {
          data = payload.subarray(offset, offset + op.size);
          offset += op.size;
        }
        let r = this.apply(op, data);
        if (!r.ok && r.code === 'IO_ERROR') r = this.apply(op, data);
        results.push(r);
      }
    } finally {
      this.ctx.tree.endBatch();
    }
    this.send({ type: MessageType.Ack, meta: { results, durationMs: Math.round((performance.now() - started) * 1000) / 1000 } }, id);
  }

  private apply(op: BatchOp, data: Uint8Array | undefined): OpResult {
    try {
      switch (op.op) {
        case 'write': {
          if (op.size > this.ctx.maxFileBytes) throw new AgentError('TOO_LARGE', `${op.path} is ${op.size} bytes, over the agent's ${this.ctx.maxFileBytes}-byte limit`, op.path);
          this.ctx.cache.delete(op.path);
          return { path: op.path, ok: true, hash: this.ctx.tree.writeSync(op.path, data ?? new Uint8Array(0), op.mode, op.hash) };
        }
        case 'delete':
          this.ctx.cache.delete(op.path);
          this.ctx.tree.removeSync(op.path);
          return { path: op.path, ok: true };
        case 'rename':
          this.ctx.cache.delete(op.from);
          this.ctx.cache.delete(op.path);
          return { path: op.path, ok: true, hash: this.ctx.tree.renameSync(op.from, op.path, op.hash) };
        case 'mkdir':
          this.ctx.tree.mkdirSync(op.path);
          return { path: op.path, ok: true };
        case 'rmdir':
          this.ctx.tree.rmdirSync(op.path);
          return { path: op.path, ok: true };
      }
    } catch (e) {
      const se = e instanceof AgentError ? e : new AgentError('INTERNAL', e instanceof Error ? e.message : String(e));
      if (se.code !== 'HASH_MISMATCH' && se.code !== 'NOT_FOUND' && se.code !== 'NOT_EMPTY') this.ctx.log(`${op.op} ${op.path}: ${se.code} ${se.message}`);
      return { path: op.path, ok: false, code: se.code, message: se.message };
    }
  }
}
