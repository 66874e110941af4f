import * as vscode from 'vscode';
import { DisposableStore, type IDisposable } from '../../core/base/disposable';
import { type StoredTrace } from '../../core/telemetry/traceStore';
import { toVsLine } from './positions';
import { type TelemetryPipeline } from '../../app/telemetry/telemetryPipeline';
import { type WaterfallTrace, isWebviewMessage, toWaterfall } from './traceModel';
import { webviewHtml } from '../webviewPage';

export const TRACE_VIEW_TYPE = 'slice.trace';

/**
 * The trace waterfall: one webview panel, reused. Assets come from media/trace only, under a CSP
 * with a per-load nonce and no inline script; the page and the host talk by postMessage
 * (`ready` → `trace`; `openSpan` opens the span's code line).
 */
export class TracePanel implements IDisposable {
  private readonly store = new DisposableStore('trace panel');
  private panel: vscode.WebviewPanel | undefined;
  private readonly panelStore = new DisposableStore('trace panel instance');
  private current: StoredTrace | undefined;
  /** The last trace posted to the webview (test hook). */
  lastPosted: WaterfallTrace | undefined;

  constructor(
    private readonly service: TelemetryPipeline,
    private readonly extensionUri: vscode.Uri,
  ) {
    this.store.add(this.panelStore);
  }

  get visible(): boolean {
    return this.panel !== undefined;
  }

  show(trace: StoredTrace): void {
    this.current = trace;
    const title = `Trace: ${trace.root.name}`;
    if (this.panel) {
      this.panel.title = title;
      this.panel.reveal(undefined, true);
      this.post();
      return;
    }
    const root = vscode.Uri.joinPath(this.extensionUri, 'media', 'trace');
    const panel = vscode.window.createWebviewPanel(TRACE_VIEW_TYPE, title, { viewColumn: vscode.ViewColumn.Beside, preserveFocus: true }, { enableScripts: true, localResourceRoots: [root] });
    this.panel = panel;
    panel.iconPath = vscode.Uri.joinPath(this.extensionUri, 'media', 'slice.svg');
    panel.webview.html = webviewHtml(panel.webview, { root, style: 'trace.css', script: 'trace.js', title: 'Trace', body: `<header id="summary" class="summary">Loading trace…</header>
<div id="axis" class="axis" aria-hidden="true"></div>
<main id="rows" class="rows" role="list"></main>` });
    this.panelStore.add(panel.webview.onDidReceiveMessage((m: unknown) => void this.handleMessage(m)));
    this.panelStore.add(
      panel.onDidDispose(() => {
        this.panel = undefined;
        this.lastPosted = undefined; // a closed panel shows nothing
        this.panelStore.clear();
      }),
    );
  }

  /** Handles a message of the webview; for `openSpan`, resolves to the editor it opened (test hook). */
  async handleMessage(m: unknown): Promise<vscode.TextEditor | undefined> {
    if (!isWebviewMessage(m)) return undefined;
    if (m.type === 'ready') {
      this.post();
      return undefined;
    }
    const span = this.current?.spans.find((s) => s.spanId === m.spanId);
    const loc = span && this.service.locate(span.code);
    if (!loc) {
      void vscode.window.setStatusBarMessage(`Slice: span ${span?.name ?? m.spanId} has no code location in this workspace`, 4000);
      return undefined;
    }
    const doc = await vscode.workspace.openTextDocument(vscode.Uri.file(loc.file));
    const line = toVsLine(loc.line, doc);
    const pos = new vscode.Position(line, doc.lineAt(line).firstNonWhitespaceCharacterIndex);
    return vscode.window.showTextDocument(doc, { viewColumn: vscode.ViewColumn.One, selection: new vscode.Range(pos, pos) });
  }

  private post(): void {
    if (!this.panel || !this.current) return;
    const folders = vscode.workspace.workspaceFolders ?? [];
    this.lastPosted = toWaterfall(this.current, (s) => {
      const loc = this.service.locate(s.code);
      if (!loc) return undefined;
      const uri = vscode.Uri.file(loc.file);
      const rel = folders.length > 0 ? vscode.workspace.asRelativePath(uri, false) : loc.file;
      return `${rel}:${loc.line}`;
    });
    void this.panel.webview.postMessage({ type: 'trace', trace: this.lastPosted });
  }

  dispose(): void {
    this.panel?.dispose();
    this.store.dispose();
  }
}
