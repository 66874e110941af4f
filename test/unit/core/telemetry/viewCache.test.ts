import { test } from 'node:test';
import assert from 'node:assert/strict';
import { TelemetryAggregator } from '../../../../src/core/telemetry/aggregate/aggregator';
import { Locator } from '../../../../src/core/telemetry/locate';
import { PathMapper } from '../../../../src/core/telemetry/pathMapping';
import { type Span, EMPTY_ATTRIBUTES, EMPTY_RESOURCE } from '../../../../src/core/telemetry/model';

/** The cached per-file views of the aggregator: served as-is while nothing moved, rebuilt (only what changed) when something did. */

const T0 = 1_718_000_000_000;

function setup(opts: { maxKeys?: number } = {}) {
  let now = T0;
  const agg = new TelemetryAggregator({ locator: new Locator(new PathMapper([{ containerPath: '/app', localPath: '/w' }])), now: () => now, ...opts });
  return { agg, advance: (ms: number) => (now += ms) };
}

function span(file: string, line: number, fn: string, durationMs = 10, error = false): Span {
  return {
    source: 'slice',
    traceId: 't',
    spanId: 's',
    parentSpanId: '',
    name: fn,
    kind: 1,
    startMs: T0,
    durationMs,
    status: { code: error ? 2 : 0, message: error ? 'boom' : '' },
    attributes: EMPTY_ATTRIBUTES,
    code: { file, line, column: undefined, function: fn },
    events: [],
    exceptions: [],
    resource: EMPTY_RESOURCE,
    scope: '',
  };
}

test('view cache: the same view while nothing changed; new data rebuilds it, keeping the statistics of untouched entries', () => {
  const { agg } = setup();
  agg.addSpans([span('/app/a.js', 10, 'f'), span('/app/a.js', 20, 'g')]);
  const v1 = agg.query('/w/a.js', 'slice', 'v1')!;
  assert.equal(agg.query('/w/a.js', 'slice', 'v1'), v1);
  const g1 = agg.generation('/w/a.js');
  agg.addSpan(span('/app/a.js', 20, 'g', 30, true));
  assert.notEqual(agg.generation('/w/a.js'), g1);
  const v2 = agg.query('/w/a.js', 'slice', 'v1')!;
  assert.notEqual(v2, v1);
  assert.deepEqual(
    v2.functions.map((f) => [f.function, f.calls, f.errors]),
    [
      ['f', 1, 0],
      ['g', 2, 1],
    ],
  );
  assert.equal(v2.functions[0], v1.functions[0], 'f had no new data: its statistics object is reused');
  assert.notEqual(v2.functions[1], v1.functions[1]);
  assert.equal(v2.functions[1]!.lastError?.message, 'boom');
});

test('view cache: data of another file does not move this file generation', () => {
  const { agg } = setup();
  agg.addSpan(span('/app/a.js', 10, 'f'));
  const g = agg.generation('/w/a.js');
  const v = agg.query('/w/a.js', 'slice');
  agg.addSpan(span('/app/b.js', 10, 'f'));
  assert.equal(agg.generation('/w/a.js'), g);
  assert.equal(agg.query('/w/a.js', 'slice'), v);
  assert.equal(agg.generation('/w/none.js'), -1);
});

test('view cache: a new buffer version marks cached data stale; a synced version with new data starts afresh', () => {
  const { agg } = setup();
  agg.setFileVersion('/w/a.js', 'v1');
  agg.addSpans([span('/app/a.js', 10, 'f'), span('/app/a.js', 10, 'f')]);
  const fresh = agg.query('/w/a.js', 'slice', 'v1')!;
  assert.equal(fresh.stale, false);
  // the buffer was edited: the same cached entries must now say stale
  const edited = agg.query('/w/a.js', 'slice', 'v2')!;
  assert.notEqual(edited, fresh);
  assert.equal(edited.stale, true);
  assert.equal(edited.functions[0]!.stale, true);
  assert.equal(edited.lines[0]!.stale, true);
  // asked again for the first version (undo): not stale, and still cached data
  assert.equal(agg.query('/w/a.js', 'slice', 'v1')!.stale, false);
  assert.equal(agg.query('/w/a.js', 'slice', 'v2')!.stale, true, 'stale data stays stale while nothing new arrives');
  // the edit was synced and new data came: the entries restart for v2
  agg.setFileVersion('/w/a.js', 'v2');
  agg.addSpan(span('/app/a.js', 10, 'f'));
  const synced = agg.query('/w/a.js', 'slice', 'v2')!;
  assert.equal(synced.stale, false);
  assert.equal(synced.functions[0]!.calls, 1);
  assert.equal(synced.functions[0]!.version, 'v2');
});

test('view cache: the window slides even when no data arrives (the minute is part of the key)', () => {
  const { agg, advance } = setup();
  agg.addSpan(span('/app/a.js', 10, 'f'));
  const v = agg.query('/w/a.js', 'slice')!;
  assert.equal(v.functions.length, 1);
  advance(5 * 60_000);
  assert.deepEqual(agg.query('/w/a.js', 'slice')!.functions, []);
});

test('view cache: eviction and clear move the generation on and drop what they dropped', () => {
  const { agg } = setup({ maxKeys: 20 });
  agg.addSpan(span('/app/a.js', 1, 'first'));
  const before = agg.query('/w/a.js', 'slice')!;
  const g = agg.generation('/w/a.js');
  for (let i = 2; i <= 40; i++) agg.addSpan(span('/app/b.js', i, `f${i}`));
  assert.ok(agg.stats().evictions > 0);
  assert.notEqual(agg.generation('/w/a.js'), g);
  assert.equal(agg.query('/w/a.js', 'slice'), undefined, 'a.js was the least recently updated: evicted');
  assert.equal(before.functions.length, 1);
  const gb = agg.generation('/w/b.js');
  agg.clear();
  assert.notEqual(agg.generation('/w/b.js'), gb);
  assert.equal(agg.query('/w/b.js', 'slice'), undefined);
  agg.addSpan(span('/app/b.js', 5, 'again'));
  assert.notEqual(agg.generation('/w/b.js'), gb, 'generations are never reused');
  assert.deepEqual(
    agg.query('/w/b.js', 'slice')!.functions.map((f) => f.function),
    ['again'],
  );
});
