import * as vscode from 'vscode';
import { DisposableStore, type IDisposable } from './core/base/disposable';
import { messageOf } from './core/base/errors';
import { type ILogger } from './core/base/logger';
import { EnvironmentsModel, type SelectionStore } from './core/cluster/environmentsModel';
import { KubeClusterClient } from './platform/kube/clusterClient';
import { KubeClients } from './platform/kube/kubeClients';
import { KubeconfigLoader } from './platform/kube/kubeconfigLoader';
import { SliceClient } from './platform/kube/sliceClient';
import { NamespaceWatchSource, SliceWatchSource } from './platform/kube/sliceWatchSource';
import { SliceStores } from './app/slices/sliceStores';
import { SliceLifecycle } from './app/slices/sliceLifecycle';
import { IsolationChecks } from './app/slices/isolationChecks';
import { BaselineEntry } from './app/routing/baselineEntry';
import { Lifetime, Lifetimes } from './app/lifetimes';
import { Sessions } from './app/sessions';
import { environmentsWorld } from './app/world';
import { ForkResourceWatch } from './app/slices/forkResourceWatch';
import { registerClusterCommands } from './vscode/clusterCommands';
import { CommandRegistry } from './vscode/commandRegistry';
import { ContextKeys } from './vscode/contextKeys';
import { EnvironmentsView } from './vscode/environmentsView';
import { KubeconfigWatcher } from './vscode/kubeconfigWatcher';
import { createLogger } from './vscode/logger';
import { SliceConfigDiagnostics } from './vscode/sliceConfigDiagnostics';
import { ForkResourceDiagnostics } from './vscode/forkResourceDiagnostics';
import { registerDataCommands } from './vscode/dataCommands';
import { registerSliceCommands } from './vscode/sliceCommands';
import { registerIsolationCommand } from './vscode/isolationCommand';
import { affectsSlice, settings } from './vscode/settings';
import { type TelemetryApi, TelemetryFeature } from './vscode/telemetry/telemetryFeature';
import { type SyncApi, SyncFeature } from './vscode/sync/syncFeature';
import { LiveTelemetry, type LiveTelemetryApi } from './vscode/telemetry/liveTelemetry';
import { WorkloadClient } from './platform/kube/workloads';
import { PodMetricsClient } from './platform/kube/podMetricsClient';
import { WorkerDecoder } from './platform/telemetry/otlpDecoder';
import { ActiveSliceStatus } from './vscode/activeSliceStatus';
import { SyncStateBridge } from './vscode/tree/syncState';
import { registerWorkloadCommands } from './vscode/tree/workloadCommands';
import { registerRoutingCommands } from './vscode/routing/routingCommands';

const SELECTED_CONTEXT_KEY = 'slice.selectedContext';

/** What the extension exposes to its integration tests (and to other extensions). */
export interface SliceApi {
  readonly environments: EnvironmentsModel;
  /** The current identity's Slice objects, kept current by a watch of the cluster. */
  readonly slices: SliceStores;
  readonly view: EnvironmentsView;
  readonly contextKeys: ContextKeys;
  readonly logger: ILogger;
  /** Live traces, errors and logs in the editor: the ingest port and its renderers. */
  readonly telemetry: TelemetryApi;
  /** Sync on save: the running sync sessions. */
  readonly sync: SyncApi;
  /** Live telemetry streamed from forked workloads (agent OTLP relay, container logs). */
  readonly liveTelemetry: LiveTelemetryApi;
  /** The app layer's fork sessions: one agent connection per fork, shared by sync and telemetry. */
  readonly forks: Sessions['forks'];
  /** Resolves once the first load of the kubeconfig and cluster has finished. */
  readonly ready: Promise<void>;
  /** How long activate() took (filled in by extension.ts), for bench/activation. */
  readonly timings: { activateMs: number };
}

/**
 * The composition root: creates the adapters, injects them into the core, and owns every disposable
 * of the extension's lifetime. Nothing here does work of its own.
 */
export class Container implements IDisposable {
  private readonly lifetime = new DisposableStore('extension');
  /** The named lifetimes: extension → identity + cluster → slice → fork session (app/lifetimes.ts). */
  private readonly extension = new Lifetime('extension');
  readonly api: SliceApi;

