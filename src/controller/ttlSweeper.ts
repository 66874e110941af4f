/**
 * Periodic safety net: re-queues every Slice (so expiry and drift are seen even without events),
 * drops data branches whose Slice is gone (a finalizer removed before it ran), and deletes orphaned
 * slice namespaces — labelled as managed by the controller but whose Slice is gone (e.g. the
 * controller was stopped between deleting a Slice's namespace and its finalizer, or a namespace was
 * created and the Slice deleted while the controller was down).
 */
import * as k8s from '@kubernetes/client-node';
import { LABEL_ROLE } from '../core/cluster/labels';
import { FIELD_MANAGER, LABEL_MANAGED_BY, LABEL_SLICE_OBJECT } from '../core/slice/manifests';
import { type SliceObject } from '../core/slice/sliceResource';
import { apiMessage, isNotFound } from './errors';
import { type SliceApi } from './sliceApi';

export interface SweeperDeps {
  readonly kc: k8s.KubeConfig;
  readonly slices: SliceApi;
  readonly cached: () => readonly SliceObject[];
  readonly enqueue: (name: string) => void;
  readonly log: (line: string) => void;
  readonly everyMs?: number;
  /** Drops data branches whose Slice is gone (the finalizer may have been removed before it ran). */
  readonly sweepData?: (listLive: () => Promise<ReadonlyMap<string, string>>) => Promise<void>;
}

export class TtlSweeper {
  private timer: NodeJS.Timeout | undefined;
  private running = false;
  private readonly core: k8s.CoreV1Api;

  constructor(private readonly d: SweeperDeps) {
    this.core = d.kc.makeApiClient(k8s.CoreV1Api);
  }

  start(): void {
    const every = this.d.everyMs ?? 30_000;
    this.timer = setInterval(() => void this.sweep(), every);
    this.timer.unref();
    void this.sweep();
  }

  async sweep(): Promise<void> {
    if (this.running) return;
    this.running = true;
    try {
      for (const s of this.d.cached()) this.d.enqueue(s.metadata.name);
      const nss = await this.core.listNamespace({ labelSelector: `${LABEL_ROLE}=slice,${LABEL_MANAGED_BY}=${FIELD_MANAGER}` });
      for (const ns of nss.items) {
        const owner = ns.metadata?.labels?.[LABEL_SLICE_OBJECT];
        const name = ns.metadata?.name;
        if (!owner || !name || ns.metadata?.deletionTimestamp) continue;
        if (this.d.cached().some((s) => s.metadata.name === owner)) continue;
        // the cache may lag: confirm with a read before deleting anything
        if (await this.d.slices.get(owner)) continue;
        this.d.log(`namespace ${name} belongs to Slice ${owner}, which no longer exists: deleting it`);
        await this.core.deleteNamespace({ name }).catch((e: unknown) => {
          if (!isNotFound(e)) throw e;
        });
      }
      if (this.d.sweepData) {
        await this.d.sweepData(async () => new Map((await this.d.slices.list()).items.map((s) => [s.metadata.name, s.metadata.uid ?? ''])));
      }
    } catch (e) {
      this.d.log(`sweep failed: ${apiMessage(e)}`);
    } finally {
      this.running = false;
    }
  }

  dispose(): void {
    if (this.timer) clearInterval(this.timer);
  }
}
