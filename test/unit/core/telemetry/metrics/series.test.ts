// The compact histogram series (src/core/telemetry/metrics/series.ts, ./narrowCounts.ts): bucket
// and slot counts kept in Uint8Array until a value does not fit, then wider arrays up to
// Float64Array, and only the range of buckets that had observations. Every read must give what a
// Float64Array of every bucket gave: counts past 255, 65,535 and 2^32, non-integer and negative
// counts, buckets that first appear below or above the range after slots were written.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { type ExpHistogramPoint, type HistogramPoint, type Metric, type Temporality } from '../../../../../src/core/telemetry/metrics/model';
import { distribution, seriesValues } from '../../../../../src/core/telemetry/metrics/read';
import { HistogramSeries } from '../../../../../src/core/telemetry/metrics/series';
import { MetricStore } from '../../../../../src/core/telemetry/metrics/store';
import { EMPTY_RESOURCE } from '../../../../../src/core/telemetry/model';

const T0 = 1_796_000_000_000; // a slot boundary at 10 s resolution
const BOUNDS = [1, 2, 5, 10];
const head = { source: 'slice', resource: { ...EMPTY_RESOURCE, serviceName: 'orders' }, scope: 's', unit: 's', description: '' };
const hp = (timeMs: number, counts: number[], sum = 0, startMs = T0 - 30_000): HistogramPoint => ({
  attributes: {},
  startMs,
  timeMs,
  count: counts.reduce((a, c) => a + c, 0),
  sum,
  min: NaN,
  max: NaN,
  bounds: BOUNDS,
  counts,
  exemplars: [],
  flags: 0,
});
const metric = (points: HistogramPoint[], temporality: Temporality): Metric => ({ ...head, name: 'h', kind: 'histogram', temporality, points });

/** Per slot of 10 s from T0: the bucket counts a plain Float64 sum of the same deltas gives. */
function expected(deltas: number[][][]): number[][] {
  return deltas.map((slot) => slot.reduce((acc, d) => acc.map((x, i) => x + d[i]!), [0, 0, 0, 0, 0]));
}

function readSlots(store: MetricStore, slots: number): { counts: number[][]; rates: number[] } {
  const counts: number[][] = [];
  for (let s = 0; s < slots; s++) counts.push([...(distribution(store, 'slice', 'h', T0 + s * 10_000, T0 + s * 10_000 + 9_999)?.counts ?? [0, 0, 0, 0, 0])]);
  const [info] = store.seriesOf('slice', 'h');
  const rates = seriesValues(store, info!.key, T0, T0 + slots * 10_000).map((v) => v.value);
  return { counts, rates };
}

// deltas per slot (several points a slot add up): small, then past each integer width, non-integer, negative, and new buckets on either side
const DELTAS: number[][][] = [
  [[0, 0, 3, 0, 0]],
  [
    [0, 0, 200, 0, 0],
    [0, 0, 100, 0, 0],
  ], // 300: past Uint8 within one slot
  [[0, 0, 70_000, 1, 0]], // past Uint16; bucket 3 widens the range upwards
  [[2, 0, 4_294_967_295, 0, 0]], // past Uint32 (2^32 - 1 + earlier values in the ring); bucket 0 widens it downwards
  [[0, 0.5, 1, 0, 7]], // a non-integer count, the last bucket
  [[0, -1, 2, 0, 0]], // a negative count a producer sent
  [[0, 0, 9_007_199_254_740_000, 0, 0]], // near 2^53: past every integer array
];

test('delta histograms: counts past 255, 65,535, 2^32, non-integer and negative ones read as a Float64Array of every bucket read them', () => {
  const store = new MetricStore();
  const points = DELTAS.flatMap((slot, s) => slot.map((c, k) => hp(T0 + s * 10_000 + 1000 + k, c)));
  store.ingest([metric(points, 'delta')]);
  const { counts, rates } = readSlots(store, DELTAS.length);
  const want = expected(DELTAS);
  assert.deepEqual(counts, want);
  assert.deepEqual(rates, want.map((c) => c.reduce((a, x) => a + x, 0) / 10));
  // over the whole window: the slots merged
  const all = distribution(store, 'slice', 'h', T0, T0 + DELTAS.length * 10_000)!;
  assert.deepEqual(all.counts, want.reduce((acc, c) => acc.map((x, i) => x + c[i]!), [0, 0, 0, 0, 0]));
});

test('cumulative histograms: the differences past each integer width, and a bucket that appears later below the range, read exactly', () => {
  const store = new MetricStore();
  const totals = [
    [0, 0, 0, 0, 0],
    [0, 0, 10, 0, 0],
    [0, 0, 600, 0, 0],
    [0, 0, 100_600, 3, 0],
    [1, 0, 5_000_100_600, 3, 0],
    [1.25, 0, 5_000_100_601, 3, 1],
  ];
  store.ingest([metric(totals.map((c, s) => hp(T0 + s * 10_000 + 1000, c, s * 0.1, T0 - 1)), 'cumulative')]);
  const { counts } = readSlots(store, totals.length);
  const want = [[0, 0, 0, 0, 0], ...totals.slice(1).map((c, s) => c.map((x, i) => x - totals[s]![i]!))];
  assert.deepEqual(counts, want);
  const d = distribution(store, 'slice', 'h', T0 + 10_000, T0 + totals.length * 10_000)!;
  const total = (c: number[]) => c.reduce((a, x) => a + x, 0);
  assert.equal(d.count, totals.slice(1).reduce((a, c, s) => a + (total(c) - total(totals[s]!)), 0));
  assert.equal(d.sum, totals.slice(1).reduce((a, _, s) => a + ((s + 1) * 0.1 - s * 0.1), 0));
});

