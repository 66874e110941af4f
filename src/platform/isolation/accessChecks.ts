/**
 * Checks that the user cannot reach other tenants or cluster resources, cannot escalate through
 * RBAC, cannot change the slice's guard rails, and that the quota is there and enforced. Each check
 * asks the API server (SelfSubjectAccessReview) and also tries real requests (dry-run writes).
 */
import * as k8s from '@kubernetes/client-node';
import { type CheckResult, ISOLATION_CHECKS as C, ISOLATION_PROBE_NAMESPACE, result, rejectionSource } from '../../core/slice/isolation';
import { SLICE_API_VERSION, SLICE_GROUP, SLICE_KIND, SLICE_PLURAL, SLICE_VERSION } from '../../core/slice/sliceResource';
import { type Access, allowedAccesses, attempt, describeAccess } from './kubeCalls';

export interface CheckContext {
  readonly kc: k8s.KubeConfig;
  readonly user: string;
  readonly namespace: string;
  /** Slice namespaces of other owners (possibly empty). */
  readonly others: readonly string[];
}

const deniedAll = (allowed: Access[], what: string): { ok: boolean; msg: string } =>
  allowed.length === 0 ? { ok: true, msg: what } : { ok: false, msg: `allowed: ${allowed.map(describeAccess).join(', ')}` };

export async function checkOtherTenants(x: CheckContext): Promise<CheckResult> {
  if (x.others.length === 0) return result(C.otherTenants, 'skip', 'no slice of another owner exists to test against, and the platform has no isolation probe (deploy/platform/36-isolation-probe.yaml)');
  // Real slices of other owners first; the platform's probe namespace always (when installed).
  const real = x.others.filter((ns) => ns !== ISOLATION_PROBE_NAMESPACE).slice(0, 2);
  const targets = x.others.includes(ISOLATION_PROBE_NAMESPACE) ? [...real, ISOLATION_PROBE_NAMESPACE] : x.others.slice(0, 3);
  const accesses: Access[] = targets.flatMap((ns) => [
    ...['get', 'list', 'watch', 'create', 'delete'].map((verb) => ({ verb, resource: 'pods', namespace: ns })),
    { verb: 'create', resource: 'pods', subresource: 'exec', namespace: ns },
    { verb: 'create', resource: 'pods', subresource: 'portforward', namespace: ns },
    { verb: 'get', resource: 'pods', subresource: 'log', namespace: ns },
    { verb: 'get', resource: 'secrets', namespace: ns },
    { verb: 'list', resource: 'secrets', namespace: ns },
    { verb: 'list', resource: 'deployments', group: 'apps', namespace: ns },
    { verb: 'patch', resource: 'deployments', group: 'apps', namespace: ns },
    { verb: 'list', resource: 'services', namespace: ns },
    { verb: 'list', resource: 'configmaps', namespace: ns },
  ]);
  const allowed = await allowedAccesses(x.kc, accesses);
  if (allowed.length > 0) return result(C.otherTenants, 'fail', `you can ${allowed.map(describeAccess).join(', ')}`);
  const core = x.kc.makeApiClient(k8s.CoreV1Api);
  for (const ns of targets) {
    const r = await attempt(() => core.listNamespacedPod({ namespace: ns }));
    if (r.accepted) return result(C.otherTenants, 'fail', `listing pods in ${ns} succeeded`);
    const s = await attempt(() => core.listNamespacedSecret({ namespace: ns }));
    if (s.accepted) return result(C.otherTenants, 'fail', `listing secrets in ${ns} succeeded`);
  }
  return result(C.otherTenants, 'pass', `${accesses.length} kinds of access to ${targets.join(', ')} denied; listing their pods and secrets was refused`);
}

