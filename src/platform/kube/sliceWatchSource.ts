import { CoreV1Api, CustomObjectsApi, Watch } from '@kubernetes/client-node';
import { messageOf } from '../../core/base/errors';
import { type KubeContext, type NamespaceInfo } from '../../core/cluster/environments';
import { ENVIRONMENT_NAMESPACE_SELECTOR } from '../../core/cluster/labels';
import { type ListWatchSource, type WatchEvent, WatchGoneError } from '../../core/cluster/watchSource';
import { SLICE_GROUP, SLICE_PLURAL, SLICE_VERSION, type SliceObject } from '../../core/slice/sliceResource';
import { type KubeClients } from './kubeClients';
import { toNamespaceInfo } from './clusterClient';
import { withSignal } from './requestOptions';

/** How long the server keeps one watch open before it ends it (and we resume from the last version). */
const WATCH_SECONDS = 240;
/** A stream silent this long after the server should have ended it is a dead connection: drop it. */
const DEAD_AFTER_MS = (WATCH_SECONDS + 30) * 1000;

type EventType = WatchEvent<unknown>['type'];
const EVENT_TYPES: readonly string[] = ['ADDED', 'MODIFIED', 'DELETED', 'BOOKMARK'] satisfies EventType[];

/** Runs one watch request of `path` from `resourceVersion` (client-node's Watch, the user's credentials). */
function watchPath<T>(clients: KubeClients, context: KubeContext, path: string, query: Record<string, string>, convert: (raw: unknown) => T, resourceVersion: string, onEvent: (event: WatchEvent<T>) => void, signal: AbortSignal): Promise<void> {
  const watch = new Watch(clients.configFor(context));
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
        path,
        { ...query, resourceVersion, allowWatchBookmarks: true, timeoutSeconds: WATCH_SECONDS },
        (type: string, object: unknown) => {
          if (settled) return;
          clearTimeout(dead);
          dead = setTimeout(stop, DEAD_AFTER_MS);
          if (type === 'ERROR') {
            const status = object as { code?: number; message?: string } | undefined;
            finish(status?.code === 410 ? new WatchGoneError(status.message ?? 'resourceVersion too old') : new Error(`watch of ${path} failed: ${status?.message ?? 'unknown error'}`));
            return;
          }
          if (EVENT_TYPES.includes(type)) onEvent({ type: type as EventType, object: convert(object) });
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
    return watchPath(this.clients, this.context, `/apis/${SLICE_GROUP}/${SLICE_VERSION}/${SLICE_PLURAL}`, {}, (o) => o as SliceObject, resourceVersion, onEvent, signal);
  }
}

/** List+watch of the environment namespaces (baselines and slices, by label), with the user's own credentials. */
export class NamespaceWatchSource implements ListWatchSource<NamespaceInfo & { readonly resourceVersion?: string }> {
  constructor(
    private readonly clients: KubeClients,
    private readonly context: KubeContext,
  ) {}

  async list(signal: AbortSignal): Promise<{ items: readonly (NamespaceInfo & { resourceVersion?: string })[]; resourceVersion: string }> {
    const api = this.clients.api(this.context, CoreV1Api);
    const list = await this.clients.request(this.context, 'list namespaces', signal, (s) => api.listNamespace({ labelSelector: ENVIRONMENT_NAMESPACE_SELECTOR }, withSignal(s)));
    return { items: list.items.map(toNamespaceInfo), resourceVersion: list.metadata?.resourceVersion ?? '0' };
  }

  watch(resourceVersion: string, onEvent: (event: WatchEvent<NamespaceInfo & { resourceVersion?: string }>) => void, signal: AbortSignal): Promise<void> {
    return watchPath(this.clients, this.context, '/api/v1/namespaces', { labelSelector: ENVIRONMENT_NAMESPACE_SELECTOR }, (o) => toNamespaceInfo(o as Parameters<typeof toNamespaceInfo>[0]), resourceVersion, onEvent, signal);
  }
}
