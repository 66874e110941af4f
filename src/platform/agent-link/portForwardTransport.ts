import { type AddressInfo, type Server, type Socket, createServer } from 'node:net';
import { Writable } from 'node:stream';
import { ApiException, CoreV1Api, type CoreV1Event, type KubeConfig, PortForward, type V1Pod } from '@kubernetes/client-node';
import { type IDisposable } from '../../core/base/disposable';
import { Emitter } from '../../core/base/event';
import { type ILogger, nullLogger } from '../../core/base/logger';
import { type EventFacts, type PodFacts, choosePod } from '../../core/cluster/podWait';
import { AGENT_CONTAINER, AGENT_PORT } from '../../core/slice/fork';
import { AGENT_TOKEN_KEY, AGENT_TOKEN_SECRET, LABEL_FORK } from '../../core/slice/manifests';
import { AgentError, PortForwardError } from '../../core/agent/errors';
import { type Connection, type Transport } from '../../core/agent/transport';
import { withSignal } from '../kube/requestOptions';
import { WsTransport } from './wsTransport';

/** How often a pod on its way is looked at. */
const POD_POLL_MS = 400;

export interface PortForwardTransportOptions {
  /** The developer's own credentials (current context = the slice's cluster). */
  readonly kubeConfig: KubeConfig;
  readonly namespace: string;
  /** The forked workload: its pods carry slice.dev/fork=<workload>. */
  readonly workload: string;
  readonly agentPort?: number;
  readonly requestTimeoutMs?: number;
  readonly pingIntervalMs?: number;
  /** How long connect() waits for a pod that is on its way (replaced, starting) before it fails (default 60 s). */
  readonly podWaitMs?: number;
  readonly logger?: ILogger;
}

export function podFacts(p: V1Pod): PodFacts {
  const statuses = p.status?.containerStatuses ?? [];
  const waiting = [...(p.status?.initContainerStatuses ?? []), ...statuses].map((c) => c.state?.waiting ?? (c.state?.terminated && c.state.terminated.exitCode !== 0 ? { reason: c.state.terminated.reason ?? 'Error', message: `container ${c.name} exited with ${c.state.terminated.exitCode}` } : undefined)).find((w) => w?.reason);
  // Sync needs the agent only: an app that is not ready (crash-looping on a bad edit) must not stop the fix from syncing.
  const agent = statuses.find((c) => c.name === AGENT_CONTAINER);
  const deletion = p.metadata?.deletionTimestamp;
  const grace = p.metadata?.deletionGracePeriodSeconds ?? p.spec?.terminationGracePeriodSeconds;
  return {
    name: p.metadata?.name ?? '',
    created: new Date(p.metadata?.creationTimestamp ?? 0).getTime(),
    deleting: deletion !== undefined,
    ...(deletion === undefined ? {} : { deletionMs: new Date(deletion).getTime() }),
    ...(grace === undefined ? {} : { gracePeriodSeconds: grace }),
    phase: p.status?.phase ?? 'Pending',
    ready: agent ? agent.ready : statuses.length > 0 && statuses.every((c) => c.ready),
    agentRunning: agent?.state?.running !== undefined,
    waiting: waiting?.reason ? `${waiting.reason}${waiting.message ? `: ${waiting.message}` : ''}` : undefined,
  };
}

export function eventFacts(e: CoreV1Event): EventFacts {
  const when = e.lastTimestamp ?? e.eventTime ?? e.firstTimestamp ?? e.metadata.creationTimestamp;
  return { kind: e.involvedObject.kind ?? '', object: e.involvedObject.name ?? '', reason: e.reason ?? '', message: e.message ?? '', lastMs: when ? new Date(when).getTime() : 0 };
}

/**
 * The Transport port through a Kubernetes port-forward, with the developer's credentials: a
 * loopback TCP server (127.0.0.1, ephemeral port) pipes each accepted socket into a port-forward
 * stream to the agent's port of the fork's current pod, and a WsTransport speaks to it. Every
 * connect() re-resolves the pod (pods get rescheduled) and reads the token once per transport
 * (again after a 401). The engine's backoff drives the retries.
 */
