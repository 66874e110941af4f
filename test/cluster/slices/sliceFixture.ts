// Shared setup for the slice platform suites: a baseline namespace with a tiny HTTP workload,
// Slices created as alice/bob, waiting for them, and cleanup. The platform (deploy/platform) must
// be installed: scripts/test.sh runs `npm run platform:install` before the cluster tier.
import * as k8s from '@kubernetes/client-node';
import { eventually, image, loadKubeConfig, restrictedContainer, restrictedPod, statusCode } from '../smoke/helpers';
import { TEST_LABELS } from '../../support/clusterDir';
import { SLICE_API_VERSION, SLICE_GROUP, SLICE_KIND, SLICE_PLURAL, SLICE_VERSION, type ForkSpec, type SliceObject } from '../../../src/core/slice/sliceResource';

export const admin = loadKubeConfig('admin');
export const alice = loadKubeConfig('alice');
export const bob = loadKubeConfig('bob');
export const nodeImage = image('SLICE_NODE_IMAGE');
const sliceRef = { group: SLICE_GROUP, version: SLICE_VERSION, plural: SLICE_PLURAL };

export const serverCommand = ['node', '-e', "require('http').createServer((q,s)=>s.end('ok from '+require('os').hostname())).listen(8080)"];

/** A baseline namespace (slice.dev/role=baseline) with Deployment+Service `web` (and optional extras). */
export async function createBaseline(name: string, extra: { name: string; image?: string; container?: Partial<k8s.V1Container> }[] = []): Promise<void> {
  const core = admin.makeApiClient(k8s.CoreV1Api);
  const apps = admin.makeApiClient(k8s.AppsV1Api);
  await core.createNamespace({ body: { metadata: { name, labels: { 'slice.dev/role': 'baseline', 'app.kubernetes.io/part-of': 'slice-tests' } } } });
  for (const w of [{ name: 'web' }, ...extra]) {
    await apps.createNamespacedDeployment({
      namespace: name,
      body: {
        metadata: { name: w.name, labels: { app: w.name } },
        spec: {
          replicas: w.name === 'web' ? 1 : 0,
          selector: { matchLabels: { app: w.name } },
          template: {
            metadata: { labels: { app: w.name } },
            spec: {
              securityContext: restrictedPod,
              containers: [{ name: w.name, image: w.image ?? nodeImage, imagePullPolicy: 'IfNotPresent', command: serverCommand, ports: [{ containerPort: 8080 }], securityContext: restrictedContainer, ...w.container }],
            },
          },
        },
      },
    });
    await core.createNamespacedService({ namespace: name, body: { metadata: { name: w.name }, spec: { selector: { app: w.name }, ports: [{ port: 80, targetPort: 8080 }] } } });
  }
}

export function sliceBody(owner: string, name: string, baseline: string, forks: ForkSpec[], extra: Partial<SliceObject['spec']> = {}): SliceObject {
  return { apiVersion: SLICE_API_VERSION, kind: SLICE_KIND, metadata: { name: `${owner}-${name}`, labels: { ...TEST_LABELS } }, spec: { owner, baseline, forks, ...extra } };
}

export async function createSlice(kc: k8s.KubeConfig, body: SliceObject): Promise<SliceObject> {
  return (await kc.makeApiClient(k8s.CustomObjectsApi).createClusterCustomObject({ ...sliceRef, body })) as SliceObject;
}

export async function getSlice(name: string, kc = admin): Promise<SliceObject | undefined> {
  try {
    return (await kc.makeApiClient(k8s.CustomObjectsApi).getClusterCustomObject({ ...sliceRef, name })) as SliceObject;
  } catch (e) {
    if (statusCode(e) === 404) return undefined;
    throw e;
  }
}

export async function deleteSlice(name: string, kc = admin): Promise<void> {
  await kc.makeApiClient(k8s.CustomObjectsApi).deleteClusterCustomObject({ ...sliceRef, name }).catch((e: unknown) => {
    if (statusCode(e) !== 404) throw e;
  });
}

export async function patchSlice(kc: k8s.KubeConfig, name: string, patch: unknown[]): Promise<SliceObject> {
  return (await kc.makeApiClient(k8s.CustomObjectsApi).patchClusterCustomObject({ ...sliceRef, name, body: patch })) as SliceObject;
}

export async function waitForPhase(name: string, phases: string[], timeoutMs = 120_000): Promise<SliceObject> {
  return eventually(`Slice ${name} in phase ${phases.join('/')}`, async () => {
    const s = await getSlice(name);
    if (s?.status?.phase && phases.includes(s.status.phase)) return s;
    if (!s) throw new Error('the Slice does not exist');
    throw new Error(`phase ${s.status?.phase}; ${s.status?.conditions?.find((c) => c.type === 'Ready')?.message ?? ''}`);
  }, timeoutMs, 300);
}

export async function waitGone(name: string, namespace: string, timeoutMs = 120_000): Promise<void> {
  const core = admin.makeApiClient(k8s.CoreV1Api);
  await eventually(`Slice ${name} and namespace ${namespace} to disappear`, async () => {
    if (await getSlice(name)) return false;
    try {
      await core.readNamespace({ name: namespace });
      return false;
    } catch (e) {
      return statusCode(e) === 404;
    }
  }, timeoutMs, 500);
}

/** Deletes the Slices (and waits for their namespaces), then the baseline namespace. */
export async function cleanup(slices: string[], baseline?: string): Promise<void> {
  await Promise.all(slices.map((s) => deleteSlice(s)));
  await Promise.all(slices.map((s) => waitGone(s, `slice-${s}`, 90_000).catch(() => undefined)));
  if (baseline) await admin.makeApiClient(k8s.CoreV1Api).deleteNamespace({ name: baseline }).catch(() => undefined);
}

/** A Running fork pod of a slice namespace (admin view). */
export async function forkPod(namespace: string, workload = 'web'): Promise<k8s.V1Pod> {
  const core = admin.makeApiClient(k8s.CoreV1Api);
  return eventually(`a running ${workload} pod in ${namespace}`, async () => {
    const pods = await core.listNamespacedPod({ namespace, labelSelector: `slice.dev/fork=${workload}` });
    return pods.items.find((p) => p.status?.phase === 'Running' && !p.metadata?.deletionTimestamp && p.status.containerStatuses?.every((c) => c.ready));
  }, 60_000);
}
