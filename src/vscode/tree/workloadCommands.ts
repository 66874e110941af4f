import * as vscode from 'vscode';
import { CancelledError, UserError } from '../../core/base/errors';
import { type ILogger } from '../../core/base/logger';
import { type KubeContext, type SliceEnvironment } from '../../core/cluster/environments';
import { type EnvironmentsModel } from '../../core/cluster/environmentsModel';
import { resourceFindings } from '../../core/cluster/podResources';
import { type PodInfo, podsOf } from '../../core/cluster/workloadSummary';
import { type WorkloadAccess } from '../../app/workloads/workloadAccess';
import { type CommandRegistry, Commands } from '../commandRegistry';
import { type EnvironmentsNode } from '../environmentsTree';
import { RequestPrompt, shownBody } from '../requestPrompt';
import { pickSlice } from '../slicePicker';
import { sessionKey } from '../sync/syncSession';
import { redact } from '../../core/telemetry/redact';
import { sayDone } from '../sayDone';

const LOG_TAIL_LINES = 500;
const REQUEST_TIMEOUT_MS = 30_000;

interface PodTarget {
  readonly context: KubeContext;
  readonly namespace: string;
  readonly workload: string;
  readonly pod: PodInfo;
  readonly port: number | undefined;
}

/**
 * Commands on the workload and pod rows of the Environments view: Start/Stop Sync of one fork,
 * Show Pod Logs (Kubernetes log API, into an output channel) and Send Request to Workload (one
 * HTTP request through a port-forward, the answer in an output channel).
 */
export function registerWorkloadCommands(registry: CommandRegistry, model: EnvironmentsModel, workloads: WorkloadAccess, logger: ILogger, subscriptions: { push(d: vscode.Disposable): void }): void {
  const logs = vscode.window.createOutputChannel('Slice: Pod Logs', 'log');
  const answers = vscode.window.createOutputChannel('Slice: Requests');
  subscriptions.push(logs);
  subscriptions.push(answers);
  const requests = new RequestPrompt();

  registry.register(Commands.startSyncWorkload, async (node?: unknown) => {
    const fork = forkNode(node);
    return vscode.commands.executeCommand(Commands.startSync, { kind: 'environment', environment: fork.slice, context: fork.context }, fork.workload);
  });

  registry.register(Commands.stopSyncWorkload, async (node?: unknown) => {
    const fork = forkNode(node);
    return vscode.commands.executeCommand(Commands.stopSync, sessionKey(fork.context.name, fork.slice.namespace, fork.workload));
  });

  registry.register(Commands.showPodLogs, async (node?: unknown) => {
    const target = await podTarget(model, workloads, node, 'read the logs of');
    const container = target.pod.containers[0];
    const text = await workloads.podLog(target.context, target.namespace, target.pod.name, container, LOG_TAIL_LINES);
    logs.clear();
    logs.appendLine(`# ${target.namespace}/${target.pod.name}${container ? ` (container ${container})` : ''}: the last ${LOG_TAIL_LINES} lines, ${new Date().toLocaleTimeString()}`);
    // A container the kernel killed for its memory says nothing in its own log: say it here.
    for (const f of resourceFindings(target.pod, undefined)) logs.appendLine(`# ${f.text}`);
    logs.append(text ? redact(text) : '(the log is empty)\n');
    logs.show(true);
  });

  registry.register(Commands.sendRequest, async (node?: unknown, requestArg?: unknown) => {
    const target = await podTarget(model, workloads, node, 'send a request to');
    const port = target.port ?? (await askPort(target.workload));
    const req = await requests.ask(requestArg, `Slice: Send Request to ${target.workload}`, `Method, path and optional JSON body, sent to ${target.pod.name}:${port} through a port-forward`);
    logger.info(`request ${req.method} ${req.path} → ${target.namespace}/${target.pod.name}:${port}`);
    const answer = await vscode.window
      .withProgress({ location: vscode.ProgressLocation.Window, title: `${req.method} ${req.path} → ${target.workload}` }, () =>
        workloads.httpRequest(target.context, target.namespace, target.pod.name, port, req.path, { method: req.method, timeoutMs: REQUEST_TIMEOUT_MS, ...(req.body !== undefined ? { body: req.body } : {}) }),
      )
      .then(undefined, (e: unknown) => {
        throw e instanceof UserError ? e : new UserError(`${target.workload}: ${e instanceof Error ? e.message : String(e)}`, ['retry', 'showLogs']);
      });
    answers.appendLine(`${req.method} ${req.path} → ${target.namespace}/${target.pod.name}:${port}  ${answer.status} in ${Math.round(answer.ms)} ms (${new Date().toLocaleTimeString()})`);
    answers.appendLine(shownBody(answer.body));
    answers.appendLine('');
    answers.show(true);
    const summary = `${target.workload}: ${req.method} ${req.path} → ${answer.status} in ${Math.round(answer.ms)} ms`;
    if (answer.status >= 500) void vscode.window.showWarningMessage(summary);
    else sayDone(summary);
    return answer;
  });
}