export class PortForwardTransport implements Transport, IDisposable {
  private server: Server | undefined;
  private listening: Promise<number> | undefined;
  private pod: string | undefined;
  private token: string | undefined;
  private disposed = false;
  /** What the last tunnel said when it failed (a 403, "connection refused" in the pod, …). */
  private tunnelError: string | undefined;
  private readonly sockets = new Set<Socket>();
  private readonly forwards = new Set<{ close(): void }>();
  private readonly log: ILogger;
  private readonly failures = new Emitter<PortForwardError | AgentError>();
  private readonly resolved = new Emitter<string>();
  private readonly waits = new Emitter<string>();
  /** Every failed connect(), with the reason in words. */
  readonly onConnectFailed = this.failures.event;
  /** The pod each successful resolution picked. */
  readonly onPodResolved = this.resolved.event;
  /** While connect() waits for a pod on its way: what is happening, in words, once per change. */
  readonly onWaiting = this.waits.event;

  constructor(private readonly options: PortForwardTransportOptions) {
    this.log = options.logger ?? nullLogger;
  }

  /** The pod of the current (or last) connection. */
  get currentPod(): string | undefined {
    return this.pod;
  }

  async connect(): Promise<Connection> {
    try {
      if (this.disposed) throw new AgentError('DISCONNECTED', 'the port-forward was stopped');
      const pod = await this.resolvePod();
      this.pod = pod;
      this.resolved.fire(pod);
      this.token ??= await this.readToken();
      const port = await this.listen();
      this.tunnelError = undefined;
      const ws = new WsTransport({ url: `ws://127.0.0.1:${port}/v1/connect`, token: this.token, connectTimeoutMs: this.options.requestTimeoutMs ?? 10_000, ...(this.options.pingIntervalMs === undefined ? {} : { pingIntervalMs: this.options.pingIntervalMs }) });
      try {
        return await ws.connect();
      } catch (e) {
        if (e instanceof Error && e.message.includes('(401)')) {
          this.token = undefined;
          throw new PortForwardError('tokenRefused', `the agent in pod ${pod} refused the slice's token (401): its token Secret changed (was the slice re-created?); the next try reads it again`);
        }
        const tunnel = this.lastTunnelError();
        if (tunnel && /\b403\b|forbidden/i.test(tunnel)) throw new PortForwardError('forbidden', `you may not port-forward to pod ${pod} in ${this.options.namespace} (${tunnel}): is this your slice?`, 403);
        const why = tunnel ? `the port-forward to pod ${pod} failed: ${tunnel}` : `${e instanceof Error ? e.message : String(e)} (pod ${pod})`;
        throw new PortForwardError('unreachable', why);
      }
    } catch (e) {
      const err = e instanceof AgentError ? e : new PortForwardError('unreachable', e instanceof Error ? e.message : String(e));
      if (!this.disposed) this.failures.fire(err);
      throw err;
    }
  }

  private lastTunnelError(): string | undefined {
    return this.tunnelError;
  }

  /** Cuts every open tunnel (tests: a network drop; the engine reconnects). */
  cutConnections(): number {
    const n = this.sockets.size;
    for (const s of this.sockets) s.destroy();
    for (const f of this.forwards) f.close();
    return n;
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    this.cutConnections();
    this.server?.close();
    this.server = undefined;
    this.failures.dispose();
    this.resolved.dispose();
    this.waits.dispose();
  }

  private async api<T>(what: string, fn: (api: CoreV1Api, signal: AbortSignal) => Promise<T>): Promise<T> {
    const signal = AbortSignal.timeout(this.options.requestTimeoutMs ?? 10_000);
    try {
      return await fn(this.options.kubeConfig.makeApiClient(CoreV1Api), signal);
    } catch (e) {
      const code = e instanceof ApiException ? e.code : undefined;
      if (code === 403 || code === 401) throw new PortForwardError('forbidden', `you may not ${what} in ${this.options.namespace} (HTTP ${code}): is this your slice, and is your kubeconfig's user its owner?`, code);
      if (code === 404) throw new PortForwardError('tokenMissing', `${what}: not found in ${this.options.namespace}`, 404);
      const why = signal.aborted ? `no answer within ${this.options.requestTimeoutMs ?? 10_000} ms` : e instanceof Error ? e.message.split('\n')[0] : String(e);
      throw new PortForwardError('unreachable', `cannot ${what} in ${this.options.namespace}: ${why}`);
    }
  }

