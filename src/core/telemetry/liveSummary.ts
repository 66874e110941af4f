/**
 * How the live telemetry sessions are doing, in words: the short description beside the Traces &
 * Errors view's title, and the tooltip with each session's counts.
 */

/** The link to the agent: as TelemetryLink reports it. */
export type LiveLinkState = 'connecting' | 'streaming' | 'waiting' | 'stopped';

/** What the summary needs of one session. */
export interface LiveSessionFacts {
  readonly workload: string;
  readonly slice: string;
  readonly link: LiveLinkState;
  /** OTLP payloads the agent relayed. */
  readonly payloads: number;
  /** Payloads the editor could not use (malformed, oversize, not OTLP): see the Slice log. */
  readonly refused: number;
  /** Payloads lost: the agent's buffer overflowed before they reached the editor. */
  readonly dropped: number;
  readonly logLines: number;
}

/** The view's summary of all sessions. */
export interface LiveSummary {
  /** Beside the view's title; undefined when nothing streams. */
  readonly description: string | undefined;
  /** Something is wrong enough to look at: a link that waits to reconnect, or refused payloads. */
  readonly attention: boolean;
}

/** One session's row. */
export interface LiveRow {
  readonly label: string;
  readonly description: string;
  readonly tooltip: string;
  readonly attention: boolean;
}

const STATE_WORDS: Readonly<Record<LiveLinkState, string>> = {
  connecting: 'connecting',
  streaming: 'streaming',
  waiting: 'reconnecting',
  stopped: 'stopped',
};

const n = (x: number) => x.toLocaleString('en-US');
const plural = (x: number, one: string, many = `${one}s`) => `${n(x)} ${x === 1 ? one : many}`;
const needsAttention = (s: LiveSessionFacts) => s.link === 'waiting' || s.refused > 0;

/** The summary of the sessions beside the view's title. */
export function liveSummary(sessions: readonly LiveSessionFacts[]): LiveSummary {
  if (sessions.length === 0) return { description: undefined, attention: false };
  const refused = sessions.reduce((sum, s) => sum + s.refused, 0);
  const tail = refused > 0 ? ` · ${n(refused)} refused` : '';
  const attention = sessions.some(needsAttention);
  // the rows below say which workloads: beside the title (a narrow sidebar cuts it short) only the states
  const byState = new Map<string, number>();
  for (const s of sessions) byState.set(STATE_WORDS[s.link], (byState.get(STATE_WORDS[s.link]) ?? 0) + 1);
  const states = sessions.length === 1 ? STATE_WORDS[sessions[0]!.link] : [...byState].map(([w, c]) => `${c} ${w}`).join(', ');
  return { description: `${states}${tail}`, attention };
}

/** A session's row: the workload, its state and counts; the tooltip says what the counts mean. */
export function liveRow(s: LiveSessionFacts): LiveRow {
  const counts = [plural(s.payloads, 'payload'), plural(s.logLines, 'log line')];
  if (s.refused > 0) counts.push(`${n(s.refused)} refused`);
  if (s.dropped > 0) counts.push(`${n(s.dropped)} lost`);
  const lines = [`Telemetry of ${s.workload} (slice ${s.slice}): ${STATE_WORDS[s.link]}`, `${plural(s.payloads, 'OTLP payload')} relayed by the agent, ${plural(s.logLines, 'container log line')}`];
  if (s.link === 'waiting') lines.push('The agent is not reachable now; the link retries on its own (Slice: Show Logs says why).');
  if (s.refused > 0) lines.push(`${plural(s.refused, 'payload')} refused: not valid OTLP, or too large (Slice: Show Logs says which and why).`);
  if (s.dropped > 0) lines.push(`${plural(s.dropped, 'payload')} lost: the agent's buffer overflowed before they reached the editor.`);
  return { label: s.workload, description: `${STATE_WORDS[s.link]} · ${counts.join(' · ')}`, tooltip: lines.join('\n'), attention: needsAttention(s) };
}
