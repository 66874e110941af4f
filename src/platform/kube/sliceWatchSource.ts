import { CustomObjectsApi, Watch } from '@kubernetes/client-node';
import { type ListWatchSource, type WatchEvent, WatchGoneError } from '../../core/cluster/watchSource';
import { messageOf } from '../../core/base/errors';
import { type KubeContext } from '../../core/cluster/environments';
import { SLICE_GROUP, SLICE_PLURAL, SLICE_VERSION, type SliceObject } from '../../core/slice/sliceResource';
import { type KubeClients } from './kubeClients';
import { withSignal } from './requestOptions';

/** How long the server keeps one watch open before it ends it (and we resume from the last version). */
const WATCH_SECONDS = 240;
/** A stream silent this long after the server should have ended it is a dead connection: drop it. */
const DEAD_AFTER_MS = (WATCH_SECONDS + 30) * 1000;

type EventType = WatchEvent<SliceObject>['type'];
const EVENT_TYPES: readonly string[] = ['ADDED', 'MODIFIED', 'DELETED', 'BOOKMARK'] satisfies EventType[];

/** List+watch of the Slice objects, with the user's own credentials. */
export class SliceWatchSource implements ListWatchSource<SliceObject> {
  constructor(
    private readonly clients: KubeClients,
    private readonly context: KubeContext,
  ) {}

  async list(signal: AbortSignal): Promise<{ items: readonly SliceObject[]; resourceVersion: string }> {
    const api = this.clients.api(this.context, CustomObjectsApi);
    const list = (await this.clients.request(this.context, 'list slices', signal, (s) => api.listClusterCustomObject({ group: SLICE_GROUP, version: SLICE_VERSION, plural: SLICE_PLURAL }, withSignal(s)))) as {
      items?: SliceObject[];
      metadata?: { resourceVersion?: string };
    };
    return { items: list.items ?? [], resourceVersion: list.metadata?.resourceVersion ?? '0' };
  }

  watch(resourceVersion: string, onEvent: (event: WatchEvent<SliceObject>) => void, signal: AbortSignal): Promise<void> {
    const watch = new Watch(this.clients.configFor(this.context));
    return new Promise<void>((resolve, reject) => {
      let controller: AbortController | undefined;
      let settled = false;
      const finish = (error?: Error): void => {
        if (settled) return;
        settled = true;
        clearTimeout(dead);
        signal.removeEventListener('abort', stop);
        controller?.abort();
        if (error) reject(error);
        else resolve();
      };
      const stop = (): void => finish();
      let dead = setTimeout(stop, DEAD_AFTER_MS);
      signal.addEventListener('abort', stop);
      watch
        .watch(
          `/apis/${SLICE_GROUP}/${SLICE_VERSION}/${SLICE_PLURAL}`,
          { resourceVersion, allowWatchBookmarks: true, timeoutSeconds: WATCH_SECONDS },
          (type: string, object: unknown) => {
            if (settled) return;
            clearTimeout(dead);
            dead = setTimeout(stop, DEAD_AFTER_MS);
            if (type === 'ERROR') {
              const status = object as { code?: number; message?: string } | undefined;
              finish(status?.code === 410 ? new WatchGoneError(status.message ?? 'resourceVersion too old') : new Error(`watch of slices failed: ${status?.message ?? 'unknown error'}`));
              return;
            }
            if (EVENT_TYPES.includes(type)) onEvent({ type: type as EventType, object: object as SliceObject });
          },
          (err: unknown) => {
            const code = (err as { statusCode?: number } | null)?.statusCode;
            if (code === 410) finish(new WatchGoneError('resourceVersion too old'));
            else finish(err ? (err instanceof Error ? err : new Error(messageOf(err))) : undefined);
          },
        )
        .then(
          (c) => {
            controller = c;
            if (settled) c.abort();
          },
          (e: unknown) => finish(e instanceof Error ? e : new Error(messageOf(e))),
        );
    });
  }
}
