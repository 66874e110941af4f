import { UserError, messageOf } from '../../core/base/errors';
import { durationText, formatDuration } from '../../core/base/duration';
import { type KubeContext } from '../../core/cluster/environments';
import { ClusterProblemError } from '../../core/cluster/environmentsModel';
import { type PlatformLimits, describeLimits, plural } from '../../core/slice/limits';
import { type SliceObject, type SliceSpec } from '../../core/slice/sliceResource';
import { parseDuration, parseTimestamp } from '../../core/slice/ttl';
import { type SliceStore } from './sliceStore';

/** The Slice API as the developer may use it (src/platform/kube/sliceClient.ts). */
export interface SliceApiPort {
  whoAmI(context: KubeContext, signal?: AbortSignal): Promise<{ readonly username: string }>;
  create(context: KubeContext, name: string, spec: SliceSpec, signal?: AbortSignal): Promise<SliceObject>;
  get(context: KubeContext, name: string, signal?: AbortSignal): Promise<SliceObject>;
  delete(context: KubeContext, name: string, signal?: AbortSignal): Promise<void>;
  setExpiry(context: KubeContext, name: string, expiresAt: Date, signal?: AbortSignal): Promise<SliceObject>;
  quota(context: KubeContext, namespace: string, signal?: AbortSignal): Promise<readonly { readonly resource: string; readonly hard: string }[]>;
}

/** The platform's limits (src/platform/kube/platformLimitsClient.ts); undefined when they cannot be read. */
export interface LimitsPort {
  read(context: KubeContext, signal?: AbortSignal): Promise<PlatformLimits>;
}

/** What the slice got, read back from the cluster (not what was asked). */
export interface Granted {
  readonly expiresAt: Date | undefined;
  readonly cpu?: string;
  readonly memory?: string;
  readonly pods?: string;
}

export type CreateOutcome = { readonly kind: 'ready'; readonly slice: SliceObject; readonly granted: Granted; readonly notes: readonly string[] } | { readonly kind: 'pending'; readonly slice: SliceObject };

export interface LifecycleOptions {
  readonly progress?: (message: string) => void;
  readonly signal?: AbortSignal;
}

/**
 * Create, extend and delete a Slice, and say what the server actually did: every answer is read
 * back from the cluster (through the identity's watch when there is one), so a value the platform
 * capped is reported as capped, and a slice the platform refused is not left behind.
 */
export class SliceLifecycle {
  constructor(
    private readonly api: SliceApiPort,
    private readonly limits: LimitsPort,
    private readonly store: () => SliceStore | undefined,
    private readonly log: (line: string) => void,
  ) {}

  /** The user name the cluster sees for this context: a slice's owner and the start of its name. */
  async whoAmI(context: KubeContext, signal?: AbortSignal): Promise<string> {
    return (await this.api.whoAmI(context, signal)).username;
  }

  /** The Slice as the cluster has it now. */
  read(context: KubeContext, name: string, signal?: AbortSignal): Promise<SliceObject> {
    return this.api.get(context, name, signal);
  }

  /** The platform's limits, or undefined (logged) when the cluster does not let us read them. */
  async readLimits(context: KubeContext, signal?: AbortSignal): Promise<PlatformLimits | undefined> {
    try {
      return await this.limits.read(context, signal);
    } catch (e) {
      this.log(`could not read the platform's limits: ${messageOf(e)}`);
      return undefined;
    }
  }

