import * as vscode from 'vscode';
import { type ILogger } from '../core/base/logger';
import { type EnvironmentsModel } from '../core/cluster/environmentsModel';
import { isolationReportMarkdown } from '../core/slice/isolationMarkdown';
import { type IsolationChecks } from '../app/slices/isolationChecks';
import { type CommandRegistry, Commands } from './commandRegistry';
import { pickSlice } from './slicePicker';

const SCHEME = 'slice-report';

/** Slice: Verify Isolation — runs the isolation checks as the user and shows the report. */
export function registerIsolationCommand(registry: CommandRegistry, model: EnvironmentsModel, checks: IsolationChecks, logger: ILogger, subscriptions: { push(d: vscode.Disposable): void }): void {
  const reports = new Map<string, string>();
  const changed = new vscode.EventEmitter<vscode.Uri>();
  subscriptions.push(changed);
  subscriptions.push(vscode.workspace.registerTextDocumentContentProvider(SCHEME, { onDidChange: changed.event, provideTextDocumentContent: (uri) => reports.get(uri.path) ?? '' }));

  registry.register(Commands.verifyIsolation, async (arg?: unknown) => {
    const { context, slice } = await pickSlice(model, arg, 'verify');
    const label = slice.sliceName ?? slice.namespace;
    const report = await vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title: `Verifying the isolation of slice ${label}` }, (progress) =>
      checks.run(context, slice.namespace, (r) => {
        logger.info(`isolation ${slice.namespace}: ${r.status.toUpperCase()} ${r.id}: ${r.message}`);
        progress.report({ message: `${r.status === 'pass' ? '✔' : r.status === 'skip' ? '–' : '✖'} ${r.title}`, increment: 100 / 16 });
      }),
    );
    const uri = vscode.Uri.from({ scheme: SCHEME, path: `/isolation-${slice.namespace}.md` });
    reports.set(uri.path, isolationReportMarkdown(report, label));
    changed.fire(uri);
    const summary = `Isolation of slice ${label}: ${report.passed} passed, ${report.failed} failed${report.errors ? `, ${report.errors} could not run` : ''}${report.skipped ? `, ${report.skipped} skipped` : ''}.`;
    const show = () => vscode.commands.executeCommand('markdown.showPreview', uri);
    if (report.ok) {
      void vscode.window.showInformationMessage(summary, 'Show Report').then((a) => a && show());
    } else {
      const failed = report.results.filter((r) => r.status === 'fail' || r.status === 'error').map((r) => r.title);
      void vscode.window.showWarningMessage(`${summary} Failing: ${failed.join('; ')}.`, 'Show Report').then((a) => a && show());
    }
    await show();
    return report;
  });
}
