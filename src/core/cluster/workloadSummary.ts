/** Deployments and pods as the Environments tree shows them, and which pods belong to which Deployment. */

/** A Deployment, reduced to what the Environments tree shows. */
export interface WorkloadSummary {
  readonly name: string;
  readonly namespace: string;
  readonly replicas: number;
  readonly ready: number;
  /** The baseline workload this one forks (label slice.dev/fork), when it is a fork. */
  readonly forkOf: string | undefined;
  /** The first port of the application container (not the Slice agent's). */
  readonly port: number | undefined;
  readonly image: string | undefined;
  /** The selector's matchLabels. */
  readonly selector: Readonly<Record<string, string>>;
  /** The selector's matchExpressions. */
  readonly selectorExpressions: readonly LabelRequirement[];
  /** Why it is not available, from its conditions, when it is not. */
  readonly problem: string | undefined;
}

/** One matchExpressions entry of a label selector. */
export interface LabelRequirement {
  readonly key: string;
  /** In, NotIn, Exists or DoesNotExist; any other operator matches no pod. */
  readonly operator: string;
  readonly values: readonly string[];
}

export interface PodInfo {
  readonly name: string;
  readonly phase: string;
  readonly ready: boolean;
  readonly restarts: number;
  readonly labels: Readonly<Record<string, string>>;
  /** The application containers (the Slice agent last). */
  readonly containers: readonly string[];
  readonly reason: string | undefined;
  readonly startedAt: Date | undefined;
  /** Each container's CPU and memory limits (application containers first, like `containers`). */
  readonly limits?: readonly ContainerLimits[];
  /** Why each container that restarted last stopped (its lastState.terminated), e.g. OOMKilled. */
  readonly lastTerminations?: readonly LastTermination[];
}

/** A container's limits: CPU in millicores, memory in bytes; undefined when it has none. */
export interface ContainerLimits {
  readonly container: string;
  readonly cpuMillis: number | undefined;
  readonly memoryBytes: number | undefined;
}

/** How a container's previous run ended (Kubernetes lastState.terminated). */
export interface LastTermination {
  readonly container: string;
  /** OOMKilled, Error, Completed, … */
  readonly reason: string;
  readonly exitCode: number | undefined;
  readonly finishedAt: Date | undefined;
}

/**
 * The pods a Deployment's selector picks (matchLabels and matchExpressions, as the API server reads
 * them). An empty selector picks none: the API refuses one on a Deployment, so it means "unknown", not "all".
 */
export function podsOf(workload: WorkloadSummary, pods: readonly PodInfo[]): PodInfo[] {
  const labels = Object.entries(workload.selector);
  const expressions = workload.selectorExpressions;
  if (labels.length === 0 && expressions.length === 0) return [];
  return pods.filter((p) => labels.every(([k, v]) => p.labels[k] === v) && expressions.every((r) => satisfies(p.labels, r)));
}

function satisfies(labels: Readonly<Record<string, string>>, r: LabelRequirement): boolean {
  const has = Object.prototype.hasOwnProperty.call(labels, r.key);
  switch (r.operator) {
    case 'In':
      return has && r.values.includes(labels[r.key]!);
    case 'NotIn':
      return !has || !r.values.includes(labels[r.key]!);
    case 'Exists':
      return has;
    case 'DoesNotExist':
      return !has;
    default:
      return false;
  }
}