export async function checkSliceOwnership(x: CheckContext): Promise<CheckResult> {
  const api = x.kc.makeApiClient(k8s.CustomObjectsApi);
  const other = 'slice-isolation-probe-someone-else';
  const body = { apiVersion: SLICE_API_VERSION, kind: SLICE_KIND, metadata: { name: `${other}-probe` }, spec: { owner: other, baseline: 'none', forks: [] } };
  const r = await attempt(() => api.createClusterCustomObject({ group: SLICE_GROUP, version: SLICE_VERSION, plural: SLICE_PLURAL, body, dryRun: 'All' }));
  if (r.accepted) return result(C.sliceOwnership, 'fail', `creating a Slice owned by ${other} was accepted`);
  return result(C.sliceOwnership, 'pass', `creating a Slice owned by someone else was refused by ${rejectionSource(r.message)}`);
}

export async function checkClusterResources(x: CheckContext): Promise<CheckResult> {
  const accesses: Access[] = [
    { verb: 'list', resource: 'nodes' },
    { verb: 'create', resource: 'namespaces' },
    { verb: 'delete', resource: 'namespaces', name: x.namespace },
    { verb: 'patch', resource: 'namespaces', name: x.namespace },
    { verb: 'list', resource: 'secrets' },
    { verb: 'list', resource: 'pods' },
    { verb: 'create', resource: 'persistentvolumes' },
    { verb: 'create', resource: 'clusterroles', group: 'rbac.authorization.k8s.io' },
    { verb: 'create', resource: 'clusterrolebindings', group: 'rbac.authorization.k8s.io' },
    { verb: 'create', resource: 'customresourcedefinitions', group: 'apiextensions.k8s.io' },
    { verb: 'delete', resource: 'validatingadmissionpolicies', group: 'admissionregistration.k8s.io' },
    { verb: 'create', resource: 'mutatingwebhookconfigurations', group: 'admissionregistration.k8s.io' },
    { verb: 'list', resource: 'secrets', namespace: 'kube-system' },
    { verb: 'list', resource: 'pods', namespace: 'slice-system' },
  ];
  const d = deniedAll(await allowedAccesses(x.kc, accesses), '');
  if (!d.ok) return result(C.clusterResources, 'fail', `you can ${d.msg.replace('allowed: ', '')}`);
  const core = x.kc.makeApiClient(k8s.CoreV1Api);
  const nodes = await attempt(() => core.listNode());
  if (nodes.accepted) return result(C.clusterResources, 'fail', 'listing nodes succeeded');
  const ns = await attempt(() => core.createNamespace({ body: { metadata: { name: `slice-isolation-probe-${Date.now()}` } }, dryRun: 'All' }));
  if (ns.accepted) return result(C.clusterResources, 'fail', 'creating a namespace (dry run) was accepted');
  return result(C.clusterResources, 'pass', `${accesses.length} cluster-level accesses denied; listing nodes and creating a namespace were refused`);
}

export async function checkRbacEscalation(x: CheckContext): Promise<CheckResult> {
  const rbacGroup = 'rbac.authorization.k8s.io';
  const accesses: Access[] = [
    { verb: 'create', resource: 'roles', group: rbacGroup, namespace: x.namespace },
    { verb: 'create', resource: 'rolebindings', group: rbacGroup, namespace: x.namespace },
    { verb: 'patch', resource: 'rolebindings', group: rbacGroup, namespace: x.namespace },
    { verb: 'bind', resource: 'clusterroles', group: rbacGroup },
    { verb: 'escalate', resource: 'clusterroles', group: rbacGroup },
    { verb: 'bind', resource: 'clusterroles', group: rbacGroup, name: 'cluster-admin' },
    { verb: 'impersonate', resource: 'users' },
    { verb: 'impersonate', resource: 'groups' },
    { verb: 'create', resource: 'serviceaccounts', subresource: 'token', namespace: x.namespace },
  ];
  const d = deniedAll(await allowedAccesses(x.kc, accesses), '');
  if (!d.ok) return result(C.rbacEscalation, 'fail', `you can ${d.msg.replace('allowed: ', '')}`);
  const rbac = x.kc.makeApiClient(k8s.RbacAuthorizationV1Api);
  const r = await attempt(() =>
    rbac.createNamespacedRoleBinding({
      namespace: x.namespace,
      dryRun: 'All',
      body: { metadata: { name: 'slice-isolation-probe' }, roleRef: { apiGroup: rbacGroup, kind: 'ClusterRole', name: 'cluster-admin' }, subjects: [{ apiGroup: rbacGroup, kind: 'User', name: x.user }] },
    }),
  );
  if (r.accepted) return result(C.rbacEscalation, 'fail', `binding cluster-admin to yourself in ${x.namespace} (dry run) was accepted`);
  return result(C.rbacEscalation, 'pass', `binding cluster-admin to yourself was refused by ${rejectionSource(r.message)}; ${accesses.length} RBAC-changing accesses denied`);
}

