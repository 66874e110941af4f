/**
 * The error codes of the agent protocol (sync and telemetry). The agent sends them in ERROR frames and per-operation
 * acknowledgements; the client raises them as AgentError. Each has a fixed meaning:
 */
export const AGENT_ERROR_CODES = [
  /** The path is syntactically unacceptable: absolute, `..`, NUL, empty, backslashes, too long. */
  'PATH_INVALID',
  /** The path is well formed but resolves outside the sync root (through a symlink). */
  'PATH_OUTSIDE_ROOT',
  /** A file is larger than the per-file cap, or a frame larger than the frame cap. */
  'TOO_LARGE',
  /** The file system refused (permissions, disk full, …). */
  'IO_ERROR',
  /** The peer speaks no protocol version this side understands. */
  'UNSUPPORTED_VERSION',
  /** A frame or message could not be decoded. */
  'BAD_FRAME',
  /** The content received does not hash to what the sender announced. */
  'HASH_MISMATCH',
  /** A rename's source does not exist. */
  'NOT_FOUND',
  /** An rmdir found the directory not empty: what is left there is not the sync's (ignored files, the app's). */
  'NOT_EMPTY',
  /** The transport closed or timed out before an answer came. */
  'DISCONNECTED',
  /** The after-sync command failed to start or is not configured. */
  'HOOK_FAILED',
  /** Anything else. */
  'INTERNAL',
] as const;

export type AgentErrorCode = (typeof AGENT_ERROR_CODES)[number];

export function isAgentErrorCode(v: unknown): v is AgentErrorCode {
  return typeof v === 'string' && (AGENT_ERROR_CODES as readonly string[]).includes(v);
}

/** A failure with a protocol error code and a message fit for a person. */
export class AgentError extends Error {
  override readonly name = 'AgentError';
  constructor(
    readonly code: AgentErrorCode,
    message: string,
    /** The path the failure concerns, if any (relative to the sync root, '/'-separated). */
    readonly path?: string,
  ) {
    super(message);
  }
}

/** Why the transport could not reach the agent, for the editor to say what to do. */
export type ReachFailure = 'noReadyPod' | 'forbidden' | 'tokenMissing' | 'tokenRefused' | 'unreachable';

/** The agent could not be reached through the port-forward (raised by src/platform/agent-link; the editor says what to do by its reason). */
export class PortForwardError extends AgentError {
  constructor(
    readonly reason: ReachFailure,
    message: string,
    /** The HTTP status of a namespace-level failure (the fork's pods, its token, the tunnel), for the reconnect policy's "slice gone" rule. */
    readonly status?: number,
  ) {
    super('DISCONNECTED', message);
  }
}
