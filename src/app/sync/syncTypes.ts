import { type BackoffOptions } from '../../core/base/backoff';
import { type SyncState } from '../../core/sync/syncState';
import { type AgentLink } from '../fork/agentLink';
import { type HookConfig, type WelcomeMeta } from '../../core/agent/messages';
import { type ReconnectCause } from '../../core/agent/reconnect';
import { type Transport } from '../../core/agent/transport';
import { type ILogger } from '../../core/base/logger';

/** The SyncEngine's options and the shapes of its events. */

export type { SyncState };

export interface SyncEngineOptions {
  /**
   * The fork's shared agent link (one connection for sync and telemetry); or a transport, and the
   * engine makes a link of its own (tests, benches, the CLI).
   */
  readonly link?: AgentLink;
  readonly transport?: Transport;
  /** The local folder that mirrors the container's sync root. Only ever read. */
  readonly localRoot: string;
  /** Extra ignore patterns (settings), on top of .gitignore files and .sliceignore. */
  readonly ignorePatterns?: readonly string[];
  /** Client-side per-file cap; the effective cap is the smaller of this and the agent's. */
  readonly maxFileBytes?: number;
  /** Quiet time that coalesces a burst of changes (default 8 ms). */
  readonly debounceMs?: number;
  readonly maxBatchBytes?: number;
  readonly maxBatchOps?: number;
  /** Back-pressure: unacknowledged batches / bytes in flight. */
  readonly windowBatches?: number;
  readonly windowBytes?: number;
  /** The backoff of the engine's own link (only with `transport`). */
  readonly backoff?: BackoffOptions;
  /** Run the agent's after-sync action after every sync that changed something. */
  readonly runAfterSync?: boolean;
  /** Overrides the agent's SLICE_AFTER_SYNC_CMD for this session (only with `transport`: a shared link says its own HELLO). */
  readonly afterSyncCommand?: HookConfig;
  readonly requestTimeoutMs?: number;
  readonly clientName?: string;
  readonly logger?: ILogger;
  /** How the log names this sync (default "sync"), e.g. "sync web". */
  readonly label?: string;
}

/** One completed round: a reconcile (connect, reset) or a set of local changes. */
export interface SyncReport {
  readonly kind: 'reconcile' | 'reset' | 'changes';
  readonly written: number;
  readonly deleted: number;
  readonly renamed: number;
  readonly failed: number;
  readonly payloadBytes: number;
  readonly wireBytes: number;
  readonly durationMs: number;
  /**
   * Where the time went, in ms: scan (local stats), manifest (the agent's scan + the round trip),
   * hash (local hashing for comparisons), plan, read (local reads+hashes while sending),
   * windowWait (back-pressure), agentApply (the agent's own apply time, summed over batches),
   * send (from the first batch read to the last acknowledgement).
   */
  readonly phases: Readonly<Record<string, number>>;
}

/** A connection made: the agent's WELCOME, and why the previous connection (if any) ended. */
export interface ConnectedInfo extends WelcomeMeta {
  /** The agent process is not the one of the previous connection. */
  readonly restarted: boolean;
  readonly cause: ReconnectCause;
  /** Time since the previous connection ended (0 for the first). */
  readonly downMs: number;
  /** Why the previous connection ended and what happens now, in words. */
  readonly description: string;
  /** What the previous connection said when it ended. */
  readonly lastReason?: string;
  /** The previous WELCOME. */
  readonly previous?: WelcomeMeta;
}

/** A connection attempt or a connection ended; the engine tries again in `retryInMs`. */
export interface DisconnectedInfo {
  readonly reason: string;
  /** True when a connection had been made (false: connecting failed). */
  readonly wasConnected: boolean;
  /** Undefined: the link ended (its lifetime ended or the slice is gone); no retry. */
  readonly retryInMs: number | undefined;
}
