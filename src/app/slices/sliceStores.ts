import { type IDisposable } from '../../core/base/disposable';
import { Emitter, type Event } from '../../core/base/event';
import { type ILogger } from '../../core/base/logger';
import { type KubeContext, type NamespaceInfo } from '../../core/cluster/environments';
import { type EnvironmentsModel, type EnvironmentsState } from '../../core/cluster/environmentsModel';
import { type SliceObject } from '../../core/slice/sliceResource';
import { ListWatch, type ListWatchSource } from './listWatch';
import { type SliceIdentity, SliceStore, identityKey } from './sliceStore';

/** Makes the list+watch source of Slice objects for one context (the user's own credentials). */
export type SliceSourceFactory = (context: KubeContext) => ListWatchSource<SliceObject>;
/** Makes the list+watch source of the environment namespaces (baselines and slices) for one context. */
export type NamespaceSourceFactory = (context: KubeContext) => ListWatchSource<NamespaceInfo & { readonly resourceVersion?: string }>;

/**
 * Follows the selected identity (kube context + the user the cluster says it is): one SliceStore
 * per identity, replaced (the old one disposed) when the identity changes, none when there is no
 * cluster or no platform. The store's changes are fed back into the environments model, so the tree
 * and the status bar follow the cluster, not the editor's own actions.
 */
export class SliceStores implements IDisposable {
  private active: SliceStore | undefined;
  private storeSubscription: IDisposable | undefined;
  /** The identity's watch of the environment namespaces (baselines appear, slice namespaces go). */
  private namespaces: ListWatch<NamespaceInfo & { readonly resourceVersion?: string }> | undefined;
  private readonly changed = new Emitter<SliceStore | undefined>();
  /** Fires when the store is replaced (identity changed) or dropped. */
  readonly onDidChangeStore: Event<SliceStore | undefined> = this.changed.event;
  private readonly modelSubscription: IDisposable;

  constructor(
    private readonly model: EnvironmentsModel,
    private readonly sourceFor: SliceSourceFactory,
    private readonly logger: ILogger,
    private readonly namespacesFor?: NamespaceSourceFactory,
  ) {
    this.modelSubscription = model.onDidChange((s) => this.follow(s));
    this.follow(model.state);
  }

  /** The current identity's store, if there is a cluster with the platform installed. */
  get store(): SliceStore | undefined {
    return this.active;
  }

  private follow(state: EnvironmentsState): void {
    const c = state.cluster;
    if (c.status === 'connecting') return; // keep watching until the refresh says otherwise
    const identity: (SliceIdentity & { kube: KubeContext }) | undefined =
      c.status === 'ok' && c.platformInstalled && c.user ? { context: c.context.name, user: c.user, kube: c.context } : undefined;
    if (identity && this.active?.key === identityKey(identity)) return;
    if (!identity && !this.active) return;
    this.replace(identity);
  }

  private replace(identity: (SliceIdentity & { kube: KubeContext }) | undefined): void {
    this.storeSubscription?.dispose();
    this.active?.dispose();
    this.active = undefined;
    this.namespaces?.dispose();
    this.namespaces = undefined;
    this.model.forgetWatchedSlices();
    if (identity) {
      this.logger.info(`watching the slices of ${identity.user} in context "${identity.context}"`);
      const store = new SliceStore({ context: identity.context, user: identity.user }, this.sourceFor(identity.kube), this.logger);
      this.active = store;
      const subscriptions: IDisposable[] = [
        store.onDidChange(() => {
          if (this.active === store && store.synced) this.model.applySlices(identity.context, store.all().map((s) => s.object));
        }),
      ];
      if (this.namespacesFor) {
        const namespaces = new ListWatch(this.namespacesFor(identity.kube), { what: `namespaces of ${identity.context}`, keyOf: (n) => n.name, versionOf: (n) => n.resourceVersion, logger: this.logger });
        this.namespaces = namespaces;
        subscriptions.push(
          namespaces.onDidChange(() => {
            if (this.namespaces === namespaces && namespaces.synced) this.model.applyNamespaces(identity.context, namespaces.current());
          }),
        );
      }
      this.storeSubscription = { dispose: () => subscriptions.forEach((d) => d.dispose()) };
    }
    this.changed.fire(this.active);
  }

  dispose(): void {
    this.modelSubscription.dispose();
    this.storeSubscription?.dispose();
    this.active?.dispose();
    this.active = undefined;
    this.namespaces?.dispose();
    this.changed.dispose();
  }
}
