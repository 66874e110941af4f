import { CoreV1Api } from '@kubernetes/client-node';
import { type KubeContext } from '../../core/cluster/environments';
import { type PlatformLimits, limitsOf } from '../../core/slice/limits';
import { PLATFORM_CONFIG_MAP, PLATFORM_CONFIG_NAMESPACE, parsePlatformConfig } from '../../core/slice/platformConfig';
import { type KubeClients } from './kubeClients';
import { withSignal } from './requestOptions';

/**
 * The platform's limits, read with the developer's own credentials from the controller's ConfigMap
 * (the same data the controller enforces: one source, parsed by the same function).
 */
export class PlatformLimitsClient {
  constructor(private readonly clients: KubeClients) {}

  async read(context: KubeContext, signal?: AbortSignal): Promise<PlatformLimits> {
    const api = this.clients.api(context, CoreV1Api);
    const cm = await this.clients.request(context, `read the platform's limits (${PLATFORM_CONFIG_NAMESPACE}/${PLATFORM_CONFIG_MAP})`, signal, (s) => api.readNamespacedConfigMap({ name: PLATFORM_CONFIG_MAP, namespace: PLATFORM_CONFIG_NAMESPACE }, withSignal(s)));
    return limitsOf(parsePlatformConfig(cm.data));
  }
}