  constructor(context: vscode.ExtensionContext) {
    const output = this.lifetime.add(vscode.window.createOutputChannel('Slice', { log: true }));
    const logger = createLogger(output);
    const onError = (e: unknown) => logger.error(`unexpected: ${e instanceof Error && e.stack ? e.stack : messageOf(e)}`);

    const loader = new KubeconfigLoader({ kubeconfigPath: settings.kubeconfigPath });
    const clients = new KubeClients(() => loader.loaded?.config, settings.requestTimeoutMs);
    const cluster = new KubeClusterClient(clients);
    const selection: SelectionStore = {
      get: () => context.workspaceState.get<string>(SELECTED_CONTEXT_KEY),
      set: (name) => Promise.resolve(context.workspaceState.update(SELECTED_CONTEXT_KEY, name)),
    };
    const model = this.lifetime.add(new EnvironmentsModel(loader, cluster, selection, logger));
    const contextKeys = new ContextKeys();
    const sliceStores = this.lifetime.add(new SliceStores(model, (c) => new SliceWatchSource(clients, c), logger, (c) => new NamespaceWatchSource(clients, c)));
    const slices = new SliceClient(clients);
    const workloads = new WorkloadClient(clients);
    const podMetrics = new PodMetricsClient(clients);
    const syncState = this.lifetime.add(new SyncStateBridge());
    const view = this.lifetime.add(new EnvironmentsView(model, contextKeys, { workloads: (c, ns) => workloads.workloads(c, ns), quota: (c, ns) => slices.quota(c, ns), podMetrics: (c, ns) => podMetrics.read(c, ns) }, onError, syncState));
    const forkResources = this.lifetime.add(new ForkResourceWatch(model, { workloads: (c, ns) => workloads.workloads(c, ns), podMetrics: (c, ns) => podMetrics.read(c, ns) }, logger));
    this.lifetime.add(new ForkResourceDiagnostics(forkResources));

    const refresh = () => void model.refresh().catch(onError);
    const watcher = this.lifetime.add(new KubeconfigWatcher(refresh));
    this.lifetime.add(model.onDidChange((s) => s.kubeconfig.state !== 'loading' && watcher.watch([...s.kubeconfig.sources.files, ...s.kubeconfig.sources.missing])));
    this.lifetime.add(vscode.workspace.onDidChangeConfiguration((e) => affectsSlice(e, 'kubeconfig', 'requestTimeoutSeconds') && refresh()));

    const registry = new CommandRegistry(logger, { push: (d) => this.lifetime.add(d) });
    registerClusterCommands(registry, model, output);
    const diagnostics = this.lifetime.add(new SliceConfigDiagnostics());
    const lifecycle = new SliceLifecycle(slices, { read: (c, signal) => slices.platformLimits(c, signal) }, () => sliceStores.store, (line) => logger.info(line));
    registerSliceCommands(registry, model, lifecycle, diagnostics, logger);
    registerDataCommands(registry, model, slices, logger);
    registerIsolationCommand(registry, model, new IsolationChecks(clients), logger, { push: (d) => this.lifetime.add(d) });
    const telemetry = this.lifetime.add(new TelemetryFeature(registry, logger, context.extensionUri, new WorkerDecoder(vscode.Uri.joinPath(context.extensionUri, 'dist', 'telemetryWorker.js').fsPath, logger)));
    const lifetimes = new Lifetimes(this.extension, environmentsWorld(model));
    const kubeConfigFor = (name: string) => {
      const c = model.state.cluster;
      if (c.status === 'none' || c.context.name !== name) throw new Error(`the context ${name} is not selected`);
      return clients.configFor(c.context);
    };
    const sessions = this.extension.add(
      new Sessions({ lifetimes, kubeConfigFor, sink: telemetry.api.service, logger, requestTimeoutMs: settings.requestTimeoutMs, clientName: `slice-vscode ${vscode.version}` }),
    );
    const sync = this.lifetime.add(new SyncFeature(registry, model, () => sessions, sessions.onDidChange, logger));
    syncState.attach(sync.api);
    registerWorkloadCommands(registry, model, workloads, logger, { push: (d) => this.lifetime.add(d) });
    registerRoutingCommands(registry, model, new BaselineEntry(clients, workloads), logger, { push: (d) => this.lifetime.add(d) });
    this.lifetime.add(new ActiveSliceStatus(model, registry));
    const live = this.lifetime.add(new LiveTelemetry(registry, model, () => sessions, logger, sync.api));
    telemetry.api.tracesView.attachLive(live.view);

    logger.info(`Slice ${String((context.extension.packageJSON as { version?: unknown }).version)} activated in ${vscode.env.appName} ${vscode.version}`);
    const ready = view.render().then(() => model.refresh());
    ready.catch(onError);
    this.api = { environments: model, slices: sliceStores, view, contextKeys, logger, telemetry: telemetry.api, sync: sync.api, liveTelemetry: live.api, forks: sessions.forks, ready: ready.catch(() => undefined), timings: { activateMs: 0 } };
  }

  dispose(): void {
    this.extension.end({ kind: 'shutdown', message: 'the extension is shutting down' });
    this.lifetime.dispose();
  }
}
