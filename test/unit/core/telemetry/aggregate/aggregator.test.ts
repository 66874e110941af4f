import { test } from 'node:test';
import assert from 'node:assert/strict';
import { TelemetryAggregator } from '../../../../../src/core/telemetry/aggregate/aggregator';
import { Ring } from '../../../../../src/core/telemetry/aggregate/ring';
import { WindowedStats } from '../../../../../src/core/telemetry/aggregate/window';
import { Locator } from '../../../../../src/core/telemetry/locate';
import { PathMapper } from '../../../../../src/core/telemetry/pathMapping';
import { decodeTracesJson } from '../../../../../src/core/telemetry/otlp/decodeJson';
import { decodeLogsProto } from '../../../../../src/core/telemetry/otlp/decodeProto';
import { parseLogLine } from '../../../../../src/core/telemetry/logs';
import { type Span, EMPTY_ATTRIBUTES, EMPTY_RESOURCE } from '../../../../../src/core/telemetry/model';
import { fixtureBytes, fixtureText } from '../fixtures';

const T0 = 1_718_000_000_000;

function setup(opts: { maxKeys?: number; windowMinutes?: number } = {}) {
  let now = T0;
  const locator = new Locator(new PathMapper([{ containerPath: '/app', localPath: '/w' }, { containerPath: '/srv/app', localPath: '/py' }]));
  const agg = new TelemetryAggregator({ locator, now: () => now, ...opts });
  return { agg, advance: (ms: number) => (now += ms) };
}

function span(over: Partial<Span> & { file?: string; line?: number; fn?: string }): Span {
  return {
    source: 'slice',
    traceId: 't',
    spanId: 's',
    parentSpanId: '',
    name: 'op',
    kind: 1,
    startMs: T0,
    durationMs: 10,
    status: { code: 0, message: '' },
    attributes: EMPTY_ATTRIBUTES,
    code: { file: over.file ?? '/app/src/a.js', line: over.line ?? 10, column: undefined, function: over.fn ?? 'handler' },
    events: [],
    exceptions: [],
    resource: EMPTY_RESOURCE,
    scope: '',
    ...over,
  };
}

test('Ring keeps the newest items', () => {
  const r = new Ring<number>(3);
  for (let i = 1; i <= 5; i++) r.push(i);
  assert.deepEqual(r.newestFirst(), [5, 4, 3]);
  r.clear();
  assert.deepEqual(r.newestFirst(), []);
});

test('WindowedStats: quantiles within 1%, buckets slide out of the window', () => {
  const w = new WindowedStats(5);
  for (let i = 1; i <= 1000; i++) w.record(100, i, i % 10 === 0);
  const s = w.summary(100);
  assert.equal(s.calls, 1000);
  assert.equal(s.errors, 100);
  assert.ok(Math.abs(s.p50 - 500) / 500 <= 0.02, `p50 ${s.p50}`);
  assert.ok(Math.abs(s.p95 - 950) / 950 <= 0.02, `p95 ${s.p95}`);
  assert.ok(Math.abs(s.p99 - 990) / 990 <= 0.02, `p99 ${s.p99}`);
  w.record(102, 5000, false);
  assert.equal(w.summary(102).calls, 1001);
  assert.equal(w.summary(104).calls, 1001);
  assert.equal(w.summary(105).calls, 1); // minute 100 left the 5-minute window
  assert.ok(Math.abs(w.summary(105).p50 - 5000) / 5000 <= 0.01);
  assert.ok(w.summary(107).calls === 0 && Number.isNaN(w.summary(107).p50));
  assert.equal(w.isEmpty(107), true);
});

test('spans of the Node SDK fixture aggregate per line and per function, with the throw site of the exception', () => {
  const { agg } = setup();
  const r = decodeTracesJson(fixtureText('otlp-traces-node-sdk.json'), { source: 'slice' });
  assert.ok(r.ok);
  agg.addSpans(r.value);
  assert.deepEqual(agg.files('slice').sort(), ['/w/dist/routes/orders.js', '/w/dist/services/orderService.js']);
  const svc = agg.query('/w/dist/services/orderService.js', 'slice')!;
  // span location (line 42) and the throw site from the stack (line 47)
  assert.deepEqual(svc.lines.map((l) => [l.line, l.calls, l.errors]), [[42, 1, 1], [47, 0, 1]]);
  assert.equal(svc.lines[1]!.lastError?.message, 'order 17 not found');
  assert.equal(svc.lines[1]!.lastError?.frames[0]?.function, 'OrderService.loadOrder');
  assert.equal(svc.lines[1]!.lastError?.traceId, '4bf92f3577b34da6a3ce929d0e0e4736');
  assert.deepEqual(svc.functions.map((f) => [f.function, f.line, f.calls, f.errors]), [['OrderService.loadOrder', 42, 1, 1]]);
  assert.ok(Math.abs(svc.functions[0]!.p50 - 44.5) / 44.5 <= 0.01);
  const routes = agg.query('/w/dist/routes/orders.js', 'slice')!;
  assert.deepEqual(routes.functions.map((f) => [f.function, f.line, f.calls, f.errors]), [['getOrder', 18, 1, 0]]);
  assert.deepEqual(agg.stats(), { spans: 3, logs: 0, unlocated: 1, keys: 5, evictions: 0 });
});

