import { durationText } from '../base/duration';
import { effectiveQuota } from './manifests';
import { type QuotaConfig, type SlicePlatformConfig } from './platformConfig';
import { parseDuration } from './ttl';

/**
 * The per-owner limit on slices: an owner's slices are ranked by creation time (then name); the
 * first `max` are admitted, the rest are refused with a condition saying what to do.
 */
export interface SliceRef {
  readonly name: string;
  readonly owner: string;
  readonly creationTimestamp?: string;
  readonly deleting?: boolean;
}

export interface LimitDecision {
  readonly allowed: boolean;
  readonly reason?: 'SliceLimitExceeded';
  readonly message?: string;
}

export function checkSliceLimit(slice: SliceRef, all: readonly SliceRef[], max: number): LimitDecision {
  const mine = all
    .filter((s) => s.owner === slice.owner && !s.deleting)
    .sort((a, b) => (a.creationTimestamp ?? '').localeCompare(b.creationTimestamp ?? '') || a.name.localeCompare(b.name));
  const rank = mine.findIndex((s) => s.name === slice.name);
  if (rank === -1 || rank < max) return { allowed: true };
  return {
    allowed: false,
    reason: 'SliceLimitExceeded',
    message: `${slice.owner} already has ${rank} slice${rank === 1 ? '' : 's'} (the limit is ${max}): delete one first`,
  };
}

/**
 * Two owners whose usernames make the same slug would share names (namespaces, databases): the
 * owner whose oldest Slice came first keeps the slug, every Slice of the other is refused, never
 * merged. Slugs are made so that this cannot be forced (ownerSlug); this is the second line.
 */
export function checkOwnerSlug(slice: SliceRef, all: readonly SliceRef[], slugOf: (owner: string) => string): string | undefined {
  const slug = slugOf(slice.owner);
  const first = all
    .filter((s) => !s.deleting && slugOf(s.owner) === slug)
    .sort((a, b) => (a.creationTimestamp ?? '').localeCompare(b.creationTimestamp ?? '') || a.name.localeCompare(b.name))[0];
  if (!first || first.owner === slice.owner) return undefined;
  return `the owner ${slice.owner} has the same name in the cluster (${slug}) as another developer's (${first.owner}): ask a platform admin`;
}

/**
 * The platform's limits as a developer sees them (read from the controller's ConfigMap, which the
 * developer role may read but not change): what a slice may ask for, and how many slices.
 */
export interface PlatformLimits {
  readonly defaultTtlMs: number;
  readonly maxTtlMs: number;
  readonly maxSlicesPerOwner: number;
  readonly defaultQuota: QuotaConfig;
  readonly maxQuota: QuotaConfig;
}

export function limitsOf(cfg: SlicePlatformConfig): PlatformLimits {
  return { defaultTtlMs: cfg.defaultTtlMs, maxTtlMs: cfg.maxTtlMs, maxSlicesPerOwner: cfg.maxSlicesPerOwner, defaultQuota: cfg.defaultQuota, maxQuota: cfg.maxQuota };
}

/** "a slice lives up to 24h (4h if slice.yaml says nothing); cpu up to 4, memory up to 4Gi, 20 pods; 3 slices per developer". */
export function describeLimits(l: PlatformLimits): string {
  return `a slice lives up to ${durationText(l.maxTtlMs)} (${durationText(l.defaultTtlMs)} if slice.yaml says nothing); cpu up to ${l.maxQuota.cpu}, memory up to ${l.maxQuota.memory}, ${plural(l.maxQuota.pods, 'pod')}; ${plural(l.maxSlicesPerOwner, 'slice')} per developer`;
}

/** A value of slice.yaml the platform will not grant as asked, and what it grants instead. */
export interface LimitNote {
  /** Where in slice.yaml: ['ttl'], ['resources', 'cpu'] … */
  readonly path: readonly string[];
  readonly message: string;
}

/** What slice.yaml asks for beyond the platform's caps: each value, the cap, and what the slice will get. */
export function overLimits(asked: { readonly ttl?: string; readonly resources?: { readonly cpu?: string; readonly memory?: string; readonly pods?: number } }, l: PlatformLimits): LimitNote[] {
  const notes: LimitNote[] = [];
  const ttl = asked.ttl === undefined ? undefined : parseDuration(asked.ttl);
  if (ttl !== undefined && ttl > l.maxTtlMs) notes.push({ path: ['ttl'], message: `ttl ${asked.ttl} is over the platform cap ${durationText(l.maxTtlMs)}: you will get ${durationText(l.maxTtlMs)}.` });
  const granted = effectiveQuota(asked.resources, l);
  for (const key of ['cpu', 'memory'] as const) {
    const a = asked.resources?.[key];
    if (a !== undefined && a !== granted[key]) notes.push({ path: ['resources', key], message: `resources.${key} "${a}" is over the platform cap "${l.maxQuota[key]}": you will get ${granted[key]}.` });
  }
  const pods = asked.resources?.pods;
  if (pods !== undefined && pods !== granted.pods) notes.push({ path: ['resources', 'pods'], message: `resources.pods ${pods} is over the platform cap ${l.maxQuota.pods}: you will get ${granted.pods}.` });
  return notes;
}

/** "1 fork", "2 forks". */
export function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

