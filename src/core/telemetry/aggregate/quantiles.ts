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
  // DenseStore.keyAtRank(rank): the first key whose running count exceeds the rank (else the last key).
  // The ranks ascend, so one walk finds all three; `running` is the count of the keys minKey..key.
  const n = count - 1;
  const ranks = [0.5 * n, 0.95 * n, 0.99 * n];
  const keys = [maxKey, maxKey, maxKey];
  let key = minKey;
  if (sketches.length === 1) {
    // the common case (one minute with data): a tight walk over one array
    const { bins, offset } = sketches[0]!.store;
    let running = bins[key - offset]!;
    for (let q = 0; q < 3; q++) {
      const rank = ranks[q]!;
      while (running <= rank && key < maxKey) running += bins[++key - offset]!;
      keys[q] = key;
    }
  } else {
    const countAt = (k: number) => {
      let c = 0;
      for (let i = 0; i < sketches.length; i++) {
        const st = sketches[i]!.store;
        if (st.count > 0 && k >= st.minKey && k <= st.maxKey) c += st.bins[k - st.offset]!;
      }
      return c;
    };
    let running = countAt(key);
    for (let q = 0; q < 3; q++) {
      const rank = ranks[q]!;
      while (running <= rank && key < maxKey) running += countAt(++key);
      keys[q] = key;
    }
  }
  const m = sketches[0]!.mapping;
  return { p50: m.value(keys[0]!), p95: m.value(keys[1]!), p99: m.value(keys[2]!), maxMs: max };
}