test('sources are kept apart and queried separately', () => {
  const { agg } = setup();
  agg.addSpans([span({ durationMs: 10 }), span({ source: 'baseline', durationMs: 100 }), span({ source: 'baseline', durationMs: 100 })]);
  const mine = agg.query('/w/src/a.js', 'slice')!;
  const base = agg.query('/w/src/a.js', 'baseline')!;
  assert.equal(mine.functions[0]!.calls, 1);
  assert.equal(base.functions[0]!.calls, 2);
  assert.ok(Math.abs(base.functions[0]!.p95 - 100) <= 1);
  assert.deepEqual(agg.sourceTags().sort(), ['baseline', 'slice']);
  assert.equal(agg.query('/w/src/a.js', 'someone-else'), undefined);
});

test('the window slides with the clock', () => {
  const { agg, advance } = setup({ windowMinutes: 2 });
  agg.addSpan(span({}));
  advance(60_000);
  agg.addSpan(span({}));
  assert.equal(agg.query('/w/src/a.js', 'slice')!.functions[0]!.calls, 2);
  advance(60_000);
  assert.equal(agg.query('/w/src/a.js', 'slice')!.functions[0]!.calls, 1);
  advance(60_000);
  assert.deepEqual(agg.query('/w/src/a.js', 'slice')!.functions, []);
});

test('staleness: data recorded for another file version is marked stale; new data for a new version starts afresh', () => {
  const { agg } = setup();
  agg.setFileVersion('/w/src/a.js', 'v1');
  agg.addSpans([span({}), span({})]);
  let view = agg.query('/w/src/a.js', 'slice', 'v1')!;
  assert.equal(view.stale, false);
  assert.equal(view.lines[0]!.version, 'v1');
  view = agg.query('/w/src/a.js', 'slice', 'v2')!; // the buffer was edited
  assert.equal(view.stale, true);
  assert.equal(view.lines[0]!.stale, true);
  agg.setFileVersion('/w/src/a.js', 'v2'); // the edit was synced
  agg.addSpan(span({}));
  view = agg.query('/w/src/a.js', 'slice', 'v2')!;
  assert.equal(view.stale, false);
  assert.equal(view.functions[0]!.calls, 1);
  assert.equal(agg.query('/w/src/a.js', 'slice')!.stale, false); // no version asked: nothing is stale
  agg.setFileVersion('/w/src/a.js', undefined); // forgotten: new data is recorded against no version
  agg.addSpan(span({}));
  view = agg.query('/w/src/a.js', 'slice')!;
  assert.equal(view.functions[0]!.calls, 1);
  assert.equal(view.functions[0]!.version, undefined);
});

test('bounded: the key cap evicts the least recently updated entries and counts them', () => {
  const { agg } = setup({ maxKeys: 100 });
  for (let i = 1; i <= 300; i++) agg.addSpan(span({ line: i, fn: `f${i}` }));
  const st = agg.stats();
  assert.ok(st.keys <= 100, `keys ${st.keys}`);
  assert.equal(st.evictions, 600 - st.keys);
  const view = agg.query('/w/src/a.js', 'slice')!;
  assert.ok(view.lines.every((l) => l.line > 200));
  assert.ok(view.lines.some((l) => l.line === 300));
});

test('unmapped, dependency and location-less spans are counted as unlocated', () => {
  const { agg } = setup();
  agg.addSpans([span({ file: '/other/a.js' }), span({ file: '/app/node_modules/x/index.js' }), span({ code: undefined })]);
  assert.equal(agg.stats().unlocated, 3);
  assert.equal(agg.stats().keys, 0);
});

test('logs: OTLP log records and container lines go to their line, last K kept, errors counted with the exception', () => {
  const { agg } = setup();
  const logs = decodeLogsProto(fixtureBytes('go-logs.pb'), { source: 'baseline' });
  assert.ok(logs.ok);
  agg.addLogs(logs.value);
  const view = agg.query('/py/views.py', 'baseline')!;
  assert.deepEqual(view.lines.map((l) => [l.line, l.errors, l.lastLogs.map((x) => x.body)]), [
    [38, 0, ['cart loaded']],
    [44, 1, ['checkout failed']],
  ]);
  assert.equal(view.lines[1]!.lastError?.type, 'ZeroDivisionError');
  assert.equal(view.lines[1]!.lastError?.frames[0]?.file, '/srv/app/pricing.py');
  for (let i = 0; i < 8; i++) {
    const r = parseLogLine(JSON.stringify({ level: 30, msg: `m${i}`, caller: '/app/src/a.js:5:1' }), { source: 'slice' });
    assert.ok(r.ok);
    agg.addLog(r.value);
  }
  const a = agg.query('/w/src/a.js', 'slice')!;
  assert.deepEqual(a.lines[0]!.lastLogs.map((l) => l.body), ['m7', 'm6', 'm5', 'm4', 'm3']);
  assert.equal(agg.stats().unlocated, 1); // the kvlist-body record has no location
});

test('onDidChange fires once per batch of changes; takeChanged drains and re-arms', () => {
  const { agg } = setup();
  let fired = 0;
  agg.onDidChange(() => fired++);
  agg.addSpans([span({}), span({ file: '/app/src/b.js' })]);
  agg.addSpan(span({}));
  assert.equal(fired, 1);
  assert.deepEqual(agg.takeChanged().map((c) => c.file).sort(), ['/w/src/a.js', '/w/src/b.js']);
  agg.addSpan(span({}));
  assert.equal(fired, 2);
  assert.deepEqual(agg.takeChanged().map((c) => c.file), ['/w/src/a.js']); // marked again after the drain
  assert.deepEqual(agg.takeChanged(), []);
  agg.addSpan(span({ file: '/app/src/b.js' }));
  agg.clear();
  assert.deepEqual(agg.takeChanged(), []);
  agg.addSpan(span({ file: '/app/src/b.js' }));
  assert.deepEqual(agg.takeChanged().map((c) => c.file), ['/w/src/b.js']);
  agg.dispose();
});
