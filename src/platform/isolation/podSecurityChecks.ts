/**
 * Pods that break Pod Security "restricted" (privileged, hostPath, host namespaces, capabilities,
 * privilege escalation, root) and a NodePort Service, created with dryRun=All in the user's own
 * slice namespace: admission runs in full and nothing is stored. Each must be REJECTED. A control
 * pod that follows every rule is tried first, so a rejection means the rule and not a missing right.
 */
import * as k8s from '@kubernetes/client-node';
import { type CheckResult, FORBIDDEN_POD_PROBES, ISOLATION_CHECKS as C, result, rejectionSource } from '../../core/slice/isolation';
import { type CheckContext } from './accessChecks';
import { attempt } from './kubeCalls';

function probePod(image: string, name: string, pod: Readonly<Record<string, unknown>> = {}, container: Readonly<Record<string, unknown>> = {}): k8s.V1Pod {
  const baseContainer = {
    name: 'probe',
    image,
    command: ['sleep', '1'],
    resources: { requests: { cpu: '10m', memory: '16Mi' }, limits: { cpu: '10m', memory: '16Mi' } },
    securityContext: { allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] } },
  };
  return {
    metadata: { name },
    spec: {
      securityContext: { runAsNonRoot: true, runAsUser: 65532, seccompProfile: { type: 'RuntimeDefault' } },
      ...pod,
      containers: [{ ...baseContainer, ...container }],
    },
  };
}

export async function checkPodSecurity(x: CheckContext, image: string): Promise<CheckResult[]> {
  const core = x.kc.makeApiClient(k8s.CoreV1Api);
  const control = await attempt(() => core.createNamespacedPod({ namespace: x.namespace, dryRun: 'All', body: probePod(image, 'slice-isolation-probe-control') }));
  const note = control.accepted ? '' : ` (even a compliant pod is refused here: ${control.message})`;
  const out: CheckResult[] = [];
  for (const p of FORBIDDEN_POD_PROBES) {
    const t0 = Date.now();
    const r = await attempt(() => core.createNamespacedPod({ namespace: x.namespace, dryRun: 'All', body: probePod(image, `slice-isolation-probe-${p.check.id}`, p.pod, p.container) }));
    out.push(
      r.accepted
        ? result(p.check, 'fail', `a pod with ${p.what} was accepted in ${x.namespace} (dry run)`, Date.now() - t0)
        : result(p.check, 'pass', `a pod with ${p.what} was refused by ${rejectionSource(r.message)}${note}`, Date.now() - t0),
    );
  }
  const t0 = Date.now();
  const svc = await attempt(() =>
    core.createNamespacedService({
      namespace: x.namespace,
      dryRun: 'All',
      body: { metadata: { name: 'slice-isolation-probe-nodeport' }, spec: { type: 'NodePort', selector: { app: 'none' }, ports: [{ port: 80, targetPort: 8080 }] } },
    }),
  );
  out.push(
    svc.accepted
      ? result(C.nodePort, 'fail', `a NodePort Service was accepted in ${x.namespace} (dry run)`, Date.now() - t0)
      : result(C.nodePort, 'pass', `a NodePort Service was refused by ${rejectionSource(svc.message)}`, Date.now() - t0),
  );
  return out;
}
