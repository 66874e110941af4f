/**
 * A pod's CPU and memory against its containers' limits, from the Kubernetes resource metrics API
 * (metrics.k8s.io, served by metrics-server), and what went wrong with them, in words: a container
 * OOMKilled, memory close to its limit, CPU at its limit (throttled).
 */
import { AGENT_CONTAINER } from '../slice/fork';
import { parseQuantity } from '../slice/manifests';
import { type PodInfo } from './workloadSummary';

/** One container's usage: CPU in millicores (averaged over the metrics window), memory working set in bytes. */
export interface ContainerUsage {
  readonly container: string;
  readonly cpuMillis: number;
  readonly memoryBytes: number;
}

/** One pod's usage as metrics.k8s.io reports it. */
export interface PodUsage {
  readonly pod: string;
  readonly containers: readonly ContainerUsage[];
  readonly timestamp: Date | undefined;
  readonly windowSeconds: number | undefined;
}

/** A read of a namespace's pod metrics: the pods by name, or why there are none. */
export type PodMetricsRead =
  | { readonly kind: 'ok'; readonly pods: ReadonlyMap<string, PodUsage> }
  /** metrics.k8s.io is not served (no metrics-server, or its APIService is not available). */
  | { readonly kind: 'unavailable'; readonly detail: string }
  /** Served, but the user's role does not grant pods.metrics.k8s.io here. */
  | { readonly kind: 'forbidden'; readonly detail: string };

/** A figure and its limit (undefined: the container has no limit). */
export interface Figure {
  readonly used: number | undefined;
  readonly limit: number | undefined;
}

/** One container's CPU (millicores) and memory (bytes) against its limits. */
export interface ContainerFigures {
  readonly container: string;
  readonly cpu: Figure;
  readonly memory: Figure;
}

/** Something about a pod's resources worth saying, with the words to say it. */
export interface ResourceFinding {
  readonly kind: 'oomKilled' | 'memoryNearLimit' | 'cpuAtLimit';
  readonly container: string;
  readonly severity: 'error' | 'warning';
  /** A short phrase for a tree row's description. */
  readonly short: string;
  /** What happened, why, and what to do. */
  readonly text: string;
}

/** Share of a limit from which memory is "close" and CPU "at" the limit. */
export const NEAR_LIMIT = 0.9;

const MiB = 1024 * 1024;

/** A PodMetricsList (metrics.k8s.io/v1beta1) as the API returns it → usage per pod; malformed items are skipped. */
export function parsePodMetricsList(body: unknown): PodUsage[] {
  const items = field(body, 'items');
  if (!Array.isArray(items)) return [];
  const out: PodUsage[] = [];
  for (const item of items as unknown[]) {
    const name = field(field(item, 'metadata'), 'name');
    const containers = field(item, 'containers');
    if (typeof name !== 'string' || !Array.isArray(containers)) continue;
    const usage: ContainerUsage[] = [];
    for (const c of containers as unknown[]) {
      const cname = field(c, 'name');
      const cpu = quantity(field(field(c, 'usage'), 'cpu'));
      const memory = quantity(field(field(c, 'usage'), 'memory'));
      if (typeof cname !== 'string' || cpu === undefined || memory === undefined) continue;
      usage.push({ container: cname, cpuMillis: cpu * 1000, memoryBytes: memory });
    }
    const ts = field(item, 'timestamp');
    const at = typeof ts === 'string' ? new Date(ts) : undefined;
    out.push({ pod: name, containers: usage, timestamp: at && !Number.isNaN(at.getTime()) ? at : undefined, windowSeconds: windowSeconds(field(item, 'window')) });
  }
  return out;
}

/** Each container of the pod (in the pod's order: application containers, then the Slice agent) with its usage and limits. */
export function containerFigures(pod: PodInfo, usage: PodUsage | undefined): ContainerFigures[] {
  return pod.containers.map((container) => {
    const u = usage?.containers.find((c) => c.container === container);
    const l = pod.limits?.find((c) => c.container === container);
    return { container, cpu: { used: u?.cpuMillis, limit: l?.cpuMillis }, memory: { used: u?.memoryBytes, limit: l?.memoryBytes } };
  });
}

/** The application container's figures (the first that is not the Slice agent), as the pod row shows them. */
export function appFigures(pod: PodInfo, usage: PodUsage | undefined): ContainerFigures | undefined {
  const all = containerFigures(pod, usage);
  return all.find((f) => f.container !== AGENT_CONTAINER) ?? all[0];
}

/** `cpu 12m/500m · mem 48/256 Mi`; a missing limit reads "no limit", a missing usage "–". */
export function figuresText(f: ContainerFigures): string {
  const cpu = f.cpu.limit === undefined
    ? `cpu ${f.cpu.used === undefined ? '–' : formatCpu(f.cpu.used)}/no limit`
    : f.cpu.used === undefined ? `cpu –/${formatCpu(f.cpu.limit)}` : `cpu ${cpuPair(f.cpu.used, f.cpu.limit)}`;
  const mem = f.memory.limit === undefined
    ? `mem ${f.memory.used === undefined ? '–' : formatMiB(f.memory.used)} Mi/no limit`
    : `mem ${f.memory.used === undefined ? '–' : formatMiB(f.memory.used)}/${formatMiB(f.memory.limit)} Mi`;
  return `${cpu} · ${mem}`;
}

