import * as assert from 'node:assert/strict';
import { cpSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import * as vscode from 'vscode';
import { type SliceApi } from '../../src/container';
import { nullLogger } from '../../src/core/base/logger';
import { InlineDecoder, type TelemetryDecoder } from '../../src/core/telemetry/decodePayload';
import { TelemetryPipeline } from '../../src/app/telemetry/telemetryPipeline';
import { editorPipelineHost } from '../../src/vscode/telemetry/pipelineHost';
import { activateSlice, scratch, waitFor } from './helpers';

const repo = resolve(__dirname, '..', '..', '..');
const fixtures = join(repo, 'test', 'unit', 'core', 'telemetry', 'fixtures');
// The tests edit a file (staleness): they work on a copy, so nothing they do can reach the repository.
const sample = join(scratch, 'telemetry-sample');
cpSync(join(repo, 'test', 'workspace', 'telemetry-sample'), sample, { recursive: true });
const ordersUri = vscode.Uri.file(join(sample, 'dist', 'routes', 'orders.js'));
const serviceUri = vscode.Uri.file(join(sample, 'dist', 'services', 'orderService.js'));
const TRACE_ID = '4bf92f3577b34da6a3ce929d0e0e4736';

/** The file's Slice lenses, each resolved (titled) as VS Code does when it scrolls into view. */
async function lenses(uri: vscode.Uri): Promise<{ line: number; title: string; command: string }[]> {
  const all = (await vscode.commands.executeCommand<vscode.CodeLens[]>('vscode.executeCodeLensProvider', uri, 10_000)) ?? [];
  return all.filter((l) => l.command?.title.startsWith('⏱')).map((l) => ({ line: l.range.start.line, title: l.command!.title, command: l.command!.command }));
}

async function hoverText(uri: vscode.Uri, line: number, character: number): Promise<string> {
  const hovers = (await vscode.commands.executeCommand<vscode.Hover[]>('vscode.executeHoverProvider', uri, new vscode.Position(line, character))) ?? [];
  return hovers.flatMap((h) => h.contents.map((c) => (typeof c === 'string' ? c : c.value))).join('\n');
}

/** Polls an async probe until it returns something (waitFor's probes are synchronous). */
async function eventually<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 15_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await probe();
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

const runtimeDiagnostics = (uri: vscode.Uri) => vscode.languages.getDiagnostics(uri).filter((d) => d.source === 'Slice runtime');

async function setSource(value: 'mine' | 'baseline' | 'both' | undefined): Promise<void> {
  await vscode.workspace.getConfiguration('slice.telemetry').update('source', value, vscode.ConfigurationTarget.Global);
}

describe('telemetry in the editor (issue 6)', () => {
  let api: SliceApi;
  let serviceEditor: vscode.TextEditor;

  before(async () => {
    api = await activateSlice();
    await api.telemetry.setPathMappings([{ containerPath: '/app', localPath: sample }]);
    api.telemetry.service.clear();
    // Container log lines first, then the spans, so the last error at the throwing line is the span's (with its full stack).
    for (const line of readFileSync(join(fixtures, 'logs', 'container.log'), 'utf8').split('\n')) if (line) api.telemetry.service.ingestLogLine(line, 'mine');
    const r = await api.telemetry.service.ingest({ kind: 'traces', encoding: 'json', body: readFileSync(join(fixtures, 'otlp-traces-node-sdk.json'), 'utf8'), source: 'mine' });
    assert.equal(r.spans, 3);
    await vscode.window.showTextDocument(await vscode.workspace.openTextDocument(ordersUri), vscode.ViewColumn.One);
    serviceEditor = await vscode.window.showTextDocument(await vscode.workspace.openTextDocument(serviceUri), vscode.ViewColumn.Two);
    await api.telemetry.settled();
  });

  after(async () => {
    for (const doc of vscode.workspace.textDocuments) {
      if (doc.isDirty && doc.uri.fsPath.startsWith(sample)) {
        await vscode.window.showTextDocument(doc);
        await vscode.commands.executeCommand('workbench.action.files.revert');
      }
    }
    await setSource(undefined);
    api.telemetry.service.clear();
    await api.telemetry.setPathMappings(undefined);
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
  });

  it('CodeLens above each function with data, at the function symbol, in the issue format', async () => {
    const o = await eventually('orders.js lenses', async () => {
      const l = await lenses(ordersUri);
      return l.length > 0 ? l : undefined;
    });
    assert.deepEqual(o.map((l) => l.line), [17], JSON.stringify(o));
    assert.match(o[0]!.title, /^⏱ p95 4\d ms · n=1 · max 4\d ms · 5 min$/);
    const s = await lenses(serviceUri);
    assert.deepEqual(s.map((l) => l.line), [41], JSON.stringify(s));
    assert.match(s[0]!.title, /^⏱ p95 4\d ms · n=1 · max 4\d ms · 1 error · 5 min$/);
    assert.equal(s[0]!.command, 'slice.openTrace');
  });

  it('end-of-line decorations show the last error and the last log line at their lines', async () => {
    await api.telemetry.settled();
    const svc = api.telemetry.decorations.applied.get(serviceUri.toString()) ?? [];
    const at47 = svc.find((d) => d.line === 46);
    assert.equal(at47?.kind, 'error', JSON.stringify(svc));
    assert.match(at47.text, /^✖ Error: order 17 not found · /);
    const orders = api.telemetry.decorations.applied.get(ordersUri.toString()) ?? [];
    const at24 = orders.find((d) => d.line === 23);
    assert.equal(at24?.kind, 'log', JSON.stringify(orders));
    assert.equal(at24.text, '▸ order loaded');
  });

  it('secret-looking values in logs are masked in decorations and hovers', async () => {
    const line = JSON.stringify({ level: 30, time: Date.now(), caller: '/app/dist/routes/orders.js:10:3', msg: 'connecting to postgres://shop:hunter2secret@db:5432/shop with token=abcdef123456' });
    assert.ok(api.telemetry.service.ingestLogLine(line, 'mine'));
    await api.telemetry.settled();
    const deco = await eventually('the masked log decoration', async () => {
      await api.telemetry.settled();
      return (api.telemetry.decorations.applied.get(ordersUri.toString()) ?? []).find((d) => d.line === 9);
    });
    assert.equal(deco.kind, 'log');
    assert.equal(deco.text, '▸ connecting to postgres://shop:***@db:5432/shop with token=***');
    const hover = await hoverText(ordersUri, 9, 2);
    assert.doesNotMatch(hover, /hunter2secret|abcdef123456/);
  });

  it('hovers show the statistics, the last error with its stack, and an Open Trace command link', async () => {
    const text = await hoverText(serviceUri, 46, 8);
    assert.match(text, /Slice telemetry/);
    assert.match(text, /order 17 not found/);
    assert.match(text, /at OrderService\.loadOrder \(\/app\/dist\/services\/orderService\.js:47:13\)\nat getOrder \(\/app\/dist\/routes\/orders\.js:21:19\)\n```/);
    assert.ok(text.includes(`command:slice.openTrace?${encodeURIComponent(JSON.stringify([TRACE_ID]))}`), text);
    const fn = await hoverText(serviceUri, 41, 8);
    assert.match(fn, /p50 4\d ms · p95 4\d ms · p99 4\d ms · max 4\d ms · 1 call · 1 error/);
    const log = await hoverText(ordersUri, 23, 4);
    assert.match(log, /Recent logs/);
    assert.match(log, /INFO order loaded/);
    assert.equal(await hoverText(ordersUri, 2, 2), '');
  });

  it('runtime errors are in the Problems panel at the throwing line, with the stack frames of the workspace', async () => {
    const diags = await waitFor('runtime diagnostics', () => {
      const d = runtimeDiagnostics(serviceUri);
      return d.length > 0 ? d : undefined;
    });
    assert.deepEqual(diags.map((d) => d.range.start.line), [46], 'only at the throwing line (not at the span line 42)');
    const d = diags[0]!;
    assert.match(d.message, /^Error: order 17 not found/);
    assert.equal(d.severity, vscode.DiagnosticSeverity.Error);
    assert.equal(d.range.start.character, 4);
    const related = (d.relatedInformation ?? []).map((r) => [r.location.uri.fsPath, r.location.range.start.line, r.message]);
    assert.deepEqual(related, [
      [serviceUri.fsPath, 46, 'at OrderService.loadOrder'],
      [ordersUri.fsPath, 20, 'at getOrder'],
    ]);
  });

  it('data for another version of the file is marked stale, and current again when the buffer is back', async () => {
    await serviceEditor.edit((b) => b.insert(new vscode.Position(0, 0), '// edited\n'));
    const stale = await eventually('stale lens', async () => {
      const l = await lenses(serviceUri);
      return l[0]?.title.includes('(stale)') ? l : undefined;
    });
    assert.match(stale[0]!.title, /^⏱ \(stale\) p95/);
    await api.telemetry.settled();
    const deco = api.telemetry.decorations.applied.get(serviceUri.toString()) ?? [];
    assert.ok(deco.length > 0 && deco.every((d) => d.stale && d.text.startsWith('(stale)')), JSON.stringify(deco));
    assert.match(runtimeDiagnostics(serviceUri)[0]?.message ?? '', /\(stale/);
    // issue 20 item 8: the stale diagnostic follows the line inserted above it (it stayed on line 46)
    assert.deepEqual(runtimeDiagnostics(serviceUri).map((d) => d.range.start.line), [47], 'moved down with its line');
    await serviceEditor.edit((b) => b.delete(new vscode.Range(0, 0, 1, 0)));
    const fresh = await eventually('current lens', async () => {
      const l = await lenses(serviceUri);
      return l[0] && !l[0].title.includes('stale') ? l : undefined;
    });
    assert.match(fresh[0]!.title, /^⏱ p95/);
  });

  it('the trace waterfall opens, and a click on a span opens its code line', async () => {
    const opened = await vscode.commands.executeCommand<string>('slice.openTrace', TRACE_ID);
    assert.equal(opened, TRACE_ID);
    const posted = await waitFor('the trace to reach the webview', () => (api.telemetry.tracePanel.lastPosted?.traceId === TRACE_ID ? api.telemetry.tracePanel.lastPosted : undefined));
    assert.deepEqual(posted.spans.map((s) => [s.name, s.depth, s.location]), [
      ['GET /orders/:id', 0, `${join(sample, 'dist', 'routes', 'orders.js')}:18`],
      ['loadOrder', 1, `${join(sample, 'dist', 'services', 'orderService.js')}:42`],
      ['pg.query:SELECT orders', 2, undefined],
    ]);
    const editor = await api.telemetry.tracePanel.handleMessage({ type: 'openSpan', spanId: '53995c3f42cd8ad8' });
    assert.equal(editor?.document.uri.fsPath, serviceUri.fsPath);
    assert.equal(editor.selection.active.line, 41);
    assert.equal(await api.telemetry.tracePanel.handleMessage({ type: 'openSpan', spanId: 'b7ad6b7169203331' }), undefined, 'a span without code opens nothing');
    assert.equal(await api.telemetry.tracePanel.handleMessage({ type: 'evil', spanId: 1 }), undefined);
  });

  it('the Traces & Errors view lists the recent traces and errors', async () => {
    await api.telemetry.settled();
    const snap = api.telemetry.tracesView.snapshot();
    assert.deepEqual(snap.traces, ['GET /orders/:id']);
    // issue 20 item 8: method + route, then status, duration, spans, errors and how long ago
    assert.match(snap.traceDescriptions[0] ?? '', /^200 · [\d.]+ m?s · 3 spans · 1 error · (\d+ (s|min) ago|\d\d:\d\d:\d\d)$/);
    // the "N s ago" labels are redrawn by a timer that runs while the view is visible
    await vscode.commands.executeCommand('slice.traces.focus');
    await waitFor('the age timer of the visible view', () => (api.telemetry.tracesView.refreshingAges ? true : undefined));
    assert.ok(snap.errors.includes('Error: order 17 not found'), JSON.stringify(snap.errors));
  });

  it("shows my slice's data by default, the baseline's or both on request", async () => {
    await api.telemetry.service.ingest({ kind: 'traces', encoding: 'json', body: readFileSync(join(fixtures, 'otlp-traces-node-sdk.json'), 'utf8'), source: 'baseline' });
    await setSource('both');
    const both = await eventually('both sources', async () => {
      const l = await lenses(ordersUri);
      return l.length === 2 ? l : undefined;
    });
    assert.deepEqual(both.map((l) => l.title.replace(/ p95.*/, '')), ['⏱ mine:', '⏱ baseline:']);
    await setSource('baseline');
    await eventually('baseline only', async () => ((await lenses(ordersUri)).length === 1 ? true : undefined));
    await setSource('mine');
  });

  it('Import Telemetry File… reads OTLP protobuf and JSON logs, and Clear Telemetry forgets everything', async () => {
    const pb = await vscode.commands.executeCommand<{ spans: number }>('slice.importTelemetry', vscode.Uri.file(join(fixtures, 'go-traces.pb')));
    assert.ok(pb && pb.spans > 0, JSON.stringify(pb));
    const logs = await vscode.commands.executeCommand<{ logs: number }>('slice.importTelemetry', vscode.Uri.file(join(fixtures, 'otlp-logs-python-sdk.json')));
    assert.equal(logs?.logs, 3);
    assert.ok(api.telemetry.service.traces.size >= 2);
    await vscode.commands.executeCommand('slice.clearTelemetry');
    await api.telemetry.settled();
    assert.equal(api.telemetry.service.traces.size, 0);
    await eventually('lenses to go', async () => ((await lenses(serviceUri)).length === 0 ? true : undefined));
    await waitFor('diagnostics to go', () => runtimeDiagnostics(serviceUri).length === 0);
  });

  it('in a long file, lenses far from the visible lines are titled only when VS Code resolves them', async () => {
    // 300 functions of 10 lines; data for the first and the last
    const big = join(sample, 'dist', 'big.js');
    writeFileSync(big, Array.from({ length: 300 }, (_, f) => [`function fn${f}(a) {`, ...Array.from({ length: 8 }, () => '  a = a + 1;'), '}'].join('\n')).join('\n') + '\n');
    const span = (f: number, id: string) => ({
      traceId: 'aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa',
      spanId: id,
      name: `fn${f}`,
      kind: 1,
      startTimeUnixNano: '1718000000000000000',
      endTimeUnixNano: '1718000000020000000',
      attributes: [
        { key: 'code.file.path', value: { stringValue: '/app/dist/big.js' } },
        { key: 'code.line.number', value: { intValue: f * 10 + 1 } },
        { key: 'code.function.name', value: { stringValue: `fn${f}` } },
      ],
      status: {},
    });
    const body = JSON.stringify({ resourceSpans: [{ resource: { attributes: [] }, scopeSpans: [{ spans: [span(0, '00000000000000a1'), span(299, '00000000000000a2')] }] }] });
    assert.equal((await api.telemetry.service.ingest({ kind: 'traces', encoding: 'json', body, source: 'mine' })).spans, 2);
    const uri = vscode.Uri.file(big);
    const editor = await vscode.window.showTextDocument(await vscode.workspace.openTextDocument(uri), vscode.ViewColumn.One);
    editor.revealRange(new vscode.Range(0, 0, 0, 0), vscode.TextEditorRevealType.AtTop);
    const provided = await eventually('big.js lenses', async () => {
      const all = (await vscode.commands.executeCommand<vscode.CodeLens[]>('vscode.executeCodeLensProvider', uri)) ?? [];
      return all.length === 2 ? all : undefined;
    });
    const byLine = new Map(provided.map((l) => [l.range.start.line, l]));
    assert.deepEqual([...byLine.keys()].sort((a, b) => a - b), [0, 2990]);
    assert.match(byLine.get(0)!.command?.title ?? '', /^⏱ p95 2\d ms · n=1 · max 2\d ms · 5 min$/, 'near the visible lines: titled when provided');
    assert.equal(byLine.get(2990)!.command, undefined, 'far from them: left to resolveCodeLens');
    const resolved = await lenses(uri);
    assert.deepEqual(resolved.map((l) => l.line), [0, 2990]);
    for (const l of resolved) assert.match(l.title, /^⏱ p95 2\d ms · n=1 · max 2\d ms · 5 min$/);
    await vscode.commands.executeCommand('workbench.action.closeActiveEditor');
  });
});

describe('telemetry ingest under a burst (issue 6)', () => {
  it('decodes at most three payloads ahead of aggregation, and aggregates them in arrival order', async () => {
    // The real service and the real in-thread decoder; the wrapper notes, at each decode it starts,
    // how many payloads are decoded or decoding and not aggregated yet.
    const inline = new InlineDecoder();
    let started = 0;
    let mostAhead = 0;
    let aggregated = (): number => 0;
    const counting: TelemetryDecoder = {
      decode: (job) => {
        started++;
        mostAhead = Math.max(mostAhead, started - aggregated());
        return inline.decode(job);
      },
      dispose: () => inline.dispose(),
    };
    const service = new TelemetryPipeline(nullLogger, editorPipelineHost, [{ containerPath: '/app', localPath: sample }], counting);
    try {
      const body = readFileSync(join(fixtures, 'otlp-traces-node-sdk.json'), 'utf8');
      const first = await service.ingest({ kind: 'traces', encoding: 'json', body, source: 'mine' });
      assert.ok(first.spans > 0);
      aggregated = () => service.aggregator.stats().spans / first.spans;
      const order: number[] = [];
      const all = Array.from({ length: 40 }, (_, i) =>
        service.ingest({ kind: 'traces', encoding: 'json', body, source: 'mine' }).then((r) => {
          order.push(i);
          return r;
        }),
      );
      assert.equal(started, 1 + 3, 'only three payloads are handed to the decoder at once');
      const results = await Promise.all(all);
      assert.equal(started, 41);
      assert.ok(mostAhead <= 3, `at most three decoded ahead of aggregation (saw ${mostAhead})`);
      assert.deepEqual(order, Array.from({ length: 40 }, (_, i) => i));
      assert.ok(results.every((r) => r.spans === first.spans && r.rejected === undefined));
      assert.equal(service.aggregator.stats().spans, 41 * first.spans);
    } finally {
      service.dispose();
    }
  });

  it('answers the payloads still waiting when telemetry stops, as not decoded', async () => {
    const service = new TelemetryPipeline(nullLogger, editorPipelineHost, [], new InlineDecoder());
    const body = readFileSync(join(fixtures, 'otlp-traces-node-sdk.json'), 'utf8');
    const all = Array.from({ length: 10 }, () => service.ingest({ kind: 'traces', encoding: 'json', body, source: 'mine' }));
    service.dispose();
    const results = await Promise.all(all);
    assert.deepEqual(
      results.slice(3).map((r) => r.rejected),
      Array.from({ length: 7 }, () => 'telemetry stopped before the payload was decoded'),
    );
  });
});
