import * as vscode from 'vscode';
import { DisposableStore, type IDisposable } from '../../core/base/disposable';
import { type ILogger } from '../../core/base/logger';
import { type PathMappingEntry } from '../../core/telemetry';
import { type TelemetryDecoder } from '../../core/telemetry/decodePayload';
import { type CommandRegistry, Commands } from '../commandRegistry';
import { TelemetryCodeLensProvider } from './codeLens';
import { TelemetryDecorations } from './decorations';
import { RuntimeDiagnostics } from './diagnostics';
import { KeyDropDiagnostics } from './keyDropDiagnostics';
import { FunctionRanges } from './functionRanges';
import { DocumentHashes } from './hash';
import { TelemetryHoverProvider } from './hovers';
import { DEFAULT_CONTAINER_ROOT, PathMappingsReader } from './pathMappings';
import { registerTelemetryCommands } from './telemetryCommands';
import { TelemetryPipeline } from '../../app/telemetry/telemetryPipeline';
import { editorPipelineHost } from './pipelineHost';
import { telemetrySettings } from './telemetrySettings';
import { TracePanel } from './tracePanel';
import { TracesView } from './tracesView';
import { MetricsPanel } from '../metrics/metricsPanel';

/** What the extension exposes of its telemetry rendering, for tests and benchmarks. */
export interface TelemetryApi {
  readonly service: TelemetryPipeline;
  readonly codeLens: TelemetryCodeLensProvider;
  readonly decorations: TelemetryDecorations;
  readonly diagnostics: RuntimeDiagnostics;
  readonly tracePanel: TracePanel;
  readonly tracesView: TracesView;
  readonly metricsPanel: MetricsPanel;
  /** Pins the container → workspace mappings (slice.yaml is no longer read); undefined goes back to slice.yaml. */
  setPathMappings(mappings: readonly PathMappingEntry[] | undefined): Promise<void>;
  /** Resolves once everything ingested so far is aggregated and rendered. */
  settled(): Promise<void>;
}

const FILES: vscode.DocumentSelector = { scheme: 'file' };

/**
 * Issue 6's editor side: the ingest port (TelemetryPipeline) and everything that renders it —
 * CodeLens, end-of-line decorations, hovers, runtime diagnostics, the trace waterfall and the
 * Traces & Errors view — plus the telemetry commands. Owns all of it.
 */
export class TelemetryFeature implements IDisposable {
  private readonly store = new DisposableStore('telemetry');
  private pinned = false;
  private readonly mappingsReader = new PathMappingsReader();
  private windowMinutes = telemetrySettings.windowMinutes();
  readonly api: TelemetryApi;

  /** `decoder`: the composition root's (a worker thread, dist/telemetryWorker.js): the editor's event loop only aggregates. */
  constructor(registry: CommandRegistry, logger: ILogger, extensionUri: vscode.Uri, decoder: TelemetryDecoder) {
    const root = vscode.workspace.workspaceFolders?.[0]?.uri.fsPath;
    const service = this.store.add(new TelemetryPipeline(logger, editorPipelineHost, root ? [{ containerPath: DEFAULT_CONTAINER_ROOT, localPath: root }] : [], decoder));
    const hashes = new DocumentHashes();
    const ranges = new FunctionRanges();
    const minutes = () => this.windowMinutes;
    const codeLens = this.store.add(new TelemetryCodeLensProvider(service, ranges, hashes, minutes));
    const decorations = this.store.add(new TelemetryDecorations(service, hashes, telemetrySettings.decorations));
    const diagnostics = this.store.add(new RuntimeDiagnostics(service, hashes));
    // routed traces: the call in this code that dropped the routing key (issue 22)
    this.store.add(new KeyDropDiagnostics(service));
    const tracePanel = this.store.add(new TracePanel(service, extensionUri));
    const tracesView = this.store.add(new TracesView(service));
    this.store.add(vscode.languages.registerCodeLensProvider(FILES, codeLens));
    this.store.add(vscode.languages.registerHoverProvider(FILES, new TelemetryHoverProvider(service, hashes, minutes)));
    registerTelemetryCommands(registry, service, tracePanel);
    const metricsPanel = this.store.add(new MetricsPanel(service.metrics, extensionUri));
    registry.register(Commands.showMetrics, () => metricsPanel.show());

    this.store.add(
      vscode.workspace.onDidChangeConfiguration((e) => {
        if (e.affectsConfiguration('slice.telemetry.window')) {
          this.windowMinutes = telemetrySettings.windowMinutes();
          service.reset();
        } else if (e.affectsConfiguration('slice.telemetry.source') || e.affectsConfiguration('slice.metrics')) {
          service.fireAll();
        } else if (e.affectsConfiguration('slice.telemetry.decorations')) {
          decorations.invalidate();
        }
      }),
    );
    // Until sync acknowledges versions, the slice is taken to run what is saved.
    this.store.add(vscode.workspace.onDidSaveTextDocument((d) => d.uri.scheme === 'file' && service.setFileVersion(d.uri.fsPath, hashes.of(d))));
    this.store.add(vscode.workspace.onDidCloseTextDocument((d) => (hashes.forget(d), ranges.forget(d))));
    const reload = () => void this.reloadMappings(service, logger);
    const watcher = this.store.add(vscode.workspace.createFileSystemWatcher('**/slice.yaml'));
    this.store.add(watcher.onDidChange(reload));
    this.store.add(watcher.onDidCreate(reload));
    this.store.add(watcher.onDidDelete(reload));
    reload();

    this.api = {
      service,
      codeLens,
      decorations,
      diagnostics,
      tracePanel,
      tracesView,
      metricsPanel,
      setPathMappings: async (mappings) => {
        this.pinned = mappings !== undefined;
        if (mappings) service.setPathMappings(mappings);
        else await this.reloadMappings(service, logger);
      },
      settled: async () => {
        await service.settled();
        decorations.invalidate();
        diagnostics.invalidate();
        await Promise.all([decorations.settled(), diagnostics.settled(), tracesView.settled()]);
      },
    };
  }

  private async reloadMappings(service: TelemetryPipeline, logger: ILogger): Promise<void> {
    try {
      const mappings = await this.mappingsReader.read();
      if (!this.pinned) service.setPathMappings(mappings);
    } catch (e) {
      logger.warn(`telemetry: could not read the path mappings of slice.yaml: ${String(e)}`);
    }
  }

  dispose(): void {
    this.store.dispose();
  }
}
