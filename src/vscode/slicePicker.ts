import * as vscode from 'vscode';
import { CancelledError, UserError } from '../core/base/errors';
import { type KubeContext, type SliceEnvironment } from '../core/cluster/environments';
import { type EnvironmentsModel } from '../core/cluster/environmentsModel';

export interface SliceTarget {
  readonly context: KubeContext;
  readonly slice: SliceEnvironment & { readonly resource: NonNullable<SliceEnvironment['resource']> };
}

/** The connected context, or a clear error that says what to do. */
export function connectedContext(model: EnvironmentsModel): { context: KubeContext; platformInstalled: boolean; user: string | undefined } {
  const c = model.state.cluster;
  if (c.status === 'ok') return { context: c.context, platformInstalled: c.platformInstalled, user: c.user };
  if (c.status === 'failed') throw new UserError(c.problem.message, ['retry', 'selectCluster'], c.problem.detail, true);
  throw new UserError('Select a cluster first.', ['selectCluster']);
}

/**
 * The slice a command acts on: the tree row it was invoked on, else a QuickPick of the user's own
 * slices. Another owner's slice is never offered: its namespace is closed to you (RBAC), so the
 * command could only fail, and it would fail with a message about a role you may well have.
 */
export async function pickSlice(model: EnvironmentsModel, arg: unknown, verb: string): Promise<SliceTarget> {
  const { context, platformInstalled, user } = connectedContext(model);
  if (!platformInstalled) throw new UserError('This cluster has no Slice platform bundle: ask your platform team to install it (npm run platform:install).');
  const fromTree = sliceOf(arg);
  if (fromTree?.resource) {
    if (!fromTree.mine) throw new UserError(`Slice ${fromTree.sliceName ?? fromTree.namespace} belongs to ${fromTree.owner ?? 'another developer'}: only its owner may ${verb} it. Your own slices are listed first in the Environments view.`, []);
    return { context, slice: fromTree as SliceTarget['slice'] };
  }
  if (!user) throw new UserError(`The cluster of context "${context.name}" did not say who you are, so Slice cannot tell which slices are yours. Refresh, or check your credentials.`, ['retry', 'selectCluster']);
  const state = model.state.cluster;
  const mine = state.status === 'ok' ? state.environments.filter((e): e is SliceTarget['slice'] => e.kind === 'slice' && e.mine && e.resource !== undefined && !e.terminating) : [];
  if (mine.length === 0) throw new UserError(`You (${user}) have no slice to ${verb} in context "${context.name}": create one with "Slice: Create Slice".`, []);
  const picked = await vscode.window.showQuickPick(
    mine.map((s) => ({ label: s.sliceName ?? s.namespace, description: s.resource.phase ?? 'Pending', detail: s.namespace, slice: s })),
    { title: `${verb[0]!.toUpperCase()}${verb.slice(1)} which slice?`, placeHolder: `Which slice do you want to ${verb}? (your slices in ${context.name})` },
  );
  if (!picked) throw new CancelledError();
  return { context, slice: picked.slice };
}

function sliceOf(arg: unknown): SliceEnvironment | undefined {
  if (!arg || typeof arg !== 'object') return undefined;
  const node = arg as { kind?: unknown; environment?: { kind?: unknown } };
  return node.kind === 'environment' && node.environment?.kind === 'slice' ? (node.environment as SliceEnvironment) : undefined;
}
