import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { CoreV1Api, CustomObjectsApi, KubeConfig } from '@kubernetes/client-node';
import { clusterPath, TEST_LABELS } from '../support/clusterDir';
import { addTokenContext, mintNobody } from '../support/identities';

export interface ClusterKubeconfigs {
  readonly admin: string;
  readonly all: string[];
  readonly contextNames: string[];
}

/** The merged kubeconfig plus a context for an identity the cluster authorises for nothing. */
export async function kubeconfigWithNobody(kube: ClusterKubeconfigs, namespace: string): Promise<{ yaml: string; nobodyContext: string; dispose: () => Promise<void> }> {
  const admin = new KubeConfig();
  admin.loadFromFile(kube.admin);
  const nobody = await mintNobody(admin, namespace);
  const merged = new KubeConfig();
  merged.loadFromString(mergedKubeconfig(kube.all));
  const nobodyContext = addTokenContext(merged, admin, nobody.user, 'nobody@slice-local');
  return { yaml: merged.exportConfig(), nobodyContext, dispose: () => nobody.dispose() };
}

/** The local test cluster's kubeconfigs (test/cluster), or undefined when it is not up. */
export function clusterKubeconfigs(): ClusterKubeconfigs | undefined {
  const dir = clusterPath('kubeconfig');
  const admin = process.env.SLICE_KUBECONFIG_ADMIN ?? join(dir, 'admin.kubeconfig');
  const alice = process.env.SLICE_KUBECONFIG_ALICE ?? join(dir, 'alice.kubeconfig');
  const bob = process.env.SLICE_KUBECONFIG_BOB ?? join(dir, 'bob.kubeconfig');
  const all = [admin, alice, bob];
  if (!all.every((f) => existsSync(f))) return undefined;
  const contextNames = all.map((f) => {
    const kc = new KubeConfig();
    kc.loadFromFile(f);
    return kc.getCurrentContext();
  });
  return { admin, all, contextNames };
}

/** The local cluster's admin and alice (a developer), as client configs. */
export function adminAndAlice(kube: ClusterKubeconfigs): { admin: KubeConfig; alice: KubeConfig } {
  const [admin, alice] = [kube.admin, kube.all[1]!].map((file) => {
    const kc = new KubeConfig();
    kc.loadFromFile(file);
    return kc;
  });
  return { admin: admin!, alice: alice! };
}

/** Creates a baseline namespace and a slice of it owned by alice; returns their cleanup. */
export async function labelledNamespace(adminKubeconfig: string, name: string): Promise<() => Promise<void>> {
  const kc = new KubeConfig();
  kc.loadFromFile(adminKubeconfig);
  const api = kc.makeApiClient(CoreV1Api);
  const slice = `slice-alice-${name}`;
  await api.createNamespace({ body: { metadata: { name, labels: { 'slice.dev/role': 'baseline', ...TEST_LABELS } } } });
  await api.createNamespace({
    body: {
      metadata: {
        name: slice,
        labels: { 'slice.dev/role': 'slice', 'slice.dev/owner': 'alice', 'slice.dev/slice': 'checkout-fix', 'slice.dev/baseline': name, ...TEST_LABELS },
        annotations: { 'slice.dev/expires-at': new Date(Date.now() + 3 * 3600_000 + 30 * 60_000).toISOString() },
      },
    },
  });
  return async () => {
    await api.deleteNamespace({ name });
    await api.deleteNamespace({ name: slice });
  };
}

/** One kubeconfig holding the contexts of several files (first file wins a clash, as in kubectl). */
export function mergedKubeconfig(files: readonly string[]): string {
  const firstWins = <T extends { name: string }>(lists: T[][]): T[] => [...new Map(lists.flat().reverse().map((x) => [x.name, x] as const)).values()].reverse();
  const configs = files.map((f) => {
    const kc = new KubeConfig();
    kc.loadFromFile(f);
    return kc;
  });
  const merged = new KubeConfig();
  merged.loadFromOptions({
    clusters: firstWins(configs.map((c) => c.getClusters())),
    users: firstWins(configs.map((c) => c.getUsers())),
    contexts: firstWins(configs.map((c) => c.getContexts())),
    currentContext: configs.map((c) => c.getCurrentContext()).find((n) => n) ?? '',
  });
  return merged.exportConfig();
}

/** Removes a Slice object (one an earlier, interrupted run or a failed step left), and waits until it is gone. */
export async function removeSlice(admin: KubeConfig, name: string): Promise<void> {
  const api = admin.makeApiClient(CustomObjectsApi);
  const ref = { group: 'slice.dev', version: 'v1alpha1', plural: 'slices', name };
  if (!(await api.getClusterCustomObject(ref).then(() => true, () => false))) return;
  await api.deleteClusterCustomObject(ref).catch(() => undefined);
  for (let i = 0; i < 120 && (await api.getClusterCustomObject(ref).then(() => true, () => false)); i++) await new Promise((r) => setTimeout(r, 1000));
}
