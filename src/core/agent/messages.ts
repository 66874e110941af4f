import { type Result, err, ok } from '../base/result';
import { type AgentErrorCode, isAgentErrorCode } from './errors';
import { type Frame, type FrameProblem, MessageType, encodeFrame } from './protocol';
import { type IgnoreSpec } from '../sync/ignoreRules';

/** The after-sync action: an argv run without a shell, with a timeout. File names never reach it. */
export interface HookConfig {
  readonly argv: readonly string[];
  readonly timeoutMs?: number;
}

export interface HelloMeta {
  /** Protocol versions the client speaks; the agent picks the highest it shares. */
  readonly versions: readonly number[];
  readonly client: string;
  /** Overrides the agent's SLICE_AFTER_SYNC_CMD for this session. */
  readonly afterSync?: HookConfig;
}

export interface WelcomeMeta {
  readonly version: number;
  readonly agentVersion: string;
  readonly syncRoot: string;
  /** Random per agent process: a new value after reconnecting means the agent restarted. */
  readonly instanceId: string;
  /**
   * Random per sync root (kept in the agent's state directory, which lives as long as the pod's
   * sync folder): a new value means a fresh copy of the image — the pod was replaced.
   */
  readonly rootId: string;
  readonly maxFileBytes: number;
  /** True when an after-sync action is configured. */
  readonly hook: boolean;
}

export interface ErrorMeta {
  readonly code: AgentErrorCode;
  readonly message: string;
  readonly path?: string;
}

export interface ManifestRequestMeta {
  readonly ignore: IgnoreSpec;
}

/** The container's files, directories and the agent's record travel in the payload (see manifestPayload.ts); `count` is the number of files. */
export interface ManifestMeta {
  readonly count: number;
}

/**
 * Operations of a batch. A write's bytes are the next `size` bytes of the (decompressed) payload.
 * mkdir makes a directory (and its parents; a file or link in the way is replaced); rmdir removes
 * a directory only when it is empty (NOT_EMPTY otherwise: what is left is not the sync's).
 */
export type BatchOp =
  | { readonly op: 'write'; readonly path: string; readonly size: number; readonly hash: string; readonly mode?: number }
  | { readonly op: 'delete'; readonly path: string }
  | { readonly op: 'rename'; readonly from: string; readonly path: string; readonly hash: string }
  | { readonly op: 'mkdir'; readonly path: string }
  | { readonly op: 'rmdir'; readonly path: string };

export interface BatchMeta {
  readonly ops: readonly BatchOp[];
}

/** One result per op, in order. A successful write or rename carries the hash now on disk. */
export type OpResult =
  | { readonly path: string; readonly ok: true; readonly hash?: string }
  | { readonly path: string; readonly ok: false; readonly code: AgentErrorCode; readonly message: string };

export interface AckMeta {
  readonly results: readonly OpResult[];
  readonly durationMs: number;
}

export interface HookResultMeta {
  readonly ran: boolean;
  readonly exitCode: number | null;
  readonly signal: string | null;
  readonly timedOut: boolean;
  readonly durationMs: number;
  /** The last few KiB of stdout+stderr. */
  readonly outputTail: string;
  readonly error?: string;
}

/**
 * Relay every payload the agent received after `since` (0: everything it still holds), then new ones as they come.
 * `stream: 'metrics'` subscribes to the metrics stream instead: OTLP metrics are held in a ring of
 * their own with its own sequence numbers (a client that never asks for them never gets them), and
 * on one socket each stream has its own cursor.
 */
export interface TelemetrySubscribeMeta {
  readonly since: number;
  readonly stream?: 'metrics';
}

/** The ring's bounds when the subscription started. */
export interface TelemetrySubscribedMeta {
  /** The oldest sequence number still held (0 when the ring is empty). */
  readonly first: number;
  /** The newest sequence number received so far (0 when none yet). */
  readonly last: number;
  /** Payloads after `since` that the ring no longer holds: they are lost to this client. */
  readonly dropped: number;
}

export type TelemetryKind = 'traces' | 'logs' | 'metrics';
export type TelemetryEncoding = 'json' | 'protobuf';

