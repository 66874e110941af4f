import { type IDisposable } from '../base/disposable';
import { Emitter, type Event } from '../base/event';
import { type ILogger } from '../base/logger';
import { type ErrorAction, UserError, messageOf } from '../base/errors';
import { type ClusterProblem } from './clusterProblem';
import { type Environment, type KubeContext, type NamespaceInfo, toEnvironments } from './environments';
import { type KubeconfigSources } from './kubeconfigSources';
import { type SliceObject } from '../slice/sliceResource';

export type KubeconfigLoad =
  | { readonly state: 'missing'; readonly sources: KubeconfigSources }
  | { readonly state: 'invalid'; readonly sources: KubeconfigSources; readonly message: string }
  | { readonly state: 'ok'; readonly sources: KubeconfigSources; readonly contexts: readonly KubeContext[]; readonly currentContext: string | undefined };

/** Reads the kubeconfig (files chosen by settings and environment). */
export interface KubeconfigPort {
  load(): Promise<KubeconfigLoad>;
}

/** Thrown by a ClusterPort when a request fails; carries the classified problem. */
export class ClusterProblemError extends Error {
  override readonly name = 'ClusterProblemError';
  constructor(readonly problem: ClusterProblem) {
    super(problem.message);
  }
}

/**
 * A failed cluster request is an expected condition (the cluster is down, a name is taken, a
 * namespace is closed to you), never an "Unexpected error": the command's error policy shows it as
 * a UserError with the problem's own words and the actions that fit it. Anything else passes through.
 */
export function expectedError(e: unknown): unknown {
  if (!(e instanceof ClusterProblemError)) return e;
  return new UserError(e.problem.message, ACTIONS[e.problem.kind], e.problem.detail);
}

const ACTIONS: Record<ClusterProblem['kind'], readonly ErrorAction[]> = {
  unreachable: ['retry', 'selectCluster'],
  timeout: ['retry', 'selectCluster'],
  tls: ['selectCluster'],
  unauthorized: ['selectCluster'],
  forbidden: [],
  notFound: ['retry'],
  conflict: [],
  server: ['retry'],
  unknown: ['retry'],
};

/** Talks to one cluster. Implementations throw ClusterProblemError on failure. */
export interface ClusterPort {
  listEnvironmentNamespaces(context: KubeContext, signal: AbortSignal): Promise<NamespaceInfo[]>;
  /** The Slice resources the user may see; empty when the platform bundle is not installed. */
  listSlices?(context: KubeContext, signal: AbortSignal): Promise<SliceObject[]>;
  /** Who the cluster says the user is; undefined when it cannot tell. */
  whoAmI?(context: KubeContext, signal: AbortSignal): Promise<string | undefined>;
}

/** Remembers the selected context (per workspace). */
export interface SelectionStore {
  get(): string | undefined;
  set(contextName: string | undefined): Promise<void>;
}

export type ClusterView =
  | { readonly status: 'none' }
  | { readonly status: 'connecting'; readonly context: KubeContext }
  | { readonly status: 'ok'; readonly context: KubeContext; readonly environments: readonly Environment[]; readonly user: string | undefined; readonly platformInstalled: boolean }
  | { readonly status: 'failed'; readonly context: KubeContext; readonly problem: ClusterProblem };

export interface EnvironmentsState {
  readonly kubeconfig: KubeconfigLoad | { readonly state: 'loading' };
  readonly selected: string | undefined;
  readonly cluster: ClusterView;
}

/**
 * The state behind the Environments view: which kubeconfig, which contexts, which one is selected,
 * and what the selected cluster holds. Every refresh supersedes the one before it; a late answer from
 * an older refresh is dropped, so the view never shows a cluster it no longer points at.
 */
export class EnvironmentsModel implements IDisposable {
  private readonly changed = new Emitter<EnvironmentsState>();
  readonly onDidChange: Event<EnvironmentsState> = this.changed.event;
  private current: EnvironmentsState = { kubeconfig: { state: 'loading' }, selected: undefined, cluster: { status: 'none' } };
  private generation = 0;
  private inflight: AbortController | undefined;
  /** The namespaces of the last successful read, so a watched Slice change recomputes without a re-read. */
  private namespaces: { readonly context: string; readonly items: readonly NamespaceInfo[] } | undefined;
  /** The Slices last reported by a watch of the selected context; fresher than any list. */
  private watched: { readonly context: string; readonly items: readonly SliceObject[] } | undefined;
  /** The Slices of the last successful list. */
  private listed: { readonly context: string; readonly items: readonly SliceObject[] } | undefined;

  constructor(
    private readonly kubeconfig: KubeconfigPort,
    private readonly cluster: ClusterPort,
    private readonly selection: SelectionStore,
    private readonly logger: ILogger,
  ) {}

  get state(): EnvironmentsState {
    return this.current;
  }

  /** The contexts of the loaded kubeconfig (empty until it loads). */
  get contexts(): readonly KubeContext[] {
    return this.current.kubeconfig.state === 'ok' ? this.current.kubeconfig.contexts : [];
  }

  private latest: Promise<void> = Promise.resolve();

  /**
   * Re-reads the kubeconfig and the selected cluster. Resolves once the state reflects a refresh at
   * least as new as this call: when a newer refresh supersedes this one, it waits for that one too.
   */
  async refresh(): Promise<void> {
    let current = this.run();
    this.latest = current;
    await current;
    while (this.latest !== current) {
      current = this.latest;
      await current;
    }
  }

