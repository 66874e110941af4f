/**
 * Leader election on a coordination.k8s.io Lease (client-node 1.4 ships none): acquire when the
 * Lease is free or expired, renew every renewMs, with optimistic concurrency on resourceVersion
 * (a replace with a stale resourceVersion fails with 409, so two candidates never both win).
 * Losing the lease calls onLost (the controller then exits, and Kubernetes restarts it).
 */
import * as k8s from '@kubernetes/client-node';
import { apiMessage, isConflict, isNotFound } from './errors';

export interface LeaderElectionOptions {
  readonly namespace: string;
  readonly name: string;
  readonly identity: string;
  readonly leaseDurationSec?: number;
  readonly renewMs?: number;
  readonly retryMs?: number;
  readonly log: (line: string) => void;
}

export class LeaderElector {
  private readonly api: k8s.CoordinationV1Api;
  private timer: NodeJS.Timeout | undefined;
  private leading = false;
  private stopped = false;
  private readonly duration: number;

  constructor(kc: k8s.KubeConfig, private readonly opts: LeaderElectionOptions) {
    this.api = kc.makeApiClient(k8s.CoordinationV1Api);
    this.duration = opts.leaseDurationSec ?? 15;
  }

  get isLeader(): boolean {
    return this.leading;
  }

  /** Resolves once this candidate leads; keeps renewing until dispose(); onLost when renewal fails. */
  run(onLost: (why: string) => void): Promise<void> {
    return new Promise((resolve) => {
      const tick = async (): Promise<void> => {
        if (this.stopped) return;
        let ok = false;
        let why = '';
        try {
          ok = await this.tryAcquireOrRenew();
        } catch (e) {
          why = apiMessage(e);
        }
        if (this.stopped) return;
        if (ok && !this.leading) {
          this.leading = true;
          this.opts.log(`leader election: ${this.opts.identity} leads (lease ${this.opts.namespace}/${this.opts.name})`);
          resolve();
        } else if (!ok && this.leading) {
          this.leading = false;
          onLost(why || 'another candidate holds the lease');
          return;
        }
        this.timer = setTimeout(() => void tick(), this.leading ? (this.opts.renewMs ?? 5000) : (this.opts.retryMs ?? 2000));
      };
      void tick();
    });
  }

  private async tryAcquireOrRenew(): Promise<boolean> {
    const now = new k8s.V1MicroTime();
    let lease: k8s.V1Lease;
    try {
      lease = await this.api.readNamespacedLease({ name: this.opts.name, namespace: this.opts.namespace });
    } catch (e) {
      if (!isNotFound(e)) throw e;
      try {
        await this.api.createNamespacedLease({
          namespace: this.opts.namespace,
          body: {
            metadata: { name: this.opts.name, namespace: this.opts.namespace },
            spec: { holderIdentity: this.opts.identity, leaseDurationSeconds: this.duration, acquireTime: now, renewTime: now, leaseTransitions: 0 },
          },
        });
        return true;
      } catch (e2) {
        if (isConflict(e2)) return false;
        throw e2;
      }
    }
    const spec = lease.spec ?? {};
    const holder = spec.holderIdentity ?? '';
    const renewed = spec.renewTime ? new Date(spec.renewTime).getTime() : 0;
    const expired = renewed + (spec.leaseDurationSeconds ?? this.duration) * 1000 < Date.now();
    if (holder && holder !== this.opts.identity && !expired) return false;
    const takeover = holder !== this.opts.identity;
    try {
      await this.api.replaceNamespacedLease({
        name: this.opts.name,
        namespace: this.opts.namespace,
        body: {
          ...lease,
          spec: {
            ...spec,
            holderIdentity: this.opts.identity,
            leaseDurationSeconds: this.duration,
            renewTime: now,
            ...(takeover ? { acquireTime: now, leaseTransitions: (spec.leaseTransitions ?? 0) + 1 } : {}),
          },
        },
      });
      return true;
    } catch (e) {
      if (isConflict(e)) return false;
      throw e;
    }
  }

  /** Stops renewing and, when leading, releases the lease so a successor takes over at once. */
  async dispose(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    if (!this.leading) return;
    this.leading = false;
    try {
      const lease = await this.api.readNamespacedLease({ name: this.opts.name, namespace: this.opts.namespace });
      if (lease.spec?.holderIdentity !== this.opts.identity) return;
      await this.api.replaceNamespacedLease({
        name: this.opts.name,
        namespace: this.opts.namespace,
        body: { ...lease, spec: { ...lease.spec, holderIdentity: '', leaseDurationSeconds: 1 } },
      });
    } catch (e) {
      this.opts.log(`leader election: could not release the lease: ${apiMessage(e)}`);
    }
  }
}
