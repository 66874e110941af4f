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

/**
 * Creates a baseline namespace and a Slice of it made by alice (`alice-checkout-fix`, no forks; the
 * controller makes its namespace: the tree lists a slice namespace only with its Slice); returns
 * their cleanup.
 */
export async function labelledNamespace(adminKubeconfig: string, aliceKubeconfig: string, name: string): Promise<() => Promise<void>> {
  const kc = new KubeConfig();
  kc.loadFromFile(adminKubeconfig);
  const alice = new KubeConfig();
  alice.loadFromFile(aliceKubeconfig);
  const api = kc.makeApiClient(CoreV1Api);
  const sliceName = 'alice-checkout-fix';
  await api.createNamespace({ body: { metadata: { name, labels: { 'slice.dev/role': 'baseline', ...TEST_LABELS } } } });
  await alice.makeApiClient(CustomObjectsApi).createClusterCustomObject({
    group: 'slice.dev', version: 'v1alpha1', plural: 'slices',
    body: { apiVersion: 'slice.dev/v1alpha1', kind: 'Slice', metadata: { name: sliceName, labels: { ...TEST_LABELS } }, spec: { owner: 'alice', baseline: name, forks: [], ttl: '3h' } },
  });
  for (let i = 0; !(await api.readNamespace({ name: `slice-${sliceName}` }).then(() => true, () => false)); i++) {
    if (i > 240) throw new Error(`the controller made no namespace for Slice ${sliceName}`);
    await new Promise((r) => setTimeout(r, 250));
  }
  return async () => {
    await removeSlice(kc, sliceName);
    await api.deleteNamespace({ name });
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
