/**
 * The real cross-slice connection attempt: from a running pod of the user's own slice (exec into
 * the sync agent sidecar, which has node), open TCP connections with a short timeout — first to
 * the slice's own Service (control: the probe works), then to Services of other owners' slices
 * (read from their Slice status). The cross-slice connections must fail.
 */
import * as k8s from '@kubernetes/client-node';
import { type CheckResult, ISOLATION_CHECKS as C, result } from '../../core/slice/isolation';
import { AGENT_CONTAINER } from '../../core/slice/fork';
import { FIELD_MANAGER, LABEL_MANAGED_BY } from '../../core/slice/manifests';
import { SLICE_GROUP, SLICE_PLURAL, SLICE_VERSION, type SliceObject } from '../../core/slice/sliceResource';
import { ISOLATION_PROBE_NAMESPACE, ISOLATION_PROBE_SERVICE } from '../../core/slice/isolation';
import { type CheckContext } from './accessChecks';
import { execIn } from './kubeCalls';

const PROBE = [
  "const s = require('net').connect({ host: process.argv[1], port: Number(process.argv[2]) });",
  "const t = setTimeout(() => { console.log('timeout'); process.exit(0); }, Number(process.argv[3]));",
  "s.on('connect', () => { console.log('connected'); process.exit(0); });",
  "s.on('error', (e) => { console.log('error ' + (e.code || e.message)); process.exit(0); });",
].join('\n');

interface Target {
  readonly host: string;
  readonly port: number;
  readonly label: string;
}

function targetsOf(s: SliceObject): Target[] {
  const ns = s.status?.namespace;
  if (!ns) return [];
  return (s.status?.forks ?? []).flatMap((f) => (f.service && f.ports?.[0] ? [{ host: `${f.service}.${ns}.svc.cluster.local`, port: f.ports[0], label: `${f.service}.${ns}:${f.ports[0]}` }] : []));
}

export async function checkCrossSliceNetwork(x: CheckContext, timeoutMs = 2500): Promise<CheckResult> {
  const core = x.kc.makeApiClient(k8s.CoreV1Api);
  const pods = await core.listNamespacedPod({ namespace: x.namespace, labelSelector: `${LABEL_MANAGED_BY}=${FIELD_MANAGER}` });
  const pod = pods.items.find((p) => p.status?.phase === 'Running' && p.status.containerStatuses?.some((c) => c.name === AGENT_CONTAINER && c.ready));
  if (!pod?.metadata?.name) return result(C.network, 'skip', `no running fork pod with the sync agent in ${x.namespace} to test from`);
  const api = x.kc.makeApiClient(k8s.CustomObjectsApi);
  const list = (await api.listClusterCustomObject({ group: SLICE_GROUP, version: SLICE_VERSION, plural: SLICE_PLURAL })) as { items: SliceObject[] };
  const own = list.items.find((s) => s.status?.namespace === x.namespace);
  // Other owners' slices, and always the platform's isolation probe (deploy/platform/36-isolation-probe.yaml),
  // so the boundary is tested even when no other developer has a slice.
  const probeTarget = x.others.includes(ISOLATION_PROBE_NAMESPACE) ? [{ host: `${ISOLATION_PROBE_SERVICE}.${ISOLATION_PROBE_NAMESPACE}.svc.cluster.local`, port: 80, label: `${ISOLATION_PROBE_SERVICE}.${ISOLATION_PROBE_NAMESPACE}:80 (the platform's isolation probe)` }] : [];
  const others = [...list.items.filter((s) => s.status?.namespace && x.others.includes(s.status.namespace)).flatMap(targetsOf).slice(0, 3), ...probeTarget];
  if (others.length === 0) return result(C.network, 'skip', 'no other owner\'s slice with a Service exists to connect to, and the platform has no isolation probe (deploy/platform/36-isolation-probe.yaml)');
  const probe = async (t: Target): Promise<string> => {
    const r = await execIn(x.kc, x.namespace, pod.metadata!.name!, AGENT_CONTAINER, ['node', '-e', PROBE, t.host, String(t.port), String(timeoutMs)]);
    return r.stdout.trim() || r.stderr.trim() || r.status;
  };
  const control = own ? targetsOf(own)[0] : undefined;
  let controlNote = '';
  if (control) {
    const c = await probe(control);
    if (c !== 'connected') return result(C.network, 'error', `the probe could not reach your own Service ${control.label} either (${c}), so a failed cross-slice connection would prove nothing`);
    controlNote = `; your own ${control.label} answered`;
  }
  const outcomes = await Promise.all(others.map(async (t) => ({ t, r: await probe(t) })));
  const reached = outcomes.filter((o) => o.r === 'connected');
  if (reached.length > 0) return result(C.network, 'fail', `from ${pod.metadata.name} you reached ${reached.map((o) => o.t.label).join(', ')}`);
  return result(C.network, 'pass', `from ${pod.metadata.name}: ${outcomes.map((o) => `${o.t.label} ${o.r === 'timeout' ? 'timed out' : o.r}`).join(', ')}${controlNote}`);
}
