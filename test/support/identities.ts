import { CoreV1Api, type KubeConfig } from '@kubernetes/client-node';
import { TEST_LABELS } from './clusterDir';

/**
 * A real identity the local cluster authenticates but authorises for nothing: a ServiceAccount
 * with no bindings, and a short-lived token minted for it through the TokenRequest API. Requests
 * made with it get real 403s from the API server.
 */
export interface NobodyIdentity {
  readonly user: { readonly name: string; readonly token: string };
  readonly username: string;
  dispose(): Promise<void>;
}

export async function mintNobody(admin: KubeConfig, namespace: string): Promise<NobodyIdentity> {
  const core = admin.makeApiClient(CoreV1Api);
  await core.createNamespace({ body: { metadata: { name: namespace, labels: { ...TEST_LABELS } } } });
  await core.createNamespacedServiceAccount({ namespace, body: { metadata: { name: 'nobody' } } });
  const token = await core.createNamespacedServiceAccountToken({ namespace, name: 'nobody', body: { spec: { audiences: [], expirationSeconds: 3600 } } });
  if (!token.status?.token) throw new Error('the API server returned no token');
  return {
    user: { name: `nobody-${namespace}`, token: token.status.token },
    username: `system:serviceaccount:${namespace}:nobody`,
    dispose: async () => {
      await core.deleteNamespace({ name: namespace });
    },
  };
}

/** Adds a context for the given token user on the admin kubeconfig's cluster; returns its name. */
export function addTokenContext(target: KubeConfig, admin: KubeConfig, user: { name: string; token: string }, contextName: string): string {
  const cluster = admin.getCurrentCluster();
  if (!cluster) throw new Error('the admin kubeconfig has no current cluster');
  target.loadFromOptions({
    clusters: [...target.getClusters().filter((c) => c.name !== cluster.name), cluster],
    users: [...target.getUsers().filter((u) => u.name !== user.name), { name: user.name, token: user.token }],
    contexts: [...target.getContexts().filter((c) => c.name !== contextName), { name: contextName, cluster: cluster.name, user: user.name }],
    currentContext: target.getCurrentContext() || contextName,
  });
  return contextName;
}