test('a slot reused by the ring after the arrays widened holds only its new point', () => {
  const store = new MetricStore({ retentionMs: 30_000 }); // 3 slots
  const points = [hp(T0 + 1000, [0, 0, 1, 0, 0]), hp(T0 + 11_000, [0, 300, 0, 0, 0]), hp(T0 + 21_000, [0, 0, 0, 0.5, 0]), hp(T0 + 31_000, [0, 0, 0, 0, 2])];
  store.ingest([metric(points, 'delta')]);
  assert.deepEqual(distribution(store, 'slice', 'h', T0 + 30_000, T0 + 39_999)!.counts, [0, 0, 0, 0, 2]);
  assert.deepEqual(distribution(store, 'slice', 'h', T0 + 10_000, T0 + 39_999)!.counts, [0, 300, 0, 0.5, 2]);
});

test('new bounds drop the slots held and start narrow again', () => {
  const s = new HistogramSeries(6, 'delta', BOUNDS);
  s.ingest(hp(T0 + 1000, [0, 1e10, 0, 0, 0]), 0);
  const other = { ...hp(T0 + 11_000, [1, 2, 3]), bounds: [1, 2] };
  s.ingest(other, 1);
  assert.deepEqual(s.bounds, [1, 2]);
  assert.deepEqual(
    s.held(0, 5).map(({ p }) => {
      const into = [0, 0, 0];
      s.addBuckets(p, into);
      return { count: s.countAt(p), into };
    }),
    [{ count: 6, into: [1, 2, 3] }],
  );
});

test('sums: integer sums past 255, then a non-integer and a negative one, read as a Float64Array read them', () => {
  const store = new MetricStore();
  const sums = [3, 300, 70_000.25, -2, 0.1, 0.2];
  store.ingest([metric(sums.map((v, k) => hp(T0 + 1000 + k, [0, 1, 0, 0, 0], v)), 'delta')]);
  const d = distribution(store, 'slice', 'h', T0, T0 + 9_999)!;
  assert.equal(d.sum, sums.reduce((a, x) => a + x, 0));
  assert.equal(d.count, sums.length);
  // one sum per slot, as read back per slot
  const one = new MetricStore();
  one.ingest([metric(sums.map((v, k) => hp(T0 + k * 10_000 + 1000, [0, 1, 0, 0, 0], v)), 'delta')]);
  assert.deepEqual(
    sums.map((_, k) => distribution(one, 'slice', 'h', T0 + k * 10_000, T0 + k * 10_000 + 9_999)!.sum),
    sums,
  );
});

const ep = (timeMs: number, scale: number, offset: number, counts: number[], zeroCount = 0, sum = 0): ExpHistogramPoint => ({
  attributes: {},
  startMs: T0 - 30_000,
  timeMs,
  count: counts.reduce((a, c) => a + c, zeroCount),
  sum,
  min: NaN,
  max: NaN,
  scale,
  zeroCount,
  zeroThreshold: 0,
  positive: { offset, counts },
  negative: { offset: 0, counts: [] },
  exemplars: [],
  flags: 0,
});

test('exponential histograms: counts past 255 (also when a lower scale merges two buckets), fractions and large sums read exactly', () => {
  const store = new MetricStore();
  const e = (points: ExpHistogramPoint[]): Metric => ({ ...head, name: 'h', kind: 'exponentialHistogram', temporality: 'delta', points });
  // scale 1: buckets 4 and 5 hold 200 each; then scale 0 merges them into bucket 2 (400); then a fraction, a count past 2^32 and fractional sums
  store.ingest([e([ep(T0 + 1000, 1, 4, [200, 200], 300, 70_000), ep(T0 + 2000, 0, 2, [0.5], 0, 0.25), ep(T0 + 3000, 0, 3, [5_000_000_000], 1, 1e12)])]);
  const d = distribution(store, 'slice', 'h', T0, T0 + 9_999)!;
  assert.deepEqual(d.counts, [301, 400.5, 5_000_000_000]); // zero bucket, then buckets 2 and 3 at scale 0
  assert.equal(d.count, 700 + 0.5 + 5_000_000_001);
  assert.equal(d.sum, 70_000 + 0.25 + 1e12);
  const [info] = store.seriesOf('slice', 'h');
  assert.deepEqual(
    seriesValues(store, info!.key, T0, T0 + 9_999).map((v) => v.value),
    [(700 + 0.5 + 5_000_000_001) / 10],
  );
});

test('a slot past 2^53 (a time no clock gives) is refused as late and leaves the ring as it was; the ring went on counting past it for ever before', () => {
  const s = new HistogramSeries(6, 'delta', BOUNDS);
  assert.equal(s.ingest(hp(T0 + 1000, [0, 1, 0, 0, 0]), 10).outcome, 'stored');
  assert.equal(s.ingest(hp(T0 + 1000, [0, 1, 0, 0, 0]), 2 ** 60).outcome, 'late');
  assert.equal(s.ingest(hp(T0 + 1000, [0, 1, 0, 0, 0]), 11).outcome, 'stored');
  assert.deepEqual(
    s.held(0, 20).map(({ slot, p }) => ({ slot, count: s.countAt(p) })),
    [
      { slot: 10, count: 1 },
      { slot: 11, count: 1 },
    ],
  );
});
