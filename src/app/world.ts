import { type EnvironmentsModel } from '../core/cluster/environmentsModel';
import { type Identity, type SliceFact, type WorldPort } from './lifetimes';

/**
 * The lifetimes' view of the world from the environments model, which the slice watch
 * (app/slices) keeps current: the selected context and the user the cluster says it is; the
 * slices of that cluster once read (a slice being deleted counts as going).
 */
export function environmentsWorld(model: EnvironmentsModel): WorldPort {
  return {
    identity: (): Identity | undefined => {
      const c = model.state.cluster;
      switch (c.status) {
        case 'none':
          return undefined;
        case 'ok':
          return { context: c.context.name, user: c.user };
        // connecting or failed: the same context keeps its identity until the cluster says otherwise
        default:
          return { context: c.context.name, user: undefined };
      }
    },
    slices: (): readonly SliceFact[] | undefined => {
      const c = model.state.cluster;
      if (c.status !== 'ok') return undefined;
      return c.environments.flatMap((e) => (e.kind === 'slice' ? [{ namespace: e.namespace, deleting: e.terminating }] : []));
    },
    onDidChange: (listener) => model.onDidChange(() => listener()),
  };
}
