import * as vscode from 'vscode';
import { DisposableStore, type IDisposable } from '../../core/base/disposable';
import { type MetricsViewMessage, MetricsViewFeed, isMetricsWebviewMessage } from '../../app/telemetry/metricsView';
import { type SliceMetrics } from '../../app/telemetry/sliceMetrics';
import { Commands } from '../commandRegistry';
import { metricsViewSettings } from './metricsSettings';
import { webviewHtml } from '../webviewPage';

export const METRICS_VIEW_TYPE = 'slice.metrics';

/**
 * The metrics view (issue 23): one webview panel, reused, with a uPlot chart per metric of the
 * slice and the baseline's beside it. Its script and styles are the bundle esbuild makes of
 * media/metrics with uPlot (dist/webview), loaded through asWebviewUri under a CSP with a per-load
 * nonce on every script and style and `default-src 'none'`: no remote content. The host posts the
 * app layer's updates (MetricsViewFeed: the whole model, then only the new points); the page posts
 * `ready` and `openTrace` (an exemplar's trace, opened in the trace panel), checked before use.
 */
export class MetricsPanel implements IDisposable {
  private readonly store = new DisposableStore('metrics panel');
  private readonly panelStore = new DisposableStore('metrics panel instance');
  private panel: vscode.WebviewPanel | undefined;
  private feed: MetricsViewFeed | undefined;
  /** The messages posted to the webview, newest last, at most 50 (test hook). */
  readonly posted: MetricsViewMessage[] = [];
  /** How many times a page said it loaded (its script ran under the CSP) (test hook). */
  readyCount = 0;

  constructor(
    private readonly metrics: SliceMetrics,
    private readonly extensionUri: vscode.Uri,
  ) {
    this.store.add(this.panelStore);
    const hasData = () => void vscode.commands.executeCommand('setContext', 'slice.metricsHasData', metrics.stores().length > 0);
    this.store.add(metrics.onDidChange(hasData));
    this.store.add(
      vscode.workspace.onDidChangeConfiguration((e) => {
        if (!e.affectsConfiguration('slice.metrics.window') && !e.affectsConfiguration('slice.metrics.refreshSeconds')) return;
        this.feed?.restartTimer();
        this.feed?.refresh();
      }),
    );
  }

  get visible(): boolean {
    return this.panel !== undefined;
  }

  /** The feed of the open view (test hook). */
  get current(): MetricsViewFeed | undefined {
    return this.feed;
  }

  show(): void {
    if (this.panel) {
      this.panel.reveal(undefined, false);
      return;
    }
    const root = vscode.Uri.joinPath(this.extensionUri, 'dist', 'webview');
    const panel = vscode.window.createWebviewPanel(METRICS_VIEW_TYPE, 'Slice Metrics', { viewColumn: vscode.ViewColumn.Beside, preserveFocus: false }, { enableScripts: true, retainContextWhenHidden: true, localResourceRoots: [root] });
    this.panel = panel;
    panel.iconPath = vscode.Uri.joinPath(this.extensionUri, 'media', 'slice.svg');
    panel.webview.html = webviewHtml(panel.webview, { root, style: 'metrics.css', script: 'metrics.js', title: 'Slice Metrics', dataImages: true, body: `<header id="summary" class="summary">Loading metrics…</header>
<main id="charts" class="charts"></main>
<p id="live" class="live" aria-live="polite" role="status"></p>
<footer id="footer" class="footer"></footer>` });
    this.feed = this.panelStore.add(
      new MetricsViewFeed(this.metrics, metricsViewSettings, (m) => {
        this.posted.push(m);
        if (this.posted.length > 50) this.posted.shift();
        void panel.webview.postMessage(m);
      }),
    );
    this.panelStore.add(panel.webview.onDidReceiveMessage((m: unknown) => void this.handleMessage(m)));
    this.panelStore.add(
      panel.onDidDispose(() => {
        this.panel = undefined;
        this.feed = undefined;
        this.panelStore.clear();
      }),
    );
  }

  /** Handles a message of the webview; anything but `ready` and a well-formed `openTrace` is dropped. */
  async handleMessage(m: unknown): Promise<void> {
    if (!isMetricsWebviewMessage(m)) return;
    if (m.type === 'ready') {
      this.readyCount++;
      this.feed?.reset();
      return;
    }
    await vscode.commands.executeCommand(Commands.openTrace, m.traceId);
  }

  dispose(): void {
    this.panel?.dispose();
    this.store.dispose();
  }
}