  /**
   * The pod to reach. While a pod is on its way (the old one terminating, the new one refused by
   * the quota, pulling, starting) this waits for it, polling, and says what is happening once per
   * change; with none coming it fails at once.
   */
  private async resolvePod(): Promise<string> {
    const { namespace, workload } = this.options;
    const deadline = Date.now() + (this.options.podWaitMs ?? 60_000);
    let said: string | undefined;
    for (;;) {
      const list = await this.api('list the fork pods', (api, signal) => api.listNamespacedPod({ namespace, labelSelector: `${LABEL_FORK}=${workload}` }, withSignal(signal)));
      const pods = list.items.map(podFacts);
      // After a pod change, a running agent is tried before its readiness probe passes (it listens at once).
      let chosen = choosePod(pods, workload, [], 0, said !== undefined);
      if (chosen.ok) return chosen.pod;
      const events = await this.api('list the events', (api, signal) => api.listNamespacedEvent({ namespace }, withSignal(signal))).catch(() => undefined);
      if (events) chosen = choosePod(pods, workload, events.items.map(eventFacts), Date.now());
      if (chosen.ok) return chosen.pod;
      if (!chosen.comingBack || this.disposed || Date.now() > deadline) throw new PortForwardError('noReadyPod', chosen.message);
      if (chosen.message !== said) this.waits.fire((said = chosen.message));
      await new Promise((resolve) => setTimeout(resolve, POD_POLL_MS));
    }
  }

  private async readToken(): Promise<string> {
    const { namespace } = this.options;
    let secret;
    try {
      secret = await this.api(`read the Secret ${AGENT_TOKEN_SECRET}`, (api, signal) => api.readNamespacedSecret({ name: AGENT_TOKEN_SECRET, namespace }, withSignal(signal)));
    } catch (e) {
      if (e instanceof PortForwardError && e.reason === 'tokenMissing') throw new PortForwardError('tokenMissing', `the slice's agent token Secret ${AGENT_TOKEN_SECRET} is missing in ${namespace}: the slice controller creates it; is the slice Ready?`, 404);
      throw e;
    }
    const raw = secret.data?.[AGENT_TOKEN_KEY];
    const token = raw ? Buffer.from(raw, 'base64').toString('utf8').trim() : '';
    if (!token) throw new PortForwardError('tokenMissing', `the Secret ${AGENT_TOKEN_SECRET} in ${namespace} has no "${AGENT_TOKEN_KEY}" key`);
    return token;
  }

  private listen(): Promise<number> {
    this.listening ??= new Promise<number>((resolve, reject) => {
      const server = createServer((socket) => this.tunnel(socket));
      server.once('error', (e) => {
        this.listening = undefined;
        reject(new PortForwardError('unreachable', `cannot open a local port for the port-forward: ${e.message}`));
      });
      server.listen(0, '127.0.0.1', () => resolve((server.address() as AddressInfo).port));
      this.server = server;
    });
    return this.listening;
  }

  /** One accepted loopback socket ⇄ one port-forward stream to the current pod. */
  private tunnel(socket: Socket): void {
    const pod = this.pod;
    if (this.disposed || !pod) {
      socket.destroy();
      return;
    }
    this.sockets.add(socket);
    socket.setNoDelay(true);
    let forward: { close(): void } | undefined;
    const errors = new Writable({
      write: (chunk: Buffer, _enc, cb) => {
        if (chunk.length === 0) return cb();
        this.tunnelError = chunk.toString('utf8').trim();
        this.log.warn(`port-forward to ${pod}: ${this.tunnelError}`);
        socket.destroy();
        cb();
      },
    });
    socket.once('close', () => {
      this.sockets.delete(socket);
      if (forward) {
        this.forwards.delete(forward);
        forward.close();
      }
    });
    socket.on('error', () => socket.destroy());
    new PortForward(this.options.kubeConfig)
      .portForward(this.options.namespace, pod, [this.options.agentPort ?? AGENT_PORT], socket, errors, socket)
      .then((ws) => {
        if (typeof ws === 'function') throw new Error('unexpected restartable port-forward');
        forward = { close: () => ws.close() };
        this.forwards.add(forward);
        ws.on('close', () => socket.destroy());
        ws.on('error', () => socket.destroy());
        if (socket.destroyed) forward.close();
      })
      .catch((e: unknown) => {
        const msg = e instanceof Error ? e.message : (e as { message?: string } | undefined)?.message ?? String(e);
        this.tunnelError = msg;
        this.log.warn(`port-forward to ${this.options.namespace}/${pod} failed: ${msg}`);
        socket.destroy();
      });
  }
}
