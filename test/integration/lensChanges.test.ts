import * as assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as vscode from 'vscode';
import { type SliceApi } from '../../src/container';
import { activateSlice, scratch } from './helpers';

/**
 * Issue 20: VS Code asks for the lenses at least 250 ms after a provider says they changed, and
 * each new event starts that wait over: events for data that changes no lens (a call's span on a
 * line, a log line) kept the drawn lens at its old figure while a fork exported every 50 ms. The
 * provider says its lenses changed only when a shown lens stands on new data.
 */
describe('the CodeLens says it changed only when a lens did (issue 20)', () => {
  let api: SliceApi;
  const root = join(scratch, 'lens-changes');
  const file = join(root, 'handlers.js');
  let events = 0;
  let sub: vscode.Disposable | undefined;

  const span = (id: string, line: number, fn: string | undefined, ms: number) => ({
    traceId: `${id}`.padStart(32, '0'),
    spanId: `${id}`.padStart(16, '0'),
    name: fn ?? 'GET inventory',
    kind: fn ? 1 : 3,
    startTimeUnixNano: `${Date.now()}000000`,
    endTimeUnixNano: `${Date.now() + ms}000000`,
    attributes: [
      { key: 'code.file.path', value: { stringValue: '/app/handlers.js' } },
      { key: 'code.line.number', value: { intValue: line } },
      ...(fn ? [{ key: 'code.function.name', value: { stringValue: fn } }] : []),
    ],
    status: {},
  });
  const ingest = async (spans: object[]) => {
    const body = JSON.stringify({ resourceSpans: [{ resource: { attributes: [] }, scopeSpans: [{ spans }] }] });
    await api.telemetry.service.ingest({ kind: 'traces', encoding: 'json', body, source: 'mine' });
    await api.telemetry.service.settled();
    await api.telemetry.codeLens.idle();
  };

  before(async () => {
    api = await activateSlice();
    mkdirSync(root, { recursive: true });
    writeFileSync(file, ['async function createOrder(body) {', '  const stock = await fetch(body.sku);', '  return stock;', '}', '', 'async function getOrder(id) {', '  return id;', '}', ''].join('\n'));
    await api.telemetry.setPathMappings([{ containerPath: '/app', localPath: root }]);
    api.telemetry.service.clear();
    await vscode.window.showTextDocument(await vscode.workspace.openTextDocument(vscode.Uri.file(file)));
    await api.telemetry.codeLens.idle();
    sub = api.telemetry.codeLens.onDidChangeCodeLenses(() => events++);
  });

  after(async () => {
    sub?.dispose();
    api.telemetry.service.clear();
    await api.telemetry.setPathMappings(undefined);
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
  });

  it("a function's new figure: one event", async () => {
    events = 0;
    await ingest([span('1', 1, 'createOrder', 40)]);
    assert.equal(events, 1);
  });

  it('a call on a line of that function (no function of its own): no event, the lens is as it was', async () => {
    events = 0;
    await ingest([span('2', 2, undefined, 5)]);
    assert.equal(events, 0, 'no lens stands on a line-only entry');
  });

  it("another function's figure in the same file: an event again", async () => {
    events = 0;
    await ingest([span('3', 6, 'getOrder', 3)]);
    assert.equal(events, 1);
  });
});