function forkNode(node: unknown): Extract<EnvironmentsNode, { kind: 'fork' }> {
  const n = node as EnvironmentsNode | undefined;
  if (n?.kind !== 'fork') throw new UserError('Pick a forked workload in the Environments view.');
  return n;
}

async function askPort(workload: string): Promise<number> {
  const v = await vscode.window.showInputBox({ title: `Slice: Send Request to ${workload}`, prompt: `${workload} declares no container port: which port does it listen on?`, value: '8080', validateInput: (s) => (/^\d{1,5}$/.test(s) && Number(s) > 0 && Number(s) < 65536 ? undefined : 'A port number, 1–65535') });
  if (v === undefined) throw new CancelledError();
  return Number(v);
}

/** The pod a row stands for (a pod row, or a workload's first ready pod), else a pick among the user's forks. */
async function podTarget(model: EnvironmentsModel, workloads: WorkloadAccess, node: unknown, verb: string): Promise<PodTarget> {
  const n = node as EnvironmentsNode | undefined;
  if (n?.kind === 'pod') return { context: n.context, namespace: n.namespace, workload: n.pod.labels['slice.dev/fork'] ?? n.pod.name, pod: n.pod, port: n.port };
  if (n?.kind === 'fork') return firstPod(n.context, n.slice.namespace, n.workload, n.pods, n.summary?.port);
  if (n?.kind === 'workload') return firstPod(n.context, n.namespace, n.workload.name, n.pods, n.workload.port);
  const { context, slice } = await pickSlice(model, node, verb);
  const { workloads: all, pods } = await workloads.workloads(context, slice.namespace);
  const forks = all.filter((w) => w.forkOf !== undefined);
  if (forks.length === 0) throw new UserError(`Slice ${label(slice)} has no forked workload yet.`);
  const picked =
    forks.length === 1
      ? forks[0]!
      : (await vscode.window.showQuickPick(forks.map((w) => ({ label: w.forkOf ?? w.name, description: `${w.ready}/${w.replicas} ready`, w })), { placeHolder: `Which workload of slice ${label(slice)}?` }))?.w;
  if (!picked) throw new CancelledError();
  return firstPod(context, slice.namespace, picked.forkOf ?? picked.name, podsOf(picked, pods), picked.port);
}

function firstPod(context: KubeContext, namespace: string, workload: string, pods: readonly PodInfo[], port: number | undefined): PodTarget {
  const pod = pods.find((p) => p.ready) ?? pods.find((p) => p.phase === 'Running') ?? pods[0];
  if (!pod) throw new UserError(`${workload} has no pod yet: wait until the Environments view shows one, then retry.`, ['retry']);
  return { context, namespace, workload, pod, port };
}

function label(slice: SliceEnvironment): string {
  return slice.sliceName ?? slice.namespace;
}
