/**
 * OOMKilled and CPU throttling as Problems on slice.yaml (issue 23): which fork pods of my slices
 * have something wrong with their resources, in words, and at which line of the workspace's
 * slice.yaml the Problem goes. Pure: the app layer (src/app/slices/forkResourceWatch.ts) reads the
 * pods and their metrics on an interval; the editor only renders what this gives.
 *
 * - OOMKilled: a fork's application container whose last run ended with reason OOMKilled
 *   (`lastState.terminated`) within {@link RECENT_OOM_MS}. The Problem clears once the container has
 *   run that long without another kill, when the pod is replaced (a new pod has no lastState), or
 *   when the slice goes.
 * - CPU at its limit: metrics.k8s.io gives usage only, not the throttled time (cAdvisor's
 *   `container_cpu_cfs_throttled_periods_total` is behind the kubelet, which needs node-level rights
 *   a developer does not have), so throttling is inferred from usage at {@link NEAR_LIMIT} of the limit
 *   or more, and the words say so.
 *
 * The line: the fork's `workload:` entry in slice.yaml. The container's limits are the baseline
 * Deployment's (the fork keeps them), or the platform's LimitRange default when it sets none;
 * slice.yaml has no per-fork limit to point at, and its `resources:` is the slice's total.
 */
import { LineCounter, isMap, isScalar, isSeq, parseDocument } from 'yaml';
import { AGENT_CONTAINER } from '../slice/fork';
import { type ConfigRange } from '../slice/workspaceConfig';
import { NEAR_LIMIT, type PodUsage, containerFigures, formatCpu, formatMiB } from './podResources';
import { type PodInfo } from './workloadSummary';

/** How long after an OOM kill the Problem stays while the container runs clean again. */
export const RECENT_OOM_MS = 10 * 60_000;

/** One fork of a slice as the cluster shows it: its pods and, when metrics.k8s.io answered, their usage. */
export interface ForkPods {
  readonly workload: string;
  readonly pods: readonly PodInfo[];
  readonly usage?: ReadonlyMap<string, PodUsage> | undefined;
}

/** Something wrong with a fork's resources, in words. */
export interface ForkResourceProblem {
  readonly workload: string;
  readonly pod: string;
  readonly container: string;
  readonly kind: 'oomKilled' | 'cpuAtLimit';
  readonly message: string;
}

/** The fork pods' problems (application containers only: the Slice agent's limits are the platform's). */
export function forkResourceProblems(forks: readonly ForkPods[], nowMs: number): ForkResourceProblem[] {
  const out: ForkResourceProblem[] = [];
  for (const fork of forks) {
    for (const pod of fork.pods) {
      const figures = containerFigures(pod, fork.usage?.get(pod.name));
      for (const t of pod.lastTerminations ?? []) {
        if (t.reason !== 'OOMKilled' || t.container === AGENT_CONTAINER) continue;
        if (t.finishedAt && nowMs - t.finishedAt.getTime() > RECENT_OOM_MS) continue;
        const limit = figures.find((f) => f.container === t.container)?.memory.limit;
        const who = t.container === fork.workload ? fork.workload : `${fork.workload} (container ${t.container})`;
        const when = t.finishedAt ? `, last at ${t.finishedAt.toISOString().slice(11, 19)} UTC` : '';
        const restarts = pod.restarts > 0 ? `; pod ${pod.name} restarted ${pod.restarts === 1 ? 'once' : `${pod.restarts} times`}` : '';
        out.push({
          workload: fork.workload, pod: pod.name, container: t.container, kind: 'oomKilled',
          message:
            `${who} was killed for using more than its ${limit === undefined ? '' : `${formatMiB(limit)} Mi `}memory limit (OOMKilled${when}${restarts}). ` +
            `The fork keeps the baseline Deployment's limit (or the platform's default when the baseline sets none); slice.yaml's resources.memory is the slice's total, not this limit. ` +
            `Look for a leak or for data kept in memory, or raise the limit in the baseline's Deployment.`,
        });
      }
      for (const f of figures) {
        if (f.container === AGENT_CONTAINER || f.cpu.used === undefined || f.cpu.limit === undefined || f.cpu.used < NEAR_LIMIT * f.cpu.limit) continue;
        const who = f.container === fork.workload ? fork.workload : `${fork.workload} (container ${f.container})`;
        out.push({
          workload: fork.workload, pod: pod.name, container: f.container, kind: 'cpuAtLimit',
          message:
            `${who} is at its CPU limit (${formatCpu(f.cpu.used)} of ${formatCpu(f.cpu.limit)}, pod ${pod.name}): the kernel throttles it there, which makes requests slower without any error. ` +
            `Throttling is inferred from usage at the limit: metrics.k8s.io reports usage, not the throttled time.`,
        });
      }
    }
  }
  return out;
}

/** A slice of mine and its forks' problems. */
export interface SliceResourceProblems {
  readonly sliceName: string | undefined;
  readonly baseline: string | undefined;
  readonly problems: readonly ForkResourceProblem[];
}

/** A Problem placed in slice.yaml. */
export interface PlacedResourceProblem {
  readonly range: ConfigRange;
  readonly severity: 'warning';
  readonly message: string;
}

/**
 * The problems of the slices this slice.yaml made (same baseline, and same name when both say one),
 * at the line of their fork's `workload:` entry; a problem of a workload the file does not list is
 * not placed. An unreadable file places nothing.
 */
export function placeResourceProblems(text: string, slices: readonly SliceResourceProblems[]): PlacedResourceProblem[] {
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: false });
  if (doc.errors.length > 0 || !isMap(doc.contents)) return [];
  const scalar = (key: string): string | undefined => {
    const v = doc.get(key);
    return typeof v === 'string' ? v : undefined;
  };
  const baseline = scalar('baseline');
  const name = scalar('name');
  const forks = doc.get('forks', true);
  if (!isSeq(forks)) return [];
  const entries = new Map<string, ConfigRange>();
  for (const item of forks.items) {
    if (!isMap(item)) continue;
    const node = item.get('workload', true);
    if (!isScalar(node) || typeof node.value !== 'string' || !node.range || entries.has(node.value)) continue;
    const s = lines.linePos(node.range[0]);
    const e = lines.linePos(node.range[1]);
    entries.set(node.value, { startLine: s.line, startColumn: s.col, endLine: e.line, endColumn: e.col });
  }
  const out: PlacedResourceProblem[] = [];
  for (const slice of slices) {
    if (slice.baseline !== baseline || (name !== undefined && slice.sliceName !== undefined && slice.sliceName !== name)) continue;
    for (const p of slice.problems) {
      const range = entries.get(p.workload);
      if (range) out.push({ range, severity: 'warning', message: p.message });
    }
  }
  return out;
}
