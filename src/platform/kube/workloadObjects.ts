import { type V1Deployment, type V1Pod } from '@kubernetes/client-node';
import { type ContainerLimits, type LastTermination, type PodInfo, type WorkloadSummary } from '../../core/cluster/workloadSummary';
import { AGENT_CONTAINER } from '../../core/slice/fork';
import { LABEL_FORK, parseQuantity } from '../../core/slice/manifests';

/** A Deployment as the API returns it → what the Environments tree shows (the app container, never the Slice agent's). */
export function toWorkload(d: V1Deployment, namespace: string): WorkloadSummary {
  const containers = d.spec?.template.spec?.containers ?? [];
  const app = containers.find((c) => c.name !== AGENT_CONTAINER) ?? containers[0];
  const notAvailable = (d.status?.conditions ?? []).find((c) => (c.type === 'Available' || c.type === 'Progressing') && c.status === 'False');
  return {
    name: d.metadata?.name ?? '',
    namespace,
    replicas: d.spec?.replicas ?? 1,
    ready: d.status?.readyReplicas ?? 0,
    forkOf: d.metadata?.labels?.[LABEL_FORK],
    port: app?.ports?.[0]?.containerPort,
    image: app?.image,
    selector: d.spec?.selector.matchLabels ?? {},
    selectorExpressions: (d.spec?.selector.matchExpressions ?? []).map((r) => ({ key: r.key, operator: r.operator, values: r.values ?? [] })),
    problem: notAvailable ? (notAvailable.message ?? notAvailable.reason) : undefined,
  };
}

/** A pod as the API returns it → phase, readiness, restarts and why it is stuck (the first waiting or failed container's reason). */
export function toPod(p: V1Pod): PodInfo {
  const statuses = p.status?.containerStatuses ?? [];
  const waiting = [...(p.status?.initContainerStatuses ?? []), ...statuses].map((c) => c.state?.waiting ?? (c.state?.terminated && c.state.terminated.exitCode !== 0 ? c.state.terminated : undefined)).find((w) => w?.reason);
  const names = (p.spec?.containers ?? []).map((c) => c.name);
  const limits: ContainerLimits[] = (p.spec?.containers ?? []).map((c) => {
    const cpu = c.resources?.limits?.['cpu'];
    const memory = c.resources?.limits?.['memory'];
    const cpuCores = cpu === undefined ? undefined : parseQuantity(cpu);
    return { container: c.name, cpuMillis: cpuCores === undefined ? undefined : cpuCores * 1000, memoryBytes: memory === undefined ? undefined : parseQuantity(memory) };
  });
  const lastTerminations: LastTermination[] = statuses.flatMap((c) => {
    const t = c.lastState?.terminated;
    return t?.reason ? [{ container: c.name, reason: t.reason, exitCode: t.exitCode, finishedAt: t.finishedAt ? new Date(t.finishedAt) : undefined }] : [];
  });
  return {
    name: p.metadata?.name ?? '',
    phase: p.metadata?.deletionTimestamp ? 'Terminating' : (p.status?.phase ?? 'Unknown'),
    ready: statuses.length > 0 && statuses.every((c) => c.ready),
    restarts: statuses.reduce((n, c) => n + (c.restartCount ?? 0), 0),
    labels: p.metadata?.labels ?? {},
    containers: [...names.filter((n) => n !== AGENT_CONTAINER), ...names.filter((n) => n === AGENT_CONTAINER)],
    reason: waiting ? `${waiting.reason}${waiting.message ? `: ${waiting.message}` : ''}` : undefined,
    startedAt: p.status?.startTime ? new Date(p.status.startTime) : undefined,
    limits,
    lastTerminations,
  };
}
