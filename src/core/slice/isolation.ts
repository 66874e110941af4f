/**
 * Verify Isolation: the catalogue of behavioural checks (modelled on the Kubernetes multi-tenancy
 * benchmarks, profile level 1) and the result model. The runner (src/platform/isolation) performs
 * them as the current user against the real cluster; this file only says what each check means
 * and how results add up.
 */
export type IsolationCategory = 'tenant-isolation' | 'cluster-protection' | 'rbac' | 'quota' | 'pod-security' | 'network';
export type CheckStatus = 'pass' | 'fail' | 'skip' | 'error';

export interface IsolationCheck {
  readonly id: string;
  readonly title: string;
  readonly category: IsolationCategory;
  /** The multi-tenancy benchmark (profile level 1) behaviour it corresponds to. */
  readonly benchmark: string;
}

export interface CheckResult extends IsolationCheck {
  readonly status: CheckStatus;
  /** One line: what was tried and what happened. */
  readonly message: string;
  readonly durationMs: number;
}

export interface IsolationReport {
  readonly user: string;
  readonly namespace: string;
  readonly startedAt: string;
  readonly durationMs: number;
  readonly results: readonly CheckResult[];
  readonly passed: number;
  readonly failed: number;
  readonly skipped: number;
  readonly errors: number;
  /** True when nothing failed and nothing errored (skips are allowed). */
  readonly ok: boolean;
}

/**
 * The platform's stand-in for another tenant (deploy/platform/36-isolation-probe.yaml): a namespace
 * laid out like another owner's slice, with a Service, so the cross-tenant checks always have a target.
 */
export const ISOLATION_PROBE_NAMESPACE = 'tenant-isolation-probe';
export const ISOLATION_PROBE_SERVICE = 'probe';

const c = (id: string, title: string, category: IsolationCategory, benchmark: string): IsolationCheck => ({ id, title, category, benchmark });

export const ISOLATION_CHECKS = {
  otherTenants: c('other-tenant-access', 'No access to other tenants\' slices', 'tenant-isolation', 'Block access to other tenant resources'),
  sliceOwnership: c('slice-ownership', 'Cannot create or change Slices of other owners', 'tenant-isolation', 'Block access to other tenant resources'),
  clusterResources: c('cluster-resource-access', 'No access to cluster resources', 'cluster-protection', 'Block access to cluster resources'),
  rbacEscalation: c('rbac-self-escalation', 'Cannot create roles or role bindings, nor bind cluster roles', 'rbac', 'Block privilege escalation through RBAC'),
  policyTamper: c('policy-tamper', 'Cannot change the slice\'s quota, limits or network policies', 'quota', 'Block modification of resource quotas and network policies'),
  quotaEnforced: c('quota-enforced', 'The slice has a resource quota and it is enforced', 'quota', 'Configure namespace resource quotas'),
  privileged: c('block-privileged', 'Privileged containers are rejected', 'pod-security', 'Block privileged containers'),
  hostPath: c('block-host-path', 'hostPath volumes are rejected', 'pod-security', 'Block use of host path volumes'),
  hostNetwork: c('block-host-network', 'hostNetwork and hostPort are rejected', 'pod-security', 'Block use of host networking and ports'),
  hostPid: c('block-host-pid', 'hostPID is rejected', 'pod-security', 'Block use of host PID'),
  hostIpc: c('block-host-ipc', 'hostIPC is rejected', 'pod-security', 'Block use of host IPC'),
  capabilities: c('block-add-capabilities', 'Added capabilities are rejected', 'pod-security', 'Block add capabilities'),
  escalation: c('block-privilege-escalation', 'allowPrivilegeEscalation is rejected', 'pod-security', 'Block privilege escalation'),
  root: c('require-non-root', 'Running as root is rejected', 'pod-security', 'Require run as non-root user'),
  nodePort: c('block-node-port', 'NodePort Services are rejected', 'network', 'Block use of NodePort services'),
  network: c('cross-slice-network', 'No network connection from this slice to another slice', 'network', 'Block network traffic across tenant namespaces'),
} as const satisfies Record<string, IsolationCheck>;

