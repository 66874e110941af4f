import * as assert from 'node:assert/strict';
import { cpSync } from 'node:fs';
import { join, resolve } from 'node:path';
import * as vscode from 'vscode';
import { type SliceApi } from '../../src/container';
import { activateSlice, scratch, waitFor } from './helpers';

// Routed traces in the real extension host (issue 22): a trace whose orders hop had the routing key
// and whose call into inventory lost it puts a warning on orders' calling line, with a hover that
// names the service that lost the key and how to fix propagation.
const repo = resolve(__dirname, '..', '..', '..');
const sample = join(scratch, 'routed-sample');
cpSync(join(repo, 'test', 'workspace', 'telemetry-sample'), sample, { recursive: true });
const ordersUri = vscode.Uri.file(join(sample, 'dist', 'routes', 'orders.js'));
const LINE = 10; // 1-based: `const id = Number.parseInt(raw, 10);`

const span = (spanId: string, parent: string, kind: number, withKey: boolean, code?: number) => ({
  traceId: 'cccccccccccccccccccccccccccccccc',
  spanId,
  ...(parent ? { parentSpanId: parent } : {}),
  name: `span ${spanId}`,
  kind,
  startTimeUnixNano: '1718000000000000000',
  endTimeUnixNano: '1718000000010000000',
  attributes: [
    ...(withKey ? [{ key: 'slice.routing.slice', value: { stringValue: 'alice-checkout' } }] : []),
    ...(code ? [{ key: 'code.file.path', value: { stringValue: '/app/dist/routes/orders.js' } }, { key: 'code.line.number', value: { intValue: code } }] : []),
  ],
  status: {},
});
const resource = (service: string, baseline: boolean) => ({
  attributes: [{ key: 'service.name', value: { stringValue: service } }, ...(baseline ? [{ key: 'slice.source', value: { stringValue: 'baseline' } }] : [])],
});

const routingDiagnostics = (uri: vscode.Uri) => vscode.languages.getDiagnostics(uri).filter((d) => d.source === 'Slice routing');

describe('routed traces: the call that dropped the routing key (issue 22)', () => {
  let api: SliceApi;

  before(async () => {
    api = await activateSlice();
    await api.telemetry.setPathMappings([{ containerPath: '/app', localPath: sample }]);
    api.telemetry.service.clear();
  });

  it('marks the calling line with a warning and a hover that names the service that lost the key', async () => {
    const body = JSON.stringify({
      resourceSpans: [
        // orders (the fork): its handler span has the code location, its client span the key
        { resource: resource('orders', false), scopeSpans: [{ spans: [span('00000000000000b1', '', 2, true, LINE), span('00000000000000b2', '00000000000000b1', 3, true)] }] },
        // inventory (the baseline, through the collector): no key
        { resource: resource('inventory', true), scopeSpans: [{ spans: [span('00000000000000b3', '00000000000000b2', 2, false)] }] },
      ],
    });
    assert.equal((await api.telemetry.service.ingest({ kind: 'traces', encoding: 'json', body, source: 'mine' })).spans, 3);
    await waitFor('the routing diagnostic', () => routingDiagnostics(ordersUri).length === 1, 15_000);
    const d = routingDiagnostics(ordersUri)[0]!;
    assert.equal(d.range.start.line, LINE - 1);
    assert.equal(d.severity, vscode.DiagnosticSeverity.Warning);
    assert.match(d.message, /orders's span .* but not on inventory's span/);
    await vscode.workspace.openTextDocument(ordersUri);
    const hovers = (await vscode.commands.executeCommand<vscode.Hover[]>('vscode.executeHoverProvider', ordersUri, new vscode.Position(LINE - 1, 8))) ?? [];
    const text = hovers.flatMap((h) => h.contents.map((c) => (typeof c === 'string' ? c : c.value))).join('\n');
    assert.match(text, /Routing key dropped/);
    assert.match(text, /inventory lost it/);
    assert.match(text, /baggage/);

    // cleared with the telemetry
    api.telemetry.service.clear();
    await waitFor('the diagnostic cleared', () => routingDiagnostics(ordersUri).length === 0, 15_000);
  });
});
