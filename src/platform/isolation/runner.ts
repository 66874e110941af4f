/**
 * Verify Isolation: runs every check of src/core/slice/isolation.ts as the user of the given
 * KubeConfig against their own slice namespace and returns a report with one line per check.
 *
 *   const report = await runIsolationChecks(kc, { namespace: 'slice-alice-feature' });
 *   console.log(formatReport(report)); // report.ok, report.results[i].status/message
 */
import * as k8s from '@kubernetes/client-node';
import { LABEL_OWNER, LABEL_ROLE } from '../../core/cluster/labels';
import { type CheckResult, type IsolationCheck, type IsolationReport, ISOLATION_CHECKS as C, result, summarize } from '../../core/slice/isolation';
import { labelValue } from '../../core/slice/manifests';
import { type CheckContext, checkClusterResources, checkOtherTenants, checkPolicyTamper, checkQuota, checkRbacEscalation, checkSliceOwnership } from './accessChecks';
import { apiMessage } from './kubeCalls';
import { checkCrossSliceNetwork } from './networkCheck';
import { checkPodSecurity } from './podSecurityChecks';

export interface IsolationOptions {
  /** The user's own slice namespace. */
  readonly namespace: string;
  /** Image used in dry-run probe pods (never pulled). */
  readonly probeImage?: string;
  readonly networkTimeoutMs?: number;
  /** Called as each check finishes (for progress UI). */
  readonly onResult?: (r: CheckResult) => void;
}

export async function whoAmI(kc: k8s.KubeConfig): Promise<string> {
  const r = await kc.makeApiClient(k8s.AuthenticationV1Api).createSelfSubjectReview({ body: { apiVersion: 'authentication.k8s.io/v1', kind: 'SelfSubjectReview' } });
  const name = r.status?.userInfo?.username;
  if (!name) throw new Error('the cluster did not say who you are (SelfSubjectReview returned no username)');
  return name;
}

export async function runIsolationChecks(kc: k8s.KubeConfig, opts: IsolationOptions): Promise<IsolationReport> {
  const started = Date.now();
  const user = await whoAmI(kc);
  const core = kc.makeApiClient(k8s.CoreV1Api);
  const nss = await core.listNamespace({ labelSelector: `${LABEL_ROLE}=slice` });
  const mine = labelValue(user);
  const others = nss.items
    .filter((n) => n.metadata?.name !== opts.namespace && n.metadata?.labels?.[LABEL_OWNER] !== mine && !n.metadata?.deletionTimestamp)
    .map((n) => n.metadata?.name ?? '')
    .filter(Boolean);
  const x: CheckContext = { kc, user, namespace: opts.namespace, others };
  const image = opts.probeImage ?? 'localhost/slice/node:20';
  const results: CheckResult[] = [];
  const run = async (check: IsolationCheck, fn: () => Promise<CheckResult | CheckResult[]>): Promise<void> => {
    const t0 = Date.now();
    let out: CheckResult[];
    try {
      const r = await fn();
      out = Array.isArray(r) ? r : [{ ...r, durationMs: Date.now() - t0 }];
    } catch (e) {
      out = [result(check, 'error', `the check could not run: ${apiMessage(e)}`, Date.now() - t0)];
    }
    for (const r of out) {
      results.push(r);
      opts.onResult?.(r);
    }
  };
  await run(C.otherTenants, () => checkOtherTenants(x));
  await run(C.sliceOwnership, () => checkSliceOwnership(x));
  await run(C.clusterResources, () => checkClusterResources(x));
  await run(C.rbacEscalation, () => checkRbacEscalation(x));
  await run(C.policyTamper, () => checkPolicyTamper(x));
  await run(C.quotaEnforced, () => checkQuota(x, image));
  await run(C.privileged, () => checkPodSecurity(x, image));
  await run(C.network, () => checkCrossSliceNetwork(x, opts.networkTimeoutMs));
  return summarize(user, opts.namespace, started, Date.now(), results);
}
