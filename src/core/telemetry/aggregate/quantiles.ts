/**
 * p50, p95, p99 and the maximum of the union of a few DDSketches (the minute buckets of a window)
 * in one walk over their bins, without building a merged sketch: what merging them and asking
 * the merged sketch three times answers, for a fraction of the work and no allocation. Falls back
 * to a real merge where the walk could differ (negative or zero values, a union of keys wider than
 * the bin limit, where a merge collapses the lowest bins).
 */
import { type LogCollapsingLowestDenseDDSketch } from '@datadog/sketches-js';

export interface Quantiles {
  readonly p50: number;
  readonly p95: number;
  readonly p99: number;
  readonly maxMs: number;
}

const QS = [0.5, 0.95, 0.99] as const;

/**
 * The quantiles of the union of `sketches` (non-empty, same mapping); `merge` makes a merged sketch
 * for the cases the walk does not cover.
 */
export function unionQuantiles(sketches: readonly LogCollapsingLowestDenseDDSketch[], binLimit: number, merge: () => LogCollapsingLowestDenseDDSketch): Quantiles {
  let count = 0;
  let max = -Infinity;
  let minKey = Infinity;
  let maxKey = -Infinity;
  let simple = true;
  for (const s of sketches) {
    count += s.count;
    if (s.max > max) max = s.max;
    if (s.zeroCount !== 0 || s.negativeStore.count !== 0) simple = false;
    if (s.store.count > 0) {
      if (s.store.minKey < minKey) minKey = s.store.minKey;
      if (s.store.maxKey > maxKey) maxKey = s.store.maxKey;
    }
  }
  if (!simple || (sketches.length > 1 && maxKey - minKey + 1 > binLimit)) {
    const m = sketches.length === 1 ? sketches[0]! : merge();
    return { p50: m.getValueAtQuantile(0.5), p95: m.getValueAtQuantile(0.95), p99: m.getValueAtQuantile(0.99), maxMs: m.max };
  }
  // DenseStore.keyAtRank(rank): the first key whose running count exceeds the rank
  const ranks = QS.map((q) => q * (count - 1));
  const keys = [maxKey, maxKey, maxKey];
  let q = 0;
  let running = 0;
  for (let key = minKey; key <= maxKey && q < 3; key++) {
    for (const s of sketches) {
      const st = s.store;
      if (st.count > 0 && key >= st.minKey && key <= st.maxKey) running += st.bins[key - st.offset] ?? 0;
    }
    while (q < 3 && running > ranks[q]!) keys[q++] = key;
  }
  const mapping = sketches[0]!.mapping;
  return { p50: mapping.value(keys[0]!), p95: mapping.value(keys[1]!), p99: mapping.value(keys[2]!), maxMs: max };
}
