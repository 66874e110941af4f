/**
 * Why a connection to the agent ended, as far as the next WELCOME tells: the agent's process id
 * (instanceId) and its sync root's id (rootId, new with every pod) compared with the last ones.
 */
export type ReconnectCause = 'first' | 'networkDropped' | 'agentRestarted' | 'podReplaced';

export interface AgentIdentity {
  readonly instanceId: string;
  readonly rootId: string;
  /** The pod the connection reached, when the transport knows it. */
  readonly pod?: string;
}

export function reconnectCause(previous: AgentIdentity | undefined, now: AgentIdentity): ReconnectCause {
  if (!previous) return 'first';
  if (previous.rootId !== now.rootId || (previous.pod !== undefined && now.pod !== undefined && previous.pod !== now.pod)) return 'podReplaced';
  if (previous.instanceId !== now.instanceId) return 'agentRestarted';
  return 'networkDropped';
}

function seconds(ms: number): string {
  return ms < 10_000 ? `${(ms / 1000).toFixed(1)} s` : `${Math.round(ms / 1000)} s`;
}

/**
 * The sentence said on reconnecting: why the connection ended and what happens now. `lastReason`
 * is what the connection said when it closed ("closed (1006)", "no answer to pings").
 */
export function describeReconnect(cause: ReconnectCause, facts: { readonly downMs: number; readonly lastReason?: string; readonly previous?: AgentIdentity; readonly now: AgentIdentity }): string {
  const after = `after ${seconds(facts.downMs)}`;
  const closed = facts.lastReason ? ` (${facts.lastReason})` : '';
  const where = facts.now.pod ? ` in pod ${facts.now.pod}` : '';
  switch (cause) {
    case 'first':
      return `connected to the agent${where}; comparing the container with the local folder`;
    case 'networkDropped':
      return `reconnected ${after}: the network dropped${closed} — the same agent was running all along${where}; sending what changed meanwhile (the agent's record of what it wrote decides what the container must hold)`;
    case 'agentRestarted':
      return `reconnected ${after}: the agent restarted${closed} — a new agent process, same sync folder${where}; reconciling by its record of what the sync wrote, so every local change and revert lands`;
    case 'podReplaced': {
      const moved = facts.previous?.pod && facts.now.pod && facts.previous.pod !== facts.now.pod ? ` (${facts.previous.pod} → ${facts.now.pod})` : '';
      return `reconnected ${after}: the pod was replaced${moved}${closed} — its sync folder is a fresh copy of the image; sending the local tree again (files the image has that local deleted are deleted)`;
    }
  }
}

/** The sentence said when a connection ends, before its cause is known. */
export function describeDisconnect(reason: string, retryInMs: number): string {
  return `the connection to the agent ended (${reason}); reconnecting in ${seconds(retryInMs)} — the next connection tells whether the network dropped, the agent restarted or the pod was replaced`;
}