export function result(check: IsolationCheck, status: CheckStatus, message: string, durationMs = 0): CheckResult {
  return { ...check, status, message, durationMs };
}

export function summarize(user: string, namespace: string, startedAtMs: number, endMs: number, results: readonly CheckResult[]): IsolationReport {
  const n = (s: CheckStatus) => results.filter((r) => r.status === s).length;
  const failed = n('fail');
  const errors = n('error');
  return {
    user,
    namespace,
    startedAt: new Date(startedAtMs).toISOString(),
    durationMs: endMs - startedAtMs,
    results,
    passed: n('pass'),
    failed,
    skipped: n('skip'),
    errors,
    ok: failed === 0 && errors === 0,
  };
}

/** One line per check, e.g. for an output channel: "PASS  block-privileged  Privileged … — rejected by …". */
export function formatReport(r: IsolationReport): string {
  const lines = r.results.map((x) => `${x.status.toUpperCase().padEnd(5)} ${x.id.padEnd(28)} ${x.message}`);
  lines.push(`${r.passed} passed, ${r.failed} failed, ${r.skipped} skipped, ${r.errors} errors (${r.user} in ${r.namespace}, ${r.durationMs} ms)`);
  return lines.join('\n');
}

/** A pod that must be rejected in a slice namespace: what it adds on top of a restricted pod. */
export interface ForbiddenPodProbe {
  readonly check: IsolationCheck;
  /** Overrides merged into the pod spec / the container. */
  readonly pod?: Readonly<Record<string, unknown>>;
  readonly container?: Readonly<Record<string, unknown>>;
  readonly what: string;
}

export const FORBIDDEN_POD_PROBES: readonly ForbiddenPodProbe[] = [
  { check: ISOLATION_CHECKS.privileged, container: { securityContext: { privileged: true } }, what: 'a privileged container' },
  { check: ISOLATION_CHECKS.hostPath, pod: { volumes: [{ name: 'host', hostPath: { path: '/etc' } }] }, container: { volumeMounts: [{ name: 'host', mountPath: '/host' }] }, what: 'a hostPath volume of /etc' },
  { check: ISOLATION_CHECKS.hostNetwork, pod: { hostNetwork: true }, container: { ports: [{ containerPort: 8080, hostPort: 8080 }] }, what: 'hostNetwork with a hostPort' },
  { check: ISOLATION_CHECKS.hostPid, pod: { hostPID: true }, what: 'hostPID' },
  { check: ISOLATION_CHECKS.hostIpc, pod: { hostIPC: true }, what: 'hostIPC' },
  { check: ISOLATION_CHECKS.capabilities, container: { securityContext: { capabilities: { drop: ['ALL'], add: ['NET_ADMIN', 'SYS_TIME'] } } }, what: 'capabilities NET_ADMIN and SYS_TIME' },
  { check: ISOLATION_CHECKS.escalation, container: { securityContext: { allowPrivilegeEscalation: true, capabilities: { drop: ['ALL'] } } }, what: 'allowPrivilegeEscalation: true' },
  { check: ISOLATION_CHECKS.root, pod: { securityContext: { runAsNonRoot: false, runAsUser: 0, seccompProfile: { type: 'RuntimeDefault' } } }, what: 'runAsUser 0 (root)' },
];

/** Why an attempted write was refused, from the API server's message. */
export function rejectionSource(message: string): string {
  if (message.includes('PodSecurity')) return 'Pod Security admission';
  if (message.includes('ValidatingAdmissionPolicy')) return 'admission policy';
  if (message.includes('exceeded quota') || message.includes('services.nodeports')) return 'the resource quota';
  if (/maximum .* usage per Container|LimitRange/i.test(message)) return 'the limit range';
  if (message.includes('cannot create resource') || message.includes('cannot patch resource') || message.includes('cannot update resource') || message.includes('is forbidden: User')) return 'RBAC';
  return 'the API server';
}
