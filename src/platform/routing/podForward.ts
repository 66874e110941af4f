/**
 * A local TCP port on 127.0.0.1 that forwards every connection to one pod's port through the
 * Kubernetes port-forward API, with the user's credentials: "Open Baseline Through My Slice" points
 * the browser at it, and the pod (the slice's entry, src/core/routing/entry.ts) adds the slice's
 * routing key to every request. Lives until disposed.
 */
import { type AddressInfo, type Server, type Socket, createServer } from 'node:net';
import { PortForward } from '@kubernetes/client-node';
import { type KubeContext } from '../../core/cluster/environments';
import { type KubeClients } from '../kube/kubeClients';

export class PodForward {
  private disposed = false;

  private constructor(
    private readonly server: Server,
    private readonly sockets: Set<Socket>,
    readonly localPort: number,
    readonly target: string,
  ) {}

  static async open(clients: KubeClients, context: KubeContext, namespace: string, pod: string, port: number): Promise<PodForward> {
    const forward = new PortForward(clients.configFor(context));
    const open = new Set<Socket>();
    const server = createServer((socket) => {
      open.add(socket);
      socket.on('close', () => open.delete(socket));
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
    return new PodForward(server, open, (server.address() as AddressInfo).port, `${namespace}/${pod}:${port}`);
  }

  get url(): string {
    return `http://127.0.0.1:${this.localPort}/`;
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    this.server.close();
    for (const s of this.sockets) s.destroy();
    this.sockets.clear();
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
