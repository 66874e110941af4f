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
