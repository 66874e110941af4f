import * as vscode from 'vscode';
import { CancelledError, UserError } from '../core/base/errors';
import { type ILogger } from '../core/base/logger';
import { type SliceEnvironment } from '../core/cluster/environments';
import { type EnvironmentsModel } from '../core/cluster/environmentsModel';
import { type DataResetPort, resetSliceData } from '../app/slices/dataReset';
import { type CommandRegistry, Commands } from './commandRegistry';
import { pickSlice } from './slicePicker';
import { sayDone } from './sayDone';

/** Slice: Reset Data from Baseline — on a data row of the Environments tree, or on a slice picked from the palette. */
export function registerDataCommands(registry: CommandRegistry, model: EnvironmentsModel, slices: DataResetPort, logger: ILogger): void {
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
    logger.info(`resetting the data of slice ${slice.resource.name} (${dbs})`);
    const done = await vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title: `Resetting the data of ${label}`, cancellable: true }, (progress, token) => {
      const stop = new AbortController();
      const sub = token.onCancellationRequested(() => stop.abort());
      return resetSliceData(slices, context, slice.resource.name, branches, { progress: (message) => progress.report({ message }), signal: stop.signal }).finally(() => {
        sub.dispose();
      });
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