  private async run(): Promise<void> {
    const gen = ++this.generation;
    this.inflight?.abort();
    const abort = new AbortController();
    this.inflight = abort;

    let load: KubeconfigLoad;
    try {
      load = await this.kubeconfig.load();
    } catch (e) {
      load = { state: 'invalid', sources: { origin: 'default', files: [], missing: [] }, message: messageOf(e) };
    }
    if (gen !== this.generation) return;
    if (load.state !== 'ok') {
      this.logger.warn(load.state === 'missing' ? `no kubeconfig found (looked at ${load.sources.missing.join(', ') || 'nothing'})` : `kubeconfig invalid: ${load.message}`);
      this.set({ kubeconfig: load, selected: undefined, cluster: { status: 'none' } });
      return;
    }
    const context = this.pickContext(load);
    if (!context) {
      this.set({ kubeconfig: load, selected: undefined, cluster: { status: 'none' } });
      return;
    }
    this.set({ kubeconfig: load, selected: context.name, cluster: { status: 'connecting', context } });
    try {
      const [namespaces, slices, user] = await Promise.all([
        this.cluster.listEnvironmentNamespaces(context, abort.signal),
        this.optional('list slices', () => this.cluster.listSlices?.(context, abort.signal)),
        this.optional('ask who you are', () => this.cluster.whoAmI?.(context, abort.signal)),
      ]);
      if (gen !== this.generation) return;
      this.namespaces = { context: context.name, items: namespaces };
      this.listed = slices === undefined ? undefined : { context: context.name, items: slices };
      // A watch answer that landed while this list was in flight is at least as new as the list.
      const live = slices !== undefined && this.watched?.context === context.name ? this.watched.items : slices;
      this.set({
        ...this.current,
        cluster: { status: 'ok', context, environments: toEnvironments(namespaces, live ?? [], user, live !== undefined), user, platformInstalled: live !== undefined },
      });
      this.logger.info(`context "${context.name}": ${namespaces.length} environment namespace(s)`);
    } catch (e) {
      if (gen !== this.generation) return;
      const problem =
        e instanceof ClusterProblemError ? e.problem : { kind: 'unknown' as const, message: `Could not read the cluster of context "${context.name}": ${messageOf(e)}`, detail: messageOf(e) };
      this.logger.warn(`context "${context.name}": ${problem.message} [${problem.detail}]`);
      this.set({ ...this.current, cluster: { status: 'failed', context, problem } });
    } finally {
      if (this.inflight === abort) this.inflight = undefined;
    }
  }

  /**
   * The Slices of the selected context changed (a watch of the cluster said so): recompute the
   * environments from them and the namespaces last read. Ignored for a context no longer shown.
   */
  applySlices(contextName: string, slices: readonly SliceObject[]): void {
    this.watched = { context: contextName, items: slices };
    const c = this.current.cluster;
    if (c.status !== 'ok' || c.context.name !== contextName || this.namespaces?.context !== contextName) return;
    this.set({ ...this.current, cluster: { ...c, environments: toEnvironments(this.namespaces.items, slices, c.user, true), platformInstalled: true } });
  }

  /**
   * The environment namespaces of the selected context changed (a watch said so): recompute with the
   * Slices last known (watched, else as last listed).
   */
  applyNamespaces(contextName: string, namespaces: readonly NamespaceInfo[]): void {
    const c = this.current.cluster;
    if (c.status !== 'ok' || c.context.name !== contextName) return;
    this.namespaces = { context: contextName, items: namespaces };
    const slices = this.watched?.context === contextName ? this.watched.items : this.listed?.context === contextName ? this.listed.items : undefined;
    this.set({ ...this.current, cluster: { ...c, environments: toEnvironments(namespaces, slices ?? [], c.user, c.platformInstalled) } });
  }

  /** The watch that fed applySlices ended (the identity changed): lists are the truth again until a new one reports. */
  forgetWatchedSlices(): void {
    this.watched = undefined;
  }

  /** Selects a context by name, remembers it, and loads its cluster. */
  async select(contextName: string): Promise<void> {
    if (!this.contexts.some((c) => c.name === contextName)) {
      throw new Error(`There is no context named "${contextName}" in the kubeconfig.`);
    }
    await this.selection.set(contextName);
    await this.refresh();
  }

  /** A secondary read: its failure is logged and the view still shows what it has. */
  private async optional<T>(what: string, fn: () => Promise<T> | undefined): Promise<T | undefined> {
    try {
      return await fn();
    } catch (e) {
      this.logger.debug(`could not ${what}: ${messageOf(e)}`);
      return undefined;
    }
  }

  private pickContext(load: Extract<KubeconfigLoad, { state: 'ok' }>): KubeContext | undefined {
    const byName = (n: string | undefined) => (n ? load.contexts.find((c) => c.name === n) : undefined);
    return byName(this.selection.get()) ?? byName(load.currentContext) ?? load.contexts[0];
  }

  private set(next: EnvironmentsState): void {
    this.current = next;
    this.changed.fire(next);
  }

  dispose(): void {
    this.generation++;
    this.watched = undefined;
    this.inflight?.abort();
    this.changed.dispose();
  }
}
