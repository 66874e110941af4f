import * as vscode from 'vscode';
import { type ErrorAction } from '../core/base/errors';
import { type ILogger } from '../core/base/logger';
import { type CommandReporter, runCommand } from '../core/base/runCommand';
import { expectedError } from '../core/cluster/environmentsModel';

/** The command ids Slice contributes (package.json `contributes.commands`). */
export const Commands = {
  selectCluster: 'slice.selectCluster',
  selectThisCluster: 'slice.selectThisCluster',
  refresh: 'slice.refresh',
  showLogs: 'slice.showLogs',
  openSettings: 'slice.openSettings',
  createSlice: 'slice.createSlice',
  deleteSlice: 'slice.deleteSlice',
  extendSliceTtl: 'slice.extendSliceTtl',
  resetData: 'slice.resetData',
  verifyIsolation: 'slice.verifyIsolation',
  createConfigFile: 'slice.createConfigFile',
  importTelemetry: 'slice.importTelemetry',
  clearTelemetry: 'slice.clearTelemetry',
  openTrace: 'slice.openTrace',
  showMetrics: 'slice.showMetrics',
  selectTelemetrySource: 'slice.selectTelemetrySource',
  streamTelemetry: 'slice.streamTelemetry',
  stopTelemetry: 'slice.stopTelemetry',
  startSync: 'slice.startSync',
  stopSync: 'slice.stopSync',
  resetContainerToLocal: 'slice.resetContainerToLocal',
  syncActions: 'slice.syncActions',
  startSyncWorkload: 'slice.startSyncWorkload',
  stopSyncWorkload: 'slice.stopSyncWorkload',
  showPodLogs: 'slice.showPodLogs',
  sendRequest: 'slice.sendRequest',
  sendRequestThroughBaseline: 'slice.sendRequestThroughBaseline',
  openBaselineThroughSlice: 'slice.openBaselineThroughSlice',
  activeSliceActions: 'slice.activeSliceActions',
} as const;
export type CommandId = (typeof Commands)[keyof typeof Commands];

const ACTION_LABELS: Record<ErrorAction, string> = {
  showLogs: 'Show Logs',
  openSettings: 'Open Settings',
  retry: 'Retry',
  selectCluster: 'Select Cluster',
};

/**
 * Registers commands through the single error policy (core/base/runCommand): cancellation is silent,
 * any other failure is logged once and shown once with actions.
 */
export class CommandRegistry {
  private readonly reporter: CommandReporter;

  constructor(
    private readonly logger: ILogger,
    private readonly subscriptions: { push(d: vscode.Disposable): void },
  ) {
    this.reporter = {
      showError: async (report) => {
        const labels = report.actions.map((a) => ACTION_LABELS[a]);
        const picked = await vscode.window.showErrorMessage(report.message, ...labels);
        return report.actions.find((a) => ACTION_LABELS[a] === picked);
      },
      runAction: async (action, commandId) => {
        switch (action) {
          case 'showLogs':
            await vscode.commands.executeCommand(Commands.showLogs);
            return;
          case 'openSettings':
            await vscode.commands.executeCommand(Commands.openSettings);
            return;
          case 'selectCluster':
            await vscode.commands.executeCommand(Commands.selectCluster);
            return;
          case 'retry':
            await vscode.commands.executeCommand(commandId);
            return;
        }
      },
    };
  }

  register<A extends unknown[], R>(id: CommandId, handler: (...args: A) => Promise<R> | R): void {
    const body = async (args: A): Promise<R> => {
      try {
        return await handler(...args);
      } catch (e) {
        throw expectedError(e);
      }
    };
    this.subscriptions.push(vscode.commands.registerCommand(id, (...args: A) => runCommand(id, () => body(args), this.logger, this.reporter)));
  }
}
