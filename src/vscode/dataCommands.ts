import { randomBytes } from 'node:crypto';
import * as vscode from 'vscode';
import { CancelledError, UserError } from '../core/base/errors';
import { type ILogger } from '../core/base/logger';
import { type SliceEnvironment } from '../core/cluster/environments';
import { type EnvironmentsModel } from '../core/cluster/environmentsModel';
import { type SliceClient } from '../platform/kube/sliceClient';
import { type CommandRegistry, Commands } from './commandRegistry';
import { pickSlice } from './slicePicker';
import { sayDone } from './sayDone';

const POLL_MS = 1000;
const RESET_WAIT_MS = 5 * 60_000;

/** Slice: Reset Data from Baseline — on a data row of the Environments tree, or on a slice picked from the palette. */
export function registerDataCommands(registry: CommandRegistry, model: EnvironmentsModel, slices: SliceClient, logger: ILogger): void {
  registry.register(Commands.resetData, async (arg?: unknown, options?: unknown) => {
    const fromRow = dataRowOf(arg);
    const { context, slice } = await pickSlice(model, fromRow ? { kind: 'environment', environment: fromRow } : arg, 'reset the data of');
    const branches = slice.resource.data;
    if (branches.length === 0) throw new UserError(`Slice ${slice.sliceName ?? slice.namespace} has no data branch: declare one in slice.yaml (forks[].data.postgres) and create the slice again.`);
    const label = slice.sliceName ?? slice.namespace;
    const dbs = branches.map((b) => b.database).join(', ');
    const skipConfirm = typeof options === 'object' && options !== null && (options as { confirm?: unknown }).confirm === false;
    if (!skipConfirm) {
      const ok = await vscode.window.showWarningMessage(`Reset the data of slice ${label}?`, { modal: true, detail: `${dbs} is dropped and branched again from ${branches.map((b) => b.baseline).join(', ')}: every change your fork made to it is lost. Connections are closed; the fork reconnects.` }, 'Reset Data');
      if (ok !== 'Reset Data') throw new CancelledError();
    }
    const before = new Map(branches.map((b) => [b.database, b.branchedAt]));
    logger.info(`resetting the data of slice ${slice.resource.name} (${dbs})`);
    await slices.resetData(context, slice.resource.name, randomBytes(6).toString('hex'));
    const done = await vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title: `Resetting the data of ${label}`, cancellable: true }, async (progress, token) => {
      const deadline = Date.now() + RESET_WAIT_MS;
      while (!token.isCancellationRequested && Date.now() < deadline) {
        const s = await slices.get(context, slice.resource.name);
        const data = s.status?.data ?? [];
        if (data.length > 0 && data.every((d) => d.ready && d.branchedAt !== before.get(d.database))) return true;
        const waiting = data.find((d) => !d.ready && d.message);
        if (waiting?.message) progress.report({ message: waiting.message });
        await new Promise((r) => setTimeout(r, POLL_MS));
      }
      return false;
    });
    await model.refresh();
    if (done) sayDone(`The data of slice ${label} is reset from the baseline (${dbs}).`);
    else void vscode.window.showWarningMessage(`Slice ${label}: the reset is still in progress; the Environments view shows its data branch.`);
  });
}

function dataRowOf(arg: unknown): SliceEnvironment | undefined {
  if (!arg || typeof arg !== 'object') return undefined;
  const node = arg as { kind?: unknown; slice?: SliceEnvironment };
  return node.kind === 'data' ? node.slice : undefined;
}