/** One OTLP export request body (decompressed by the agent; deflated again on the wire when large). */
export interface TelemetryPayloadMeta {
  readonly seq: number;
  readonly kind: TelemetryKind;
  readonly encoding: TelemetryEncoding;
  /** When the agent received it (ms since the epoch). */
  readonly receivedMs: number;
  /** Payloads between the previous one sent to this client and this one that were dropped (ring overflow). */
  readonly dropped: number;
}

export type Message =
  | { readonly type: MessageType.Hello; readonly meta: HelloMeta }
  | { readonly type: MessageType.Welcome; readonly meta: WelcomeMeta }
  | { readonly type: MessageType.Error; readonly meta: ErrorMeta }
  | { readonly type: MessageType.ManifestRequest; readonly meta: ManifestRequestMeta }
  | { readonly type: MessageType.Manifest; readonly meta: ManifestMeta }
  | { readonly type: MessageType.Batch; readonly meta: BatchMeta }
  | { readonly type: MessageType.Ack; readonly meta: AckMeta }
  | { readonly type: MessageType.RunHook; readonly meta: Record<string, never> }
  | { readonly type: MessageType.HookResult; readonly meta: HookResultMeta }
  | { readonly type: MessageType.TelemetrySubscribe; readonly meta: TelemetrySubscribeMeta }
  | { readonly type: MessageType.TelemetrySubscribed; readonly meta: TelemetrySubscribedMeta }
  | { readonly type: MessageType.TelemetryPayload; readonly meta: TelemetryPayloadMeta };

type Obj = Readonly<Record<string, unknown>>;
class Invalid extends Error {}

const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
function str(o: Obj, k: string): string {
  const v = o[k];
  if (typeof v !== 'string') throw new Invalid(`${k} must be a string`);
  return v;
}
function num(o: Obj, k: string): number {
  const v = o[k];
  if (typeof v !== 'number' || !Number.isFinite(v)) throw new Invalid(`${k} must be a number`);
  return v;
}
function optNum(o: Obj, k: string): number | undefined {
  return o[k] === undefined ? undefined : num(o, k);
}
function arr(o: Obj, k: string): readonly unknown[] {
  const v = o[k];
  if (!Array.isArray(v)) throw new Invalid(`${k} must be an array`);
  return v;
}
function strings(v: readonly unknown[], what: string): string[] {
  return v.map((s) => {
    if (typeof s !== 'string') throw new Invalid(`${what} must hold strings`);
    return s;
  });
}
function obj(v: unknown, what: string): Obj {
  if (!isObj(v)) throw new Invalid(`${what} must be an object`);
  return v;
}

function count(o: Obj, k: string): number {
  const v = num(o, k);
  if (v < 0 || !Number.isSafeInteger(v)) throw new Invalid(`${k} must be a non-negative integer`);
  return v;
}

function hook(v: unknown): HookConfig | undefined {
  if (v === undefined) return undefined;
  const o = obj(v, 'afterSync');
  const argv = strings(arr(o, 'argv'), 'afterSync.argv');
  if (argv.length === 0) throw new Invalid('afterSync.argv is empty');
  const timeoutMs = optNum(o, 'timeoutMs');
  return timeoutMs === undefined ? { argv } : { argv, timeoutMs };
}

function ignoreSpec(v: unknown): IgnoreSpec {
  const o = obj(v, 'ignore');
  const patterns = strings(arr(o, 'patterns'), 'ignore.patterns');
  const gitignores = arr(o, 'gitignores').map((g) => {
    const go = obj(g, 'ignore.gitignores[]');
    return { dir: str(go, 'dir'), content: str(go, 'content') };
  });
  return { patterns, gitignores };
}

function batchOp(v: unknown): BatchOp {
  const o = obj(v, 'op');
  switch (o.op) {
    case 'write': {
      const mode = optNum(o, 'mode');
      const base = { op: 'write' as const, path: str(o, 'path'), size: num(o, 'size'), hash: str(o, 'hash') };
      if (base.size < 0 || !Number.isInteger(base.size)) throw new Invalid('write.size must be a non-negative integer');
      return mode === undefined ? base : { ...base, mode };
    }
    case 'delete':
      return { op: 'delete', path: str(o, 'path') };
    case 'rename':
      return { op: 'rename', from: str(o, 'from'), path: str(o, 'path'), hash: str(o, 'hash') };
    case 'mkdir':
    case 'rmdir':
      return { op: o.op, path: str(o, 'path') };
    default:
      throw new Invalid(`unknown op ${JSON.stringify(o.op)}`);
  }
}

