import * as vscode from 'vscode';
import { UserError } from '../../core/base/errors';
import { type ILogger } from '../../core/base/logger';
import { type EnvironmentsModel } from '../../core/cluster/environmentsModel';
import { type BaselineEntry, type EntryPod } from '../../app/routing/baselineEntry';
import { type CommandRegistry, Commands } from '../commandRegistry';
import { RequestPrompt, shownBody } from '../requestPrompt';
import { pickSlice } from '../slicePicker';

const REQUEST_TIMEOUT_MS = 30_000;

/**
 * Driving the baseline through my slice (issue 22): Send Request through the Baseline (one request
 * to the baseline's entry with my routing key, the answer and which copy served it in the Requests
 * output) and Open Baseline Through My Slice (a local port the browser opens; each request goes to
 * my slice's entry, which adds my key, so every hop my slice forks is served by my fork). Both go
 * through the slice's entry pod by port-forward (src/app/routing/baselineEntry.ts, which owns the forward).
 */
export function registerRoutingCommands(registry: CommandRegistry, model: EnvironmentsModel, entries: BaselineEntry, logger: ILogger, subscriptions: { push(d: vscode.Disposable): void }): void {
  const answers = vscode.window.createOutputChannel('Slice: Requests through the Baseline');
  subscriptions.push(answers);
  subscriptions.push(entries);
  const requests = new RequestPrompt();

  const entryOf = async (node: unknown, verb: string): Promise<EntryPod & { slice: string }> => {
    const { context, slice } = await pickSlice(model, node, verb);
    const pod = await entries.find(context, slice.namespace);
    if (!pod) {
      throw new UserError(
        `Slice ${slice.sliceName ?? slice.namespace} has no entry into its baseline yet: it appears once the slice is Ready, when the baseline names its entry Service (namespace annotation slice.dev/entry) and the platform routes requests (routingMode).`,
        ['retry'],
      );
    }
    return { ...pod, slice: slice.sliceName ?? slice.namespace };
  };

  registry.register(Commands.sendRequestThroughBaseline, async (node?: unknown, requestArg?: unknown) => {
    const entry = await entryOf(node, 'send a request through the baseline with the key of');
    const req = await requests.ask(requestArg, `Slice: Send Request through the Baseline (slice ${entry.slice})`, 'Method, path and optional JSON body, sent to the baseline\'s entry with your routing key: the hops your slice forks are served by your forks');
    logger.info(`request through the baseline ${req.method} ${req.path} (slice ${entry.slice})`);
    const answer = await vscode.window.withProgress({ location: vscode.ProgressLocation.Window, title: `${req.method} ${req.path} → baseline (slice ${entry.slice})` }, () =>
      entries.request(entry, req, REQUEST_TIMEOUT_MS),
    );
    const servedBy = header(answer.headers['x-served-by']);
    const routed = header(answer.headers['x-slice-routed']);
    answers.appendLine(`${req.method} ${req.path} → baseline entry with the key of slice ${entry.slice}  ${answer.status} in ${Math.round(answer.ms)} ms (${new Date().toLocaleTimeString()})`);
    if (servedBy) answers.appendLine(`  first hop served by ${servedBy}`);
    if (routed) answers.appendLine(`  routed to fork ${routed}`);
    answers.appendLine(shownBody(answer.body));
    answers.appendLine('');
    answers.show(true);
    const summary = `baseline (slice ${entry.slice}): ${req.method} ${req.path} → ${answer.status} in ${Math.round(answer.ms)} ms`;
    if (answer.status >= 500) void vscode.window.showWarningMessage(summary);
    else void vscode.window.showInformationMessage(summary);
    return answer;
  });

  registry.register(Commands.openBaselineThroughSlice, async (node?: unknown) => {
    const entry = await entryOf(node, 'open the baseline through');
    const forward = await entries.forward(entry);
    logger.info(`baseline through slice ${entry.slice}: ${forward.url} → ${forward.target}`);
    await vscode.env.openExternal(vscode.Uri.parse(forward.url));
    void vscode.window.showInformationMessage(`The baseline is open through slice ${entry.slice} at ${forward.url}: every request carries your routing key, so the services your slice forks answer from your forks.`);
    return forward.url;
  });
}

function header(v: string | string[] | undefined): string | undefined {
  return Array.isArray(v) ? v.join(', ') : v;
}
