/**
 * The resource problems of my slices' forks (OOMKilled, CPU at its limit), read from the cluster on
 * an interval like the Environments tree's pod rows (the same reads: the namespace's Deployments and
 * pods, and metrics.k8s.io), and when the set of my slices changes. What each fork's pods say is
 * decided in core (core/cluster/forkResourceProblems.ts); the editor renders the result as Problems
 * on slice.yaml. A slice that goes takes its problems with it at the next model change.
 */
import { type IDisposable } from '../../core/base/disposable';
import { messageOf } from '../../core/base/errors';
import { Emitter, type Event } from '../../core/base/event';
import { type ILogger } from '../../core/base/logger';
import { type KubeContext, type SliceEnvironment } from '../../core/cluster/environments';
import { type EnvironmentsState } from '../../core/cluster/environmentsModel';
import { type ForkPods, type SliceResourceProblems, forkResourceProblems } from '../../core/cluster/forkResourceProblems';
import { type PodMetricsRead } from '../../core/cluster/podResources';
import { type PodInfo, type WorkloadSummary, podsOf } from '../../core/cluster/workloadSummary';

/** The reads, with the user's own credentials. */
export interface ForkResourcePort {
  workloads(context: KubeContext, namespace: string): Promise<{ workloads: WorkloadSummary[]; pods: PodInfo[] }>;
  podMetrics?(context: KubeContext, namespace: string): Promise<PodMetricsRead>;
}

/** What the watch follows: the environments state and its changes (the EnvironmentsModel). */
export interface EnvironmentsSource {
  readonly state: EnvironmentsState;
  readonly onDidChange: Event<EnvironmentsState>;
}

/** How often the pods are read again while I have a slice (the tree reads its pod rows every minute). */
export const FORK_RESOURCE_POLL_MS = 30_000;

/** My live slices in the selected cluster. */
function mySlices(state: EnvironmentsState): { context: KubeContext; slices: SliceEnvironment[] } | undefined {
  const c = state.cluster;
  if (c.status !== 'ok') return undefined;
  return { context: c.context, slices: c.environments.filter((e): e is SliceEnvironment => e.kind === 'slice' && e.mine && !e.terminating && e.resource !== undefined) };
}

export class ForkResourceWatch implements IDisposable {
  private readonly changed = new Emitter<readonly SliceResourceProblems[]>();
  /** Fires with every slice's problems when they say something else than before. */
  readonly onDidChange: Event<readonly SliceResourceProblems[]> = this.changed.event;
  private current: readonly (SliceResourceProblems & { readonly namespace: string })[] = [];
  private said = '[]';
  private slicesKey = '';
  private readonly subscription: IDisposable;
  private readonly timer: ReturnType<typeof setInterval>;
  private polling: Promise<void> | undefined;
  private disposed = false;

  constructor(
    private readonly model: EnvironmentsSource,
    private readonly port: ForkResourcePort,
    private readonly logger: ILogger,
    intervalMs = FORK_RESOURCE_POLL_MS,
    private readonly now: () => number = () => Date.now(),
  ) {
    this.subscription = model.onDidChange((s) => this.onModel(s));
    this.timer = setInterval(() => void this.poll(), intervalMs);
    this.onModel(model.state);
  }

  /** Every slice's problems as last read. */
  get problems(): readonly SliceResourceProblems[] {
    return this.current;
  }

  private onModel(state: EnvironmentsState): void {
    const mine = mySlices(state);
    const key = mine ? `${mine.context.name}\u0000${mine.slices.map((s) => `${s.namespace}:${s.resource?.forkNames.join(',')}`).join('\u0000')}` : '';
    if (key === this.slicesKey) return;
    this.slicesKey = key;
    // a slice gone takes its problems at once; the others are read again
    const live = new Set(mine?.slices.map((s) => s.namespace));
    this.publish(this.current.filter((p) => live.has(p.namespace)));
    void this.poll();
  }

  /** Reads every slice of mine once (one read at a time; a call during a read waits for it). */
  poll(): Promise<void> {
    this.polling ??= this.read().finally(() => (this.polling = undefined));
    return this.polling;
  }

  private async read(): Promise<void> {
    const mine = mySlices(this.model.state);
    if (!mine || mine.slices.length === 0) {
      this.publish([]);
      return;
    }
    const out: (SliceResourceProblems & { namespace: string })[] = [];
    for (const slice of mine.slices) {
      try {
        const forks = await this.forks(mine.context, slice);
        out.push({ namespace: slice.namespace, sliceName: slice.sliceName, baseline: slice.baseline, problems: forkResourceProblems(forks, this.now()) });
      } catch (e) {
        // a failed read keeps what was known of that slice (the tree says the failure)
        this.logger.debug(`fork resources of ${slice.namespace}: ${messageOf(e)}`);
        const had = this.current.find((p) => p.namespace === slice.namespace);
        if (had) out.push(had);
      }
    }
    if (this.disposed) return;
    const live = new Set(mySlices(this.model.state)?.slices.map((s) => s.namespace));
    this.publish(out.filter((p) => live.has(p.namespace)));
  }

  private async forks(context: KubeContext, slice: SliceEnvironment): Promise<ForkPods[]> {
    const [{ workloads, pods }, metrics] = await Promise.all([
      this.port.workloads(context, slice.namespace),
      this.port.podMetrics?.(context, slice.namespace).catch((): undefined => undefined),
    ]);
    const usage = metrics?.kind === 'ok' ? metrics.pods : undefined;
    return (slice.resource?.forkNames ?? []).map((workload) => {
      const summary = workloads.find((w) => w.forkOf === workload || w.name === workload);
      return { workload, pods: summary ? podsOf(summary, pods) : pods.filter((p) => p.name.startsWith(`${workload}-`)), usage };
    });
  }

  private publish(next: readonly (SliceResourceProblems & { readonly namespace: string })[]): void {
    this.current = next;
    const text = JSON.stringify(next);
    if (text === this.said) return;
    this.said = text;
    this.changed.fire(next);
  }

  dispose(): void {
    this.disposed = true;
    clearInterval(this.timer);
    this.subscription.dispose();
    this.changed.dispose();
  }
}
