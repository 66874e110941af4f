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
