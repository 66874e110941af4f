import { AppsV1Api, ApiException, type KubeConfig } from '@kubernetes/client-node';
import { withSignal } from './requestOptions';

/** A Deployment's pod selector as a label selector string, or why it cannot be had. */
export type SelectorResult = { readonly ok: true; readonly selector: string } | { readonly ok: false; readonly reason: 'forbidden' | 'notFound' | 'expressionsOnly' | 'unreachable'; readonly message: string };

/** Reads a Deployment's matchLabels as the user (e.g. the baseline's, to follow its log). */
export async function deploymentSelector(kubeConfig: KubeConfig, namespace: string, name: string, timeoutMs: number): Promise<SelectorResult> {
  try {
    const d = await kubeConfig.makeApiClient(AppsV1Api).readNamespacedDeployment({ name, namespace }, withSignal(AbortSignal.timeout(timeoutMs)));
    const selector = Object.entries(d.spec?.selector.matchLabels ?? {}).map(([k, v]) => `${k}=${v}`).join(',');
    return selector ? { ok: true, selector } : { ok: false, reason: 'expressionsOnly', message: `the Deployment ${namespace}/${name} selects pods by expressions only` };
  } catch (e) {
    const code = e instanceof ApiException ? e.code : undefined;
    if (code === 403 || code === 401) return { ok: false, reason: 'forbidden', message: `you may not read ${namespace}/${name}` };
    if (code === 404) return { ok: false, reason: 'notFound', message: `${namespace}/${name} does not exist` };
    return { ok: false, reason: 'unreachable', message: e instanceof Error ? (e.message.split('\n')[0] ?? e.message) : String(e) };
  }
}