  async create(context: KubeContext, name: string, spec: SliceSpec, options: LifecycleOptions = {}): Promise<CreateOutcome> {
    const limits = await this.readLimits(context, options.signal);
    const store = this.store();
    const mine = store?.synced ? store.current().filter((s) => !s.deleting) : undefined;
    if (limits && mine && mine.length >= limits.maxSlicesPerOwner) {
      throw new UserError(`You have ${plural(mine.length, 'slice')} (${mine.map((s) => s.name).join(', ')}); the platform allows ${limits.maxSlicesPerOwner} per developer. Delete one first.`, []);
    }
    try {
      await this.api.create(context, name, spec, options.signal);
    } catch (e) {
      if (e instanceof ClusterProblemError && e.problem.kind === 'conflict') throw new UserError(`You already have a slice named ${name}: pick another name, or delete that one first.`, [], e.problem.detail);
      throw e;
    }
    // Gone counts only once the watch has shown the new Slice: before that, not seeing it means "not yet".
    let seen = false;
    const final = await this.waitFor(
      context,
      name,
      (s) => {
        if (!s) return seen;
        seen = true;
        return s.status?.phase === 'Ready' || s.status?.phase === 'Failed';
      },
      options,
    );
    if (!final) throw new UserError(`Slice ${name} was deleted while it was being created.`, []);
    if (final.status?.phase === 'Failed') {
      const refused = final.status.conditions?.find((c) => c.status === 'False' && c.reason === 'SliceLimitExceeded');
      const why = final.status.conditions?.find((c) => c.status === 'False' && c.message)?.message ?? 'see its conditions in the Environments view';
      if (refused) {
        // The platform refused it and would only admit it once another slice goes: a slice that does
        // nothing but count against the limit helps nobody. Remove it and say why.
        await this.api.delete(context, name).catch((e: unknown) => this.log(`could not remove the refused slice ${name}: ${messageOf(e)}`));
        throw new UserError(`The platform refused slice ${name}: ${refused.message}. It was removed, nothing is left to clean up.`, []);
      }
      throw new UserError(`Slice ${name} failed: ${why}. Fix it and create it again, or delete it from the Environments view.`, []);
    }
    if (final.status?.phase !== 'Ready') return { kind: 'pending', slice: final };
    const granted = await this.granted(context, final);
    return { kind: 'ready', slice: final, granted, notes: grantNotes(spec, final, granted, limits) };
  }

  /**
   * Moves the expiry `hours` later and waits until the controller has seen it: the expiry it then
   * holds (status.expiresAt, at or after the observed generation) is what the platform granted.
   */
  async extend(context: KubeContext, slice: SliceObject, hours: number, nowMs: number, options: LifecycleOptions = {}): Promise<{ readonly expiresAt: Date; readonly askedFor: Date; readonly note?: string }> {
    const from = Math.max(nowMs, parseTimestamp(slice.spec.expiresAt ?? slice.status?.expiresAt) ?? nowMs);
    const askedFor = new Date(from + hours * 3_600_000);
    const patched = await this.api.setExpiry(context, slice.metadata.name, askedFor, options.signal);
    const generation = patched.metadata.generation ?? 0;
    const seen = await this.waitFor(context, slice.metadata.name, (s) => s === undefined || (s.status?.observedGeneration ?? 0) >= generation, options);
    if (!seen) throw new UserError(`Slice ${slice.metadata.name} was deleted meanwhile.`, []);
    const expiresAt = new Date(parseTimestamp(seen.status?.expiresAt ?? seen.spec.expiresAt) ?? askedFor.getTime());
    if (expiresAt.getTime() >= askedFor.getTime() - 1000) return { expiresAt, askedFor };
    const limits = await this.readLimits(context, options.signal);
    const cap = limits ? `the platform's cap is ${durationText(limits.maxTtlMs)} from now` : 'the platform capped it';
    return { expiresAt, askedFor, note: `You asked for +${hours}h (until ${askedFor.toISOString()}); ${cap}.` };
  }

  /** Deletes and waits until the Slice is gone from the cluster. */
  async delete(context: KubeContext, name: string, options: LifecycleOptions = {}): Promise<void> {
    await this.api.delete(context, name, options.signal);
    await this.waitFor(context, name, (s) => s === undefined, options);
  }

  private async granted(context: KubeContext, slice: SliceObject): Promise<Granted> {
    const expiresAt = parseTimestamp(slice.status?.expiresAt ?? slice.spec.expiresAt);
    const out: { expiresAt: Date | undefined; cpu?: string; memory?: string; pods?: string } = { expiresAt: expiresAt === undefined ? undefined : new Date(expiresAt) };
    if (!slice.status?.namespace) return out;
    try {
      const hard = new Map((await this.api.quota(context, slice.status.namespace)).map((q) => [q.resource, q.hard]));
      const cpu = hard.get('limits.cpu');
      const memory = hard.get('limits.memory');
      const pods = hard.get('pods');
      if (cpu) out.cpu = cpu;
      if (memory) out.memory = memory;
      if (pods) out.pods = pods;
    } catch (e) {
      this.log(`could not read the quota of ${slice.status.namespace}: ${messageOf(e)}`);
    }
    return out;
  }