/** Used and limit in one unit, so that they compare at a glance: `17m/1000m` (not `17m/1`), `1.2/2`. */
export function cpuPair(usedMillis: number, limitMillis: number): string {
  return usedMillis < 1000 ? `${Math.round(usedMillis)}m/${Math.round(limitMillis)}m` : `${formatCpu(usedMillis)}/${formatCpu(limitMillis)}`;
}

/** Millicores as Kubernetes writes them: `12m`, `500m`, and whole or fractional cores from 1000m (`1.5`). */
export function formatCpu(millis: number): string {
  if (millis < 1000) return `${Math.round(millis)}m`;
  const cores = millis / 1000;
  return Number.isInteger(cores) ? `${cores}` : cores.toFixed(cores < 10 ? 2 : 1).replace(/0+$/, '');
}

/** Bytes in MiB: one decimal under 10 MiB, whole MiB from there. */
export function formatMiB(bytes: number): string {
  const mib = bytes / MiB;
  return mib < 10 ? (Math.round(mib * 10) / 10).toString() : Math.round(mib).toString();
}

/**
 * What to say about a pod's resources: each container whose last run was OOMKilled, whose memory is
 * within NEAR_LIMIT of its limit, or whose CPU is at its limit. CPU throttling itself (cgroup
 * cpu.stat nr_throttled, cAdvisor's container_cpu_cfs_throttled_*) is not in metrics.k8s.io: usage at
 * the limit is the sign read here, and the text says so.
 */
export function resourceFindings(pod: PodInfo, usage: PodUsage | undefined): ResourceFinding[] {
  const out: ResourceFinding[] = [];
  const figures = containerFigures(pod, usage);
  for (const t of pod.lastTerminations ?? []) {
    if (t.reason !== 'OOMKilled') continue;
    const limit = figures.find((f) => f.container === t.container)?.memory.limit;
    const at = t.finishedAt ? ` at ${t.finishedAt.toISOString().slice(11, 19)} UTC` : '';
    out.push({
      kind: 'oomKilled', container: t.container, severity: 'error', short: `${t.container} OOMKilled`,
      text: `Container ${t.container} was OOMKilled${at}: it used more memory than its limit${limit === undefined ? '' : ` of ${formatMiB(limit)} Mi`}, so the kernel killed it (exit code ${t.exitCode ?? 137}) and Kubernetes restarted it. Raise its memory limit or keep less in memory.`,
    });
  }
  for (const f of figures) {
    if (f.memory.used !== undefined && f.memory.limit !== undefined && f.memory.used >= NEAR_LIMIT * f.memory.limit) {
      out.push({
        kind: 'memoryNearLimit', container: f.container, severity: 'warning', short: `${f.container} memory near limit`,
        text: `Container ${f.container} uses ${formatMiB(f.memory.used)} Mi of its ${formatMiB(f.memory.limit)} Mi memory limit (${percent(f.memory.used, f.memory.limit)}): past the limit the kernel kills it (OOMKilled).`,
      });
    }
    if (f.cpu.used !== undefined && f.cpu.limit !== undefined && f.cpu.used >= NEAR_LIMIT * f.cpu.limit) {
      out.push({
        kind: 'cpuAtLimit', container: f.container, severity: 'warning', short: `${f.container} CPU at limit`,
        text: `Container ${f.container} uses ${formatCpu(f.cpu.used)} of its ${formatCpu(f.cpu.limit)} CPU limit (${percent(f.cpu.used, f.cpu.limit)}): at its limit the kernel throttles it (CFS quota), which makes requests slower without any error. metrics.k8s.io reports usage only, not the throttled time itself.`,
      });
    }
  }
  return out;
}

function percent(used: number, limit: number): string {
  return `${Math.round((used / limit) * 100)} %`;
}

function field(o: unknown, key: string): unknown {
  return typeof o === 'object' && o !== null ? (o as Record<string, unknown>)[key] : undefined;
}

function quantity(v: unknown): number | undefined {
  return typeof v === 'string' ? parseQuantity(v) : undefined;
}

/** A metrics window as the API writes it (a Go duration: "10.5s", "1m0s", "20s"). */
function windowSeconds(v: unknown): number | undefined {
  if (typeof v !== 'string') return undefined;
  const m = /^(?:(\d+)m)?(?:(\d+(?:\.\d+)?)s)?$/.exec(v);
  if (!m || (m[1] === undefined && m[2] === undefined)) return undefined;
  return Number(m[1] ?? 0) * 60 + Number(m[2] ?? 0);
}

/**
 * One ResourceQuota line (`status.used` against `hard`) in the pod rows' units: `cpu 1.2/2`, `memory 320/1024 Mi`,
 * `pods 3/6`; a value that is not a quantity is shown as written.
 */
export function quotaFigure(resource: string, used: string, hard: string): string {
  const name = resource.replace(/^(limits|requests)\./, '').replace(/^count\//, '');
  const u = parseQuantity(used);
  const h = parseQuantity(hard);
  if (u === undefined || h === undefined) return `${name} ${used}/${hard}`;
  if (name === 'cpu') return `cpu ${cpuPair(u * 1000, h * 1000)}`;
  if (name === 'memory' || name.endsWith('storage')) return `${name} ${formatMiB(u)}/${formatMiB(h)} Mi`;
  return `${name} ${u}/${h}`;
}
