import { deflateRaw } from 'node:zlib';
import { AgentError } from '../../core/agent/errors';
import { type BatchOp, type OpResult } from '../../core/agent/messages';
import { type ManifestEntry } from '../../core/sync/manifest';
import { type PlanOp } from '../../core/sync/planner';
import { type FlowWindow } from '../../core/sync/flowWindow';
import { FrameFlags, MessageType } from '../../core/agent/protocol';
import { type HashCache } from '../../core/sync/scanner';
import { type AgentConnection, type Reply } from './agentConnection';
import { type LocalTreeFs } from './localTreeFs';

const COMPRESS_THRESHOLD = 16 * 1024;
/** Reading files blocks the event loop for at most about this long before yielding. */
const READ_SLICE_MS = 8;

export interface ExecutorOptions {
  readonly maxBatchBytes: number;
  readonly maxBatchOps: number;
  readonly window: FlowWindow;
  /** Remembers the hashes computed while reading, so the next scan is stats only. */
  readonly cache?: HashCache;
}

/** What happened to one planned op: the entry now in the container (writes/renames) or the failure. */
export interface OpOutcome {
  readonly op: PlanOp;
  readonly result: OpResult;
  /** For a write: what was actually sent (the file as read at send time). */
  readonly sent?: ManifestEntry;
  /** The file vanished locally between planning and sending. */
  readonly vanished?: boolean;
}

export interface ExecutionReport {
  readonly payloadBytes: number;
  readonly wireBytes: number;
  readonly batches: number;
  /** Where the time went (ms): reading+hashing local files, waiting for the flow window, the agent applying batches (its own measure). */
  readonly timings: { readonly readMs: number; readonly windowWaitMs: number; readonly agentApplyMs: number };
}

interface PendingBatch {
  readonly ops: BatchOp[];
  readonly plan: PlanOp[];
  readonly sent: (ManifestEntry | undefined)[];
  readonly chunks: Uint8Array[];
  bytes: number;
}

/**
 * Sends a plan as a pipelined stream of batches: file bytes read at send time (hashed as read) in
 * short synchronous slices, batches bounded in ops and bytes, large payloads deflated on the
 * thread pool while the next batch is read, batches sent strictly in plan order, at most a window
 * of unacknowledged batches in flight. Calls `onOutcome` for every op as its batch's
 * acknowledgement arrives, in order.
 */