  /** Waits on the identity's watch (or, without one, by reading the object) until `done` holds; undefined when the Slice is gone. */
  private async waitFor(context: KubeContext, name: string, done: (s: SliceObject | undefined) => boolean, options: LifecycleOptions): Promise<SliceObject | undefined> {
    const store = this.store();
    const say = progressOf(options.progress);
    if (store && store.identity.context === context.name) {
      const pick = (): SliceObject | undefined => store.all().find((s) => s.name === name)?.object;
      const sub = store.onDidChange(() => say(pick()));
      try {
        await store.whenAll((all) => {
          const s = all.find((x) => x.name === name)?.object;
          return done(s);
        }, options.signal);
      } finally {
        sub.dispose();
      }
      return pick();
    }
    for (;;) {
      if (options.signal?.aborted) throw new UserError('Stopped waiting.', []);
      let current: SliceObject | undefined;
      try {
        current = await this.api.get(context, name, options.signal);
      } catch (e) {
        if (!(e instanceof ClusterProblemError && e.problem.kind === 'notFound')) throw e;
      }
      say(current);
      if (done(current)) return current;
      await new Promise((r) => setTimeout(r, 1000));
    }
  }
}

function progressOf(report: ((message: string) => void) | undefined): (s: SliceObject | undefined) => void {
  let last = '';
  return (s) => {
    if (!report || !s) return;
    const pending = s.status?.conditions?.find((c) => c.status !== 'True' && c.message);
    const message = `${s.status?.phase ?? 'Pending'}${pending ? `: ${pending.message}` : ''}`;
    if (message !== last) report(message);
    last = message;
  };
}

/** Where what the slice got differs from what slice.yaml asked, in words. */
export function grantNotes(asked: SliceSpec, slice: SliceObject, granted: Granted, limits: PlatformLimits | undefined): string[] {
  const notes: string[] = [];
  const created = parseTimestamp(slice.metadata.creationTimestamp);
  const askedTtl = asked.ttl ? parseDuration(asked.ttl) : undefined;
  if (askedTtl !== undefined && created !== undefined && granted.expiresAt && granted.expiresAt.getTime() - created < askedTtl - 60_000) {
    notes.push(`ttl ${asked.ttl} was capped to ${durationText(granted.expiresAt.getTime() - created)}${limits ? ` (the platform's cap is ${durationText(limits.maxTtlMs)})` : ''}`);
  }
  for (const key of ['cpu', 'memory'] as const) {
    const a = asked.resources?.[key];
    const g = granted[key];
    if (a !== undefined && g !== undefined && a !== g) notes.push(`${key} ${a} was capped to ${g}`);
  }
  const pods = asked.resources?.pods;
  if (pods !== undefined && granted.pods !== undefined && String(pods) !== granted.pods) notes.push(`pods ${pods} was capped to ${granted.pods}`);
  return notes;
}

/** "ready: 1 fork of shop in slice-alice-fix; expires 14:05 (in 23h 59m); quota cpu 4, memory 4Gi, 20 pods". */
export function describeGrant(slice: SliceObject, granted: Granted, now: Date, limits: PlatformLimits | undefined): string {
  const forks = plural(slice.status?.forks?.length ?? slice.spec.forks.length, 'fork');
  const parts = [`${forks} of ${slice.spec.baseline} in ${slice.status?.namespace ?? '?'}`];
  if (granted.expiresAt) parts.push(`expires ${granted.expiresAt.toISOString().slice(11, 16)} UTC (in ${formatDuration(granted.expiresAt.getTime() - now.getTime())})`);
  const quota = [granted.cpu && `cpu ${granted.cpu}`, granted.memory && `memory ${granted.memory}`, granted.pods && `${granted.pods} pods`].filter(Boolean).join(', ');
  if (quota) parts.push(`quota ${quota}`);
  if (limits) parts.push(`limits: ${describeLimits(limits)}`);
  return parts.join('; ');
}
