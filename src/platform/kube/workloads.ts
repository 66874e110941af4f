import { request as httpRequest } from 'node:http';
import { type AddressInfo, createServer } from 'node:net';
import { AppsV1Api, CoreV1Api, PortForward } from '@kubernetes/client-node';
import { type KubeContext } from '../../core/cluster/environments';
import { type PodInfo, type WorkloadSummary } from '../../core/cluster/workloadSummary';
import { type HttpAnswer } from '../../core/cluster/requestLine';
import { type KubeClients } from './kubeClients';
import { toPod, toWorkload } from './workloadObjects';
import { withSignal } from './requestOptions';

/** Deployments, pods and pod logs of a namespace, and HTTP requests to a pod, with the user's credentials. */
export class WorkloadClient {
  constructor(private readonly clients: KubeClients) {}

  async deployments(context: KubeContext, namespace: string, signal?: AbortSignal): Promise<WorkloadSummary[]> {
    const api = this.clients.api(context, AppsV1Api);
    const list = await this.clients.request(context, `list deployments in ${namespace}`, signal, (s) => api.listNamespacedDeployment({ namespace }, withSignal(s)));
    return list.items.map((d) => toWorkload(d, namespace)).sort((a, b) => a.name.localeCompare(b.name));
  }

  async pods(context: KubeContext, namespace: string, signal?: AbortSignal): Promise<PodInfo[]> {
    const api = this.clients.api(context, CoreV1Api);
    const list = await this.clients.request(context, `list pods in ${namespace}`, signal, (s) => api.listNamespacedPod({ namespace }, withSignal(s)));
    return list.items.map(toPod).sort((a, b) => a.name.localeCompare(b.name));
  }

  /** A namespace's Deployments and pods, read together. */
  async workloads(context: KubeContext, namespace: string, signal?: AbortSignal): Promise<{ workloads: WorkloadSummary[]; pods: PodInfo[] }> {
    const [workloads, pods] = await Promise.all([this.deployments(context, namespace, signal), this.pods(context, namespace, signal)]);
    return { workloads, pods };
  }

  /** The last `tailLines` lines of a container's log (Kubernetes log API). */
  async podLog(context: KubeContext, namespace: string, pod: string, container: string | undefined, tailLines: number, signal?: AbortSignal): Promise<string> {
    const api = this.clients.api(context, CoreV1Api);
    return this.clients.request(context, `read the log of ${namespace}/${pod}`, signal, (s) => api.readNamespacedPodLog({ name: pod, namespace, ...(container ? { container } : {}), tailLines, timestamps: true }, withSignal(s)));
  }

  /**
   * One HTTP request to a pod's port through a Kubernetes port-forward (pods/portforward, which a
   * slice's owner holds): a loopback listener on an ephemeral port relays to the pod for this request only.
   */
  async httpRequest(context: KubeContext, namespace: string, pod: string, port: number, path: string, options: { method?: string; body?: string; timeoutMs?: number } = {}): Promise<HttpAnswer> {
    const forward = new PortForward(this.clients.configFor(context));
    const server = createServer((socket) => {
      socket.on('error', () => socket.destroy());
      forward.portForward(namespace, pod, [port], socket, null, socket).then(
        (ws) => socket.on('close', () => closeQuietly(ws)),
        (e: unknown) => socket.destroy(e instanceof Error ? e : new Error(String(e))),
      );
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(0, '127.0.0.1', () => resolve());
    });
    const local = (server.address() as AddressInfo).port;
    const t0 = performance.now();
    try {
      return await new Promise<HttpAnswer>((resolve, reject) => {
        const body = options.body;
        const req = httpRequest(
          { host: '127.0.0.1', port: local, path: path.startsWith('/') ? path : `/${path}`, method: options.method ?? 'GET', headers: body ? { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) } : {}, timeout: options.timeoutMs ?? 15_000 },
          (res) => {
            const chunks: Buffer[] = [];
            res.on('data', (c: Buffer) => chunks.push(c));
            res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString('utf8'), ms: performance.now() - t0 }));
            res.on('error', reject);
          },
        );
        req.on('timeout', () => req.destroy(new Error(`no answer from ${namespace}/${pod}:${port} within ${Math.round((options.timeoutMs ?? 15_000) / 1000)} s`)));
        req.on('error', (e) => reject(new Error(`the request to ${namespace}/${pod}:${port}${path} failed: ${e.message} (is the pod ready, and does it listen on ${port}?)`)));
        req.end(body);
      });
    } finally {
      server.close();
    }
  }
}

function closeQuietly(ws: unknown): void {
  const closable = ws as { close?: () => void } | undefined;
  try {
    closable?.close?.();
  } catch {
    // already closed
  }
}
