import { type ILogger } from '../../core/base/logger';
import { type WelcomeMeta } from '../../core/agent/messages';
import { type AgentIdentity, describeDisconnect, describeReconnect, reconnectCause } from '../../core/agent/reconnect';
import { type LinkLoss } from '../fork/agentLink';
import { type ConnectedInfo, type DisconnectedInfo } from './syncTypes';

/**
 * What a sync engine tells of its connection to the agent: each return (which agent, why it came
 * back, how long it was down) and each drop, in words, said once per change: a pod that takes a
 * while to come back is one log line, not one per retry.
 */
export class ConnectionStory {
  private identity: AgentIdentity | undefined;
  private lastWarning: string | undefined;
  private downSince: number | undefined;
  private lastReason: string | undefined;

  constructor(
    private readonly log: ILogger,
    private readonly label: string,
  ) {}

  /** A connection came with this WELCOME (`previous`: the last connection's), from `pod`. */
  connected(welcome: WelcomeMeta, previous: WelcomeMeta | undefined, pod: string | undefined): ConnectedInfo {
    this.lastWarning = undefined;
    const before = this.identity;
    const now: AgentIdentity = { instanceId: welcome.instanceId, rootId: welcome.rootId, ...(pod === undefined ? {} : { pod }) };
    const cause = reconnectCause(before, now);
    this.identity = now;
    const downMs = this.downSince === undefined ? 0 : performance.now() - this.downSince;
    const lastReason = this.lastReason;
    this.downSince = undefined;
    return {
      ...welcome,
      restarted: previous !== undefined && previous.instanceId !== welcome.instanceId,
      cause,
      downMs,
      description: describeReconnect(cause, { downMs, now, ...(lastReason === undefined ? {} : { lastReason }), ...(before === undefined ? {} : { previous: before }) }),
      ...(lastReason === undefined ? {} : { lastReason }),
      ...(previous === undefined ? {} : { previous }),
    };
  }

  /** A connection ended or an attempt failed (`welcomed`: the connection had said WELCOME); the down time starts. */
  down(l: LinkLoss, welcomed: boolean): DisconnectedInfo {
    const wasConnected = l.wasConnected && welcomed;
    if (wasConnected) {
      this.downSince = performance.now();
      this.lastReason = l.reason;
    }
    return { reason: l.reason, wasConnected, retryInMs: l.retryInMs };
  }

  /** Logs a drop told by {@link down}. */
  tell(d: DisconnectedInfo): void {
    const why = d.reason;
    if (d.retryInMs === undefined) this.log.info(`${this.label}: the connection to the agent ended (${why}); not reconnecting`);
    else if (d.wasConnected) this.log.warn(`${this.label}: ${describeDisconnect(why, d.retryInMs)}`);
    else if (why !== this.lastWarning) this.log.warn(`${this.label}: cannot reach the agent: ${why}; trying again until it answers`);
    this.lastWarning = d.wasConnected ? undefined : why;
  }
}
