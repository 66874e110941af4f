import { type IDisposable } from '../../core/base/disposable';
import { type KubeContext } from '../../core/cluster/environments';
import { type HttpAnswer, type RequestLine } from '../../core/cluster/requestLine';
import { ENTRY_NAME, ENTRY_PORT } from '../../core/routing/entry';
import { type KubeClients } from '../../platform/kube/kubeClients';
import { PodForward } from '../../platform/routing/podForward';
import { type WorkloadAccess } from '../workloads/workloadAccess';

/** A slice's entry pod, where requests into the baseline pick up the slice's routing key. */
export interface EntryPod {
  readonly context: KubeContext;
  readonly namespace: string;
  readonly pod: string;
}

/**
 * Driving the baseline through a slice (issue 22), with the developer's own credentials: finds the
 * slice's ready entry pod (src/core/routing/entry.ts), sends one request to it, or keeps one local
 * port that forwards to it (the browser's way in). One forward at a time: opening another entry
 * closes the previous one; all are closed on dispose.
 */
export class BaselineEntry implements IDisposable {
  private open: { readonly id: string; readonly forward: PodForward } | undefined;

  constructor(
    private readonly clients: KubeClients,
    private readonly workloads: WorkloadAccess,
  ) {}

  /** The slice namespace's ready entry pod, or undefined while there is none (not Ready, no entry Service, no routing). */
  async find(context: KubeContext, namespace: string): Promise<EntryPod | undefined> {
    const pods = await this.workloads.pods(context, namespace);
    const pod = pods.find((p) => p.labels['app.kubernetes.io/name'] === ENTRY_NAME && p.ready);
    return pod ? { context, namespace, pod: pod.name } : undefined;
  }

  /** One request through the entry (so with the slice's routing key), answered in full. */
  request(entry: EntryPod, req: RequestLine, timeoutMs: number): Promise<HttpAnswer> {
    return this.workloads.httpRequest(entry.context, entry.namespace, entry.pod, ENTRY_PORT, req.path, { method: req.method, timeoutMs, ...(req.body !== undefined ? { body: req.body } : {}) });
  }

  /** A local URL whose every connection reaches the entry; the same one while the entry is the same. */
  async forward(entry: EntryPod): Promise<{ readonly url: string; readonly target: string }> {
    const id = `${entry.context.name}/${entry.namespace}/${entry.pod}`;
    if (this.open?.id !== id) {
      this.dispose();
      this.open = { id, forward: await PodForward.open(this.clients, entry.context, entry.namespace, entry.pod, ENTRY_PORT) };
    }
    return { url: this.open.forward.url, target: this.open.forward.target };
  }

  dispose(): void {
    this.open?.forward.dispose();
    this.open = undefined;
  }
}