export async function checkPolicyTamper(x: CheckContext): Promise<CheckResult> {
  const accesses: Access[] = ['update', 'patch', 'delete', 'create'].flatMap((verb) => [
    { verb, resource: 'resourcequotas', namespace: x.namespace },
    { verb, resource: 'limitranges', namespace: x.namespace },
    { verb, resource: 'networkpolicies', group: 'networking.k8s.io', namespace: x.namespace },
  ]);
  const d = deniedAll(await allowedAccesses(x.kc, accesses), '');
  if (!d.ok) return result(C.policyTamper, 'fail', `you can ${d.msg.replace('allowed: ', '')}`);
  const net = x.kc.makeApiClient(k8s.NetworkingV1Api);
  const np = await attempt(() => net.createNamespacedNetworkPolicy({ namespace: x.namespace, dryRun: 'All', body: { metadata: { name: 'slice-isolation-probe-allow-all' }, spec: { podSelector: {}, ingress: [{}], egress: [{}], policyTypes: ['Ingress', 'Egress'] } } }));
  if (np.accepted) return result(C.policyTamper, 'fail', `creating an allow-all NetworkPolicy in ${x.namespace} (dry run) was accepted`);
  const core = x.kc.makeApiClient(k8s.CoreV1Api);
  const q = await attempt(() => core.deleteNamespacedResourceQuota({ name: 'slice-quota', namespace: x.namespace, dryRun: 'All' }));
  if (q.accepted) return result(C.policyTamper, 'fail', `deleting the quota of ${x.namespace} (dry run) was accepted`);
  return result(C.policyTamper, 'pass', `widening the network policy was refused by ${rejectionSource(np.message)}, deleting the quota by ${rejectionSource(q.message)}`);
}

export async function checkQuota(x: CheckContext, image: string): Promise<CheckResult> {
  const core = x.kc.makeApiClient(k8s.CoreV1Api);
  let quotas: k8s.V1ResourceQuotaList;
  try {
    quotas = await core.listNamespacedResourceQuota({ namespace: x.namespace });
  } catch {
    return result(C.quotaEnforced, 'error', `cannot read the resource quotas of ${x.namespace}`);
  }
  const hard = Object.assign({}, ...quotas.items.map((q) => q.spec?.hard ?? {})) as Record<string, string>;
  const missing = ['limits.cpu', 'limits.memory', 'pods'].filter((k) => !(k in hard));
  if (missing.length > 0) return result(C.quotaEnforced, 'fail', `${x.namespace} has no quota on ${missing.join(', ')}`);
  const r = await attempt(() =>
    core.createNamespacedPod({
      namespace: x.namespace,
      dryRun: 'All',
      body: {
        metadata: { name: 'slice-isolation-probe-quota' },
        spec: {
          securityContext: { runAsNonRoot: true, runAsUser: 65532, seccompProfile: { type: 'RuntimeDefault' } },
          containers: [{ name: 'probe', image, resources: { requests: { memory: '1Ti', cpu: '1' }, limits: { memory: '1Ti', cpu: '1' } }, securityContext: { allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] } } }],
        },
      },
    }),
  );
  if (r.accepted) return result(C.quotaEnforced, 'fail', `a pod asking for 1Ti of memory (dry run) was accepted in ${x.namespace}`);
  return result(C.quotaEnforced, 'pass', `quota ${hard['limits.cpu']} CPU / ${hard['limits.memory']} / ${hard.pods} pods; a pod asking for 1Ti was refused by ${rejectionSource(r.message)}`);
}
