/**
 * Informers (client-node ListWatch) that restart with exponential backoff after an error (the
 * client stops a ListWatch on any error), disposable as a group.
 */
import * as k8s from '@kubernetes/client-node';

export interface WatchSpec<T extends k8s.KubernetesObject> {
  readonly name: string;
  readonly path: string;
  readonly list: () => Promise<k8s.KubernetesListObject<T>>;
  readonly labelSelector?: string;
  readonly onChange: (obj: T, verb: 'add' | 'update' | 'delete') => void;
}

export class ResilientInformer<T extends k8s.KubernetesObject> {
  readonly informer: k8s.Informer<T> & k8s.ObjectCache<T>;
  private retry: NodeJS.Timeout | undefined;
  private attempts = 0;
  private stopped = false;

  constructor(kc: k8s.KubeConfig, private readonly spec: WatchSpec<T>, private readonly log: (line: string) => void) {
    this.informer = k8s.makeInformer<T>(kc, spec.path, spec.list, spec.labelSelector);
    this.informer.on(k8s.ADD, (o) => spec.onChange(o, 'add'));
    this.informer.on(k8s.UPDATE, (o) => spec.onChange(o, 'update'));
    this.informer.on(k8s.DELETE, (o) => spec.onChange(o, 'delete'));
    this.informer.on(k8s.CONNECT, () => {
      this.attempts = 0;
    });
    this.informer.on(k8s.ERROR, (err?: unknown) => this.scheduleRestart(err));
  }

  async start(): Promise<void> {
    try {
      await this.informer.start();
    } catch (e) {
      this.scheduleRestart(e);
    }
  }

  private scheduleRestart(err: unknown): void {
    if (this.stopped || this.retry) return;
    this.attempts++;
    const delay = Math.min(30_000, 250 * 2 ** Math.min(this.attempts, 7));
    const why = err instanceof Error ? err.message.split('\n')[0] : String(err);
    this.log(`watch ${this.spec.name} failed (${why}); reconnecting in ${delay} ms`);
    this.retry = setTimeout(() => {
      this.retry = undefined;
      if (!this.stopped) void this.start();
    }, delay);
  }

  async dispose(): Promise<void> {
    this.stopped = true;
    if (this.retry) clearTimeout(this.retry);
    await this.informer.stop();
  }
}
