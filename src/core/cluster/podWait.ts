/**
 * Which pod of a fork to reach, or why there is none yet — in words, from the pods and the
 * namespace's events: a replacement refused by the quota (with its numbers), an old pod still
 * terminating, an image being pulled or failing to pull, a pod that cannot be scheduled.
 */

/** Plain facts of one pod. */
export interface PodFacts {
  readonly name: string;
  readonly created: number;
  readonly deleting: boolean;
  /** When a deleting pod is deleted for good at the latest (deletionTimestamp), ms since the epoch. */
  readonly deletionMs?: number;
  readonly gracePeriodSeconds?: number;
  readonly phase: string;
  /** The sync agent's container is ready (all containers, when the pod has no agent). */
  readonly ready: boolean;
  /** The agent's container is running (it listens within a moment, before its readiness probe says so). */
  readonly agentRunning?: boolean;
  /** e.g. "ImagePullBackOff: Back-off pulling image …" of the first waiting container. */
  readonly waiting: string | undefined;
}

/** Plain facts of one Kubernetes event. */
export interface EventFacts {
  readonly kind: string;
  readonly object: string;
  readonly reason: string;
  readonly message: string;
  /** When it last happened, ms since the epoch. */
  readonly lastMs: number;
}

export type PodChoice =
  | { readonly ok: true; readonly pod: string }
  | {
      readonly ok: false;
      readonly message: string;
      /** A pod is on its way (terminating, pending, starting): worth waiting for. */
      readonly comingBack: boolean;
    };

/** Events older than this are history, not the reason for what happens now. */
const RECENT_MS = 60_000;

/** "exceeded quota: slice-quota, requested: limits.cpu=1500m, used: limits.cpu=1500m, limited: limits.cpu=2" in parts. */
export function quotaRefusal(message: string): { quota: string; requested: string; used: string; limited: string } | undefined {
  const list = '([^\\s,]+(?:,[^\\s,]+)*)';
  const m = new RegExp(`exceeded quota: ([^,\\s]+), requested: ${list}, used: ${list}, limited: ${list}`).exec(message);
  if (!m?.[1] || !m[2] || !m[3] || !m[4]) return undefined;
  return { quota: m[1], requested: m[2], used: m[3], limited: m[4] };
}

function latest(events: readonly EventFacts[], pick: (e: EventFacts) => boolean): EventFacts | undefined {
  return events.filter(pick).sort((a, b) => b.lastMs - a.lastMs)[0];
}

/**
 * The newest live pod whose agent is ready — or, with `eager`, whose agent container runs (the
 * readiness probe says so up to a second later; a connection that comes too soon is refused and
 * tried again) — or a sentence saying why there is none and whether one is coming.
 */
export function choosePod(pods: readonly PodFacts[], workload: string, events: readonly EventFacts[] = [], nowMs = 0, eager = false): PodChoice {
  const live = pods.filter((p) => !p.deleting).sort((a, b) => b.created - a.created);
  const ready = live.find((p) => p.phase === 'Running' && (p.ready || (eager && p.agentRunning === true)));
  if (ready) return { ok: true, pod: ready.name };
  const recent = events.filter((e) => nowMs === 0 || nowMs - e.lastMs < RECENT_MS);
  const terminating = pods.filter((p) => p.deleting).sort((a, b) => b.created - a.created)[0];
  // No countdown in the words: the message is said once per change, not once per look.
  const over = terminating?.deletionMs !== undefined && nowMs > 0 && terminating.deletionMs <= nowMs;
  const grace = terminating?.gracePeriodSeconds === undefined ? '' : `grace period ${terminating.gracePeriodSeconds} s`;
  const when = over ? `${grace} over: being removed` : grace;
  const leaving = terminating ? `the old pod ${terminating.name} is still terminating${when ? ` (${when.replace(/^, /, '')})` : ''}` : undefined;
  const newest = live[0];
  if (newest) {
    const about = recent.filter((e) => e.kind === 'Pod' && e.object === newest.name);
    const unscheduled = latest(about, (e) => e.reason === 'FailedScheduling');
    const pulling = latest(about, (e) => e.reason === 'Pulling');
    let why: string;
    if (newest.waiting && /ImagePull|ErrImage/.test(newest.waiting)) why = `cannot pull its image: ${newest.waiting}`;
    else if (newest.phase === 'Pending' && unscheduled) why = `cannot be scheduled yet: ${unscheduled.message}`;
    else if (pulling && (newest.phase === 'Pending' || newest.waiting)) why = `is pulling its image (${pulling.message})`;
    else if (newest.waiting) why = `is starting (${newest.waiting})`;
    else why = newest.phase === 'Running' ? 'is running, its agent not ready yet' : `is ${newest.phase}`;
    return { ok: false, message: `the fork ${workload}'s pod ${newest.name} ${why}${leaving ? `; ${leaving}` : ''}`, comingBack: true };
  }
  const refused = latest(recent, (e) => e.kind === 'ReplicaSet' && e.reason === 'FailedCreate' && e.object.startsWith(`${workload}-`));
  const quota = refused ? quotaRefusal(refused.message) : undefined;
  if (quota) {
    const wait = leaving ? `waiting: ${leaving}, which frees its share` : 'waiting for room in the quota (another pod of the slice to go)';
    return { ok: false, message: `Kubernetes refused to create the fork ${workload}'s new pod: the slice quota ${quota.quota} is full (it asks ${quota.requested}; used ${quota.used} of ${quota.limited}); ${wait}`, comingBack: true };
  }
  if (refused) return { ok: false, message: `Kubernetes could not create the fork ${workload}'s new pod: ${refused.message}${leaving ? `; ${leaving}` : ''}`, comingBack: leaving !== undefined };
  if (leaving) return { ok: false, message: `the fork ${workload} is between pods: ${leaving}; its replacement starts once it is gone`, comingBack: true };
  return { ok: false, message: `the fork ${workload} has no pod (is the slice still provisioning, or was the fork removed?)`, comingBack: false };
}