function opResult(v: unknown): OpResult {
  const o = obj(v, 'result');
  const path = str(o, 'path');
  if (o.ok === true) return o.hash === undefined ? { path, ok: true } : { path, ok: true, hash: str(o, 'hash') };
  const code = o.code;
  return { path, ok: false, code: isAgentErrorCode(code) ? code : 'INTERNAL', message: str(o, 'message') };
}

function parse(type: MessageType, m: Obj): Message {
  switch (type) {
    case MessageType.Hello: {
      const afterSync = hook(m.afterSync);
      const base = { versions: arr(m, 'versions').map((v) => (typeof v === 'number' ? v : -1)), client: str(m, 'client') };
      return { type, meta: afterSync ? { ...base, afterSync } : base };
    }
    case MessageType.Welcome:
      return { type, meta: { version: num(m, 'version'), agentVersion: str(m, 'agentVersion'), syncRoot: str(m, 'syncRoot'), instanceId: str(m, 'instanceId'), rootId: str(m, 'rootId'), maxFileBytes: num(m, 'maxFileBytes'), hook: m.hook === true } };
    case MessageType.Error: {
      const code = isAgentErrorCode(m.code) ? m.code : 'INTERNAL';
      return { type, meta: typeof m.path === 'string' ? { code, message: str(m, 'message'), path: m.path } : { code, message: str(m, 'message') } };
    }
    case MessageType.ManifestRequest:
      return { type, meta: { ignore: ignoreSpec(m.ignore) } };
    case MessageType.Manifest:
      return { type, meta: { count: num(m, 'count') } };
    case MessageType.Batch:
      return { type, meta: { ops: arr(m, 'ops').map(batchOp) } };
    case MessageType.Ack:
      return { type, meta: { results: arr(m, 'results').map(opResult), durationMs: num(m, 'durationMs') } };
    case MessageType.RunHook:
      return { type, meta: {} };
    case MessageType.HookResult: {
      const exitCode = m.exitCode === null ? null : num(m, 'exitCode');
      const signal = typeof m.signal === 'string' ? m.signal : null;
      const base = { ran: m.ran === true, exitCode, signal, timedOut: m.timedOut === true, durationMs: num(m, 'durationMs'), outputTail: str(m, 'outputTail') };
      return { type, meta: typeof m.error === 'string' ? { ...base, error: m.error } : base };
    }
    case MessageType.TelemetrySubscribe: {
      if (m.stream !== undefined && m.stream !== 'metrics') throw new Invalid('stream must be "metrics" when given');
      return { type, meta: m.stream === 'metrics' ? { since: count(m, 'since'), stream: 'metrics' } : { since: count(m, 'since') } };
    }
    case MessageType.TelemetrySubscribed:
      return { type, meta: { first: count(m, 'first'), last: count(m, 'last'), dropped: count(m, 'dropped') } };
    case MessageType.TelemetryPayload: {
      const kind = m.kind;
      const encoding = m.encoding;
      if (kind !== 'traces' && kind !== 'logs' && kind !== 'metrics') throw new Invalid('kind must be "traces", "logs" or "metrics"');
      if (encoding !== 'json' && encoding !== 'protobuf') throw new Invalid('encoding must be "json" or "protobuf"');
      return { type, meta: { seq: count(m, 'seq'), kind, encoding, receivedMs: num(m, 'receivedMs'), dropped: count(m, 'dropped') } };
    }
  }
}

/** Validates a decoded frame's metadata against its message type. */
export function parseMessage(frame: Frame): Result<Message, FrameProblem> {
  try {
    return ok(parse(frame.type, frame.meta));
  } catch (e) {
    if (e instanceof Invalid) return err({ code: 'BAD_FRAME', message: `malformed ${MessageType[frame.type]} message: ${e.message}`, requestId: frame.requestId });
    throw e;
  }
}

/** Encodes a typed message as a frame. */
export function encodeMessage(msg: Message, requestId: number, payload?: Uint8Array, flags = 0): Uint8Array {
  return encodeFrame({ type: msg.type, requestId, meta: msg.meta as unknown as Readonly<Record<string, unknown>>, flags, payload });
}