export async function executePlan(conn: AgentConnection, fs: LocalTreeFs, plan: readonly PlanOp[], options: ExecutorOptions, onOutcome: (o: OpOutcome) => void): Promise<ExecutionReport> {
  const inFlight = new Set<Promise<void>>();
  let firstError: Error | undefined;
  let payloadBytes = 0;
  let wireBytes = 0;
  let batches = 0;
  let nextId = 0;
  let readMs = 0;
  let windowWaitMs = 0;
  let agentApplyMs = 0;
  let batch = emptyBatch();
  /** Settles once the previous batch is on the wire: frames leave in plan order. */
  let sendOrder: Promise<unknown> = Promise.resolve();

  const send = async (b: PendingBatch) => {
    if (b.ops.length === 0) return;
    const id = nextId++;
    const waitStart = performance.now();
    while (!options.window.canSend(b.bytes) && inFlight.size > 0) await Promise.race(inFlight);
    windowWaitMs += performance.now() - waitStart;
    if (firstError) throw firstError;
    const raw = concat(b.chunks, b.bytes);
    const packed = raw.length >= COMPRESS_THRESHOLD ? deflateIfSmaller(raw) : Promise.resolve({ payload: raw, flags: 0 });
    payloadBytes += raw.length;
    batches++;
    options.window.sent(id, b.bytes);
    const sent = sendOrder.then(async () => {
      const { payload, flags } = await packed;
      wireBytes += payload.length;
      // Wrapped so the acknowledgement is not awaited here: the next batch may go out before it.
      return { ack: conn.request({ type: MessageType.Batch, meta: { ops: b.ops } }, payload, flags) };
    });
    sendOrder = sent.catch(() => undefined);
    const p = sent
      .then(({ ack }) => ack)
      .then((reply: Reply) => {
        if (reply.msg.type !== MessageType.Ack || reply.msg.meta.results.length !== b.ops.length) throw new AgentError('BAD_FRAME', 'the agent answered a batch with something other than a matching ACK');
        agentApplyMs += reply.msg.meta.durationMs;
        reply.msg.meta.results.forEach((result, i) => {
          const op = b.plan[i];
          const sentEntry = b.sent[i];
          if (op) onOutcome(sentEntry ? { op, result, sent: sentEntry } : { op, result });
        });
      })
      .catch((e: unknown) => {
        firstError ??= e instanceof Error ? e : new Error(String(e));
      })
      .finally(() => {
        options.window.acked(id);
        inFlight.delete(p);
      });
    inFlight.add(p);
  };

  let slice = performance.now();
  for (const op of plan) {
    if (firstError) break;
    if (performance.now() - slice > READ_SLICE_MS) {
      await new Promise<void>((resolve) => setImmediate(resolve));
      slice = performance.now();
    }
    if (op.kind === 'write') {
      const readStart = performance.now();
      const file = fs.readSync(op.entry.path);
      readMs += performance.now() - readStart;
      if (!file) {
        onOutcome({ op, result: { path: op.entry.path, ok: false, code: 'NOT_FOUND', message: `${op.entry.path} vanished before it could be sent` }, vanished: true });
        continue;
      }
      if (file.mtimeMs >= 0) options.cache?.set(op.entry.path, { size: file.size, mtimeMs: file.mtimeMs, ino: file.ino }, file.hash);
      const sent: ManifestEntry = file.mode === undefined ? { path: op.entry.path, size: file.size, hash: file.hash } : { path: op.entry.path, size: file.size, mode: file.mode, hash: file.hash };
      if (batch.ops.length > 0 && batch.bytes + file.data.length > options.maxBatchBytes) {
        await send(batch);
        batch = emptyBatch();
      }
      batch.ops.push(file.mode === undefined ? { op: 'write', path: sent.path, size: sent.size, hash: sent.hash } : { op: 'write', path: sent.path, size: sent.size, hash: sent.hash, mode: file.mode });
      batch.plan.push(op);
      batch.sent.push(sent);
      batch.chunks.push(file.data);
      batch.bytes += file.data.length;
    } else {
      batch.ops.push(op.kind === 'rename' ? { op: 'rename', from: op.from, path: op.entry.path, hash: op.entry.hash } : { op: op.kind, path: op.path });
      batch.plan.push(op);
      batch.sent.push(undefined);
    }
    if (batch.ops.length >= options.maxBatchOps) {
      await send(batch);
      batch = emptyBatch();
    }
  }
  if (!firstError) await send(batch);
  while (inFlight.size > 0) await Promise.all(inFlight);
  if (firstError) throw firstError;
  return { payloadBytes, wireBytes, batches, timings: { readMs, windowWaitMs, agentApplyMs } };
}

/** Deflates on the thread pool; keeps the raw bytes when deflate saves less than 10%. */
function deflateIfSmaller(raw: Uint8Array): Promise<{ payload: Uint8Array; flags: number }> {
  return new Promise((resolve) =>
    deflateRaw(raw, { level: 1 }, (e, packed) => resolve(!e && packed.length < raw.length * 0.9 ? { payload: packed, flags: FrameFlags.Compressed } : { payload: raw, flags: 0 })),
  );
}

function emptyBatch(): PendingBatch {
  return { ops: [], plan: [], sent: [], chunks: [], bytes: 0 };
}

function concat(chunks: readonly Uint8Array[], total: number): Uint8Array {
  if (chunks.length === 1 && chunks[0]) return chunks[0];
  const out = new Uint8Array(total);
  let o = 0;
  for (const c of chunks) {
    out.set(c, o);
    o += c.length;
  }
  return out;
}
