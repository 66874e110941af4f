import { type Result, err, ok } from '../base/result';
import { type AgentErrorCode } from './errors';

/**
 * Frame layout of the agent protocol (sync and telemetry on one connection), carried one frame per binary WebSocket message. All integers
 * are big-endian. The metadata is UTF-8 JSON (an object); the payload is raw bytes (file contents),
 * deflate-raw compressed when the COMPRESSED flag is set — compression itself happens at the edges
 * (node:zlib); the core only carries the flag.
 *
 *   offset size field
 *   0      3    magic "SLC"
 *   3      1    protocol version (PROTOCOL_VERSION)
 *   4      1    message type (MessageType)
 *   5      1    flags (FrameFlags)
 *   6      2    reserved, 0
 *   8      4    request id (0 = unsolicited)
 *   12     4    metadata length in bytes
 *   16     4    payload length in bytes
 *   20     …    metadata JSON, then payload
 */
/**
 * Version history: 1 — the first release; 2 — MANIFEST entries carry their provenance, so a
 * client knows which container files the sync put there; 3 — the MANIFEST carries the container's
 * directories and the agent's record of what the sync wrote (by hash, deletes included, kept
 * across agent restarts), batches mkdir and rmdir, WELCOME the sync root's id (docs/agent-protocol.md).
 * An agent answers a HELLO of another version with an ERROR in that version's framing, saying
 * which side to update.
 */
export const PROTOCOL_VERSION = 3;
export const SUPPORTED_VERSIONS: readonly number[] = [PROTOCOL_VERSION];
export const FRAME_HEADER_BYTES = 20;
export const MAX_META_BYTES = 16 * 1024 * 1024;
const MAGIC = [0x53, 0x4c, 0x43] as const;

export enum MessageType {
  Hello = 1,
  Welcome = 2,
  Error = 3,
  ManifestRequest = 4,
  Manifest = 5,
  Batch = 6,
  Ack = 7,
  RunHook = 8,
  HookResult = 9,
  /** Client → agent: relay received telemetry after a sequence number (issue 6). */
  TelemetrySubscribe = 10,
  /** Agent → client: the answer to TelemetrySubscribe, with the ring's bounds. */
  TelemetrySubscribed = 11,
  /** Agent → client, unsolicited (request id 0): one received OTLP payload. */
  TelemetryPayload = 12,
}

export const FrameFlags = {
  None: 0,
  /** The payload is deflate-raw compressed. */
  Compressed: 1,
} as const;
const KNOWN_FLAGS = FrameFlags.Compressed;

export interface Frame {
  readonly version: number;
  readonly type: MessageType;
  readonly flags: number;
  readonly requestId: number;
  readonly meta: Readonly<Record<string, unknown>>;
  readonly payload: Uint8Array;
}

export interface FrameProblem {
  readonly code: AgentErrorCode;
  readonly message: string;
  /** The request id, when the header was readable far enough to find it. */
  readonly requestId?: number;
}

const encoder = new TextEncoder();
const decoder = new TextDecoder('utf-8', { fatal: true });

export function encodeFrame(frame: Omit<Frame, 'version' | 'flags' | 'payload'> & { flags?: number; payload?: Uint8Array; version?: number }): Uint8Array {
  const meta = encoder.encode(JSON.stringify(frame.meta));
  const payload = frame.payload ?? new Uint8Array(0);
  const out = new Uint8Array(FRAME_HEADER_BYTES + meta.length + payload.length);
  const view = new DataView(out.buffer);
  out.set(MAGIC, 0);
  view.setUint8(3, frame.version ?? PROTOCOL_VERSION);
  view.setUint8(4, frame.type);
  view.setUint8(5, frame.flags ?? 0);
  view.setUint16(6, 0);
  view.setUint32(8, frame.requestId >>> 0);
  view.setUint32(12, meta.length);
  view.setUint32(16, payload.length);
  out.set(meta, FRAME_HEADER_BYTES);
  out.set(payload, FRAME_HEADER_BYTES + meta.length);
  return out;
}

/** Decodes one frame; any defect (truncation, garbage, unknown version/type/flags) is a FrameProblem, never a throw. */
export function decodeFrame(bytes: Uint8Array): Result<Frame, FrameProblem> {
  if (bytes.length < FRAME_HEADER_BYTES) return err({ code: 'BAD_FRAME', message: `frame of ${bytes.length} bytes is shorter than its ${FRAME_HEADER_BYTES}-byte header` });
  if (bytes[0] !== MAGIC[0] || bytes[1] !== MAGIC[1] || bytes[2] !== MAGIC[2]) return err({ code: 'BAD_FRAME', message: 'not a Slice agent frame (bad magic)' });
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const version = view.getUint8(3);
  const requestId = view.getUint32(8);
  if (!SUPPORTED_VERSIONS.includes(version)) {
    return err({ code: 'UNSUPPORTED_VERSION', message: `protocol version ${version} is not supported (this side speaks ${SUPPORTED_VERSIONS.join(', ')})`, requestId });
  }
  const type = view.getUint8(4);
  if (!(type in MessageType) || typeof MessageType[type] !== 'string') return err({ code: 'BAD_FRAME', message: `unknown message type ${type}`, requestId });
  const flags = view.getUint8(5);
  if ((flags & ~KNOWN_FLAGS) !== 0) return err({ code: 'BAD_FRAME', message: `unknown flags 0x${flags.toString(16)}`, requestId });
  if (view.getUint16(6) !== 0) return err({ code: 'BAD_FRAME', message: 'reserved header bits are set', requestId });
  const metaLength = view.getUint32(12);
  const payloadLength = view.getUint32(16);
  if (metaLength > MAX_META_BYTES) return err({ code: 'TOO_LARGE', message: `frame metadata of ${metaLength} bytes exceeds ${MAX_META_BYTES}`, requestId });
  const expected = FRAME_HEADER_BYTES + metaLength + payloadLength;
  if (bytes.length !== expected) {
    return err({ code: 'BAD_FRAME', message: `frame is ${bytes.length} bytes but its header announces ${expected} (truncated or padded)`, requestId });
  }
  let meta: unknown;
  try {
    meta = JSON.parse(decoder.decode(bytes.subarray(FRAME_HEADER_BYTES, FRAME_HEADER_BYTES + metaLength)));
  } catch {
    return err({ code: 'BAD_FRAME', message: 'frame metadata is not UTF-8 JSON', requestId });
  }
  if (typeof meta !== 'object' || meta === null || Array.isArray(meta)) return err({ code: 'BAD_FRAME', message: 'frame metadata is not a JSON object', requestId });
  return ok({
    version,
    type: type,
    flags,
    requestId,
    meta: meta as Record<string, unknown>,
    payload: bytes.subarray(FRAME_HEADER_BYTES + metaLength),
  });
}
