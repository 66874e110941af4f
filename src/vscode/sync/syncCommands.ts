import * as vscode from 'vscode';
import { CancelledError, UserError } from '../../core/base/errors';
import { type ILogger } from '../../core/base/logger';
import { type EnvironmentsModel } from '../../core/cluster/environmentsModel';
import { DEFAULT_SYNC_PATH } from '../../core/slice/fork';
import { SLICE_CONFIG_FILE, type WorkspaceFork, parseWorkspaceConfig } from '../../core/slice/workspaceConfig';
import { NotCurrentIdentityError } from '../../app/fork/forkSession';
import { type Sessions } from '../../app/sessions';
import { isQuietEnd } from '../../app/lifetimes';
import { type SyncSession } from '../../app/sync/syncSession';
import { PortForwardError } from '../../core/agent/errors';
import { type CommandRegistry, Commands } from '../commandRegistry';
import { pickSlice } from '../slicePicker';
import { sessionKey, watchLocalChanges } from './syncSession';
import { sayDone } from '../sayDone';

const START_TIMEOUT_MS = 120_000;

/** Slice: Start Sync, Stop Sync, Reset Container to Local, and the status bar's actions. */
export function registerSyncCommands(registry: CommandRegistry, model: EnvironmentsModel, app: () => Sessions, logger: ILogger): void {
  registry.register(Commands.startSync, async (arg?: unknown, workloadArg?: unknown) => {
    const sessions = app();
    const { context, slice } = await pickSlice(model, arg, 'sync');
    const label = slice.sliceName ?? slice.namespace;
    const forks = slice.resource.forkNames;
    if (forks.length === 0) throw new UserError(`Slice ${label} forks no workload, so there is nothing to sync into: add a fork to ${SLICE_CONFIG_FILE} and create the slice again.`);
    const workload = typeof workloadArg === 'string' && forks.includes(workloadArg) ? workloadArg : await pickFork(forks, (w) => sessions.sync(sessionKey(context.name, slice.namespace, w)) !== undefined, label);
    const key = sessionKey(context.name, slice.namespace, workload);
    if (sessions.sync(key)) {
      sayDone(`${workload} of slice ${label} is already syncing.`);
      return key;
    }
    const folder = vscode.workspace.workspaceFolders?.[0];
    if (!folder || folder.uri.scheme !== 'file') throw new UserError('Open the folder of your service first: Start Sync mirrors a local folder into the fork.');
    const fork = await forkConfig(folder.uri, workload, logger);
    const local = fork?.sync?.local ?? '.';
    const localRoot = (local.startsWith('/') ? vscode.Uri.file(local) : vscode.Uri.joinPath(folder.uri, local)).fsPath;
    try {
      if ((await vscode.workspace.fs.stat(vscode.Uri.file(localRoot))).type !== vscode.FileType.Directory) throw new Error('not a directory');
    } catch {
      throw new UserError(`The local folder ${localRoot} (sync.local of ${workload} in ${SLICE_CONFIG_FILE}) is not a folder.`);
    }
    let session: SyncSession;
    try {
      session = sessions.startSync(
        { contextName: context.name, sliceName: slice.resource.name, sliceLabel: label, namespace: slice.namespace, workload, localRoot, containerPath: fork?.sync?.container ?? DEFAULT_SYNC_PATH, runAfterSync: (fork?.restart?.length ?? 0) > 0 },
        { ignorePatterns: syncIgnore() },
      );
    } catch (e) {
      if (e instanceof NotCurrentIdentityError) throw new UserError(`Cannot sync ${workload}: ${e.message}.`, ['selectCluster']);
      throw e;
    }
    watchLocalChanges(session);
    wireMessages(session);
    try {
      await vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title: `Starting sync of ${workload} (slice ${label})`, cancellable: true }, (_p, token) => firstSync(session, token));
    } catch (e) {
      session.dispose();
      throw e;
    }
    logger.info(`sync ${workload}: initial sync done; saving a file under ${localRoot} syncs it`);
    return key;
  });

  registry.register(Commands.stopSync, async (arg?: unknown) => {
    const session = await pickSession(app(), arg, 'stop syncing');
    session.dispose();
  });

  registry.register(Commands.resetContainerToLocal, async (arg?: unknown) => {
    const session = await pickSession(app(), arg, 'reset to your local files');
    const drift = await vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title: `Resetting ${session.target.workload} to your local files` }, () => session.engine.resetContainerToLocal());
    sayDone(drift.length > 0 ? `${session.target.workload}: ${drift.length} file(s) changed in the container were reset to your local files.` : `${session.target.workload}: the container already matched your local files.`);
  });

  registry.register(Commands.syncActions, async () => {
    const session = await pickSession(app(), undefined, 'act on');
    const items = [
      { label: '$(debug-stop) Stop Sync', command: Commands.stopSync },
      { label: '$(discard) Reset Container to Local', description: 'overwrite files changed inside the container', command: Commands.resetContainerToLocal },
      { label: '$(output) Show Logs', command: Commands.showLogs },
    ];
    const picked = await vscode.window.showQuickPick(items, { title: `Slice sync: ${session.target.workload} (${session.current.state})` });
    if (!picked) throw new CancelledError();
    await vscode.commands.executeCommand(picked.command, picked.command === Commands.showLogs ? undefined : session.key);
  });
}

/** The `slice.sync.ignore` setting: gitignore-style patterns on top of .gitignore and .sliceignore. */
function syncIgnore(): string[] {
  const v = vscode.workspace.getConfiguration('slice').get<unknown>('sync.ignore', []);
  return Array.isArray(v) ? v.filter((p): p is string => typeof p === 'string' && p.trim() !== '') : [];
}

/** Resolves after the first reconcile; fails with the reason in words if the first connection fails. */
function firstSync(session: SyncSession, token: vscode.CancellationToken): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    const subs: { dispose(): void }[] = [];
    const timer = setTimeout(() => finish(new UserError(`Sync of ${session.target.workload} did not start within ${START_TIMEOUT_MS / 1000} s: ${session.current.lastError ?? 'no answer'}.`, ['retry', 'showLogs'])), START_TIMEOUT_MS);
    const finish = (e?: Error) => {
      clearTimeout(timer);
      for (const s of subs) s.dispose();
      if (e) reject(e);
      else resolve();
    };
    subs.push(
      session.onConnectFailed((e) => finish(new UserError(`Cannot sync ${session.target.workload}: ${e.message}.`, e instanceof PortForwardError && e.reason === 'forbidden' ? ['selectCluster', 'showLogs'] : ['retry', 'showLogs']))),
      // the slice went, the identity changed, they stopped it: Start Sync ends as quietly as the session (issue 20 item 1)
      session.onDidEnd((r) => finish(isQuietEnd(r) ? new CancelledError() : new UserError(`Sync of ${session.target.workload} ended before it started: ${r.message}.`, ['showLogs']))),
      token.onCancellationRequested(() => finish(new CancelledError())),
    );
    session.engine.flush().then(
      () => finish(),
      (e: unknown) => finish(e instanceof Error ? e : new Error(String(e))),
    );
  });
}

/** Drift and per-file failures of a running session, as messages with actions. */
function wireMessages(session: SyncSession): void {
  let lastDrift = '';
  session.onDrift((drift) => {
    const sig = drift.map((d) => d.path).join('\n');
    if (sig === lastDrift) return;
    lastDrift = sig;
    const names = drift.slice(0, 3).map((d) => d.path).join(', ') + (drift.length > 3 ? ` and ${drift.length - 3} more` : '');
    void vscode.window.showWarningMessage(`${drift.length} file(s) were changed inside the ${session.target.workload} container (${names}). Your local files are not touched; Reset Container to Local overwrites the container's copies.`, 'Reset Container to Local', 'Show Logs').then((a) => {
      if (a === 'Reset Container to Local') void vscode.commands.executeCommand(Commands.resetContainerToLocal, session.key);
      else if (a === 'Show Logs') void vscode.commands.executeCommand(Commands.showLogs);
    });
  });
  let lastFailure = 0;
  session.onOpFailed((f) => {
    if (Date.now() - lastFailure < 10_000) return;
    lastFailure = Date.now();
    void vscode.window.showErrorMessage(`Sync of ${session.target.workload}: ${f.path} could not be written in the container: ${f.message}`, 'Show Logs').then((a) => a && void vscode.commands.executeCommand(Commands.showLogs));
  });
}

async function pickFork(forks: readonly string[], syncing: (w: string) => boolean, label: string): Promise<string> {
  if (forks.length === 1) return forks[0]!;
  const picked = await vscode.window.showQuickPick(
    forks.map((w) => ({ label: w, description: syncing(w) ? 'syncing' : undefined })),
    { title: `Slice: Start Sync (${label})`, placeHolder: 'Which fork do you want to sync your local folder into?' },
  );
  if (!picked) throw new CancelledError();
  return picked.label;
}

async function pickSession(sessions: Sessions, arg: unknown, verb: string): Promise<SyncSession> {
  const all = sessions.syncSessions;
  if (typeof arg === 'string') {
    const s = sessions.sync(arg);
    if (s) return s;
  }
  const ns = sliceNamespaceOf(arg);
  const candidates = ns ? all.filter((s) => s.target.namespace === ns) : all;
  if (candidates.length === 0) throw new UserError('No sync is running. Start one with "Slice: Start Sync".');
  if (candidates.length === 1) return candidates[0]!;
  const picked = await vscode.window.showQuickPick(
    candidates.map((s) => ({ label: s.target.workload, description: `${s.target.sliceLabel} · ${s.current.state}`, session: s })),
    { placeHolder: `Which sync do you want to ${verb}?` },
  );
  if (!picked) throw new CancelledError();
  return picked.session;
}

function sliceNamespaceOf(arg: unknown): string | undefined {
  const node = arg as { kind?: unknown; environment?: { kind?: unknown; namespace?: unknown } } | undefined;
  return node?.kind === 'environment' && node.environment?.kind === 'slice' && typeof node.environment.namespace === 'string' ? node.environment.namespace : undefined;
}

/** The fork's entry of slice.yaml, if the workspace has a valid one that lists it. */
async function forkConfig(folder: vscode.Uri, workload: string, logger: ILogger): Promise<WorkspaceFork | undefined> {
  let text: string;
  try {
    text = new TextDecoder().decode(await vscode.workspace.fs.readFile(vscode.Uri.joinPath(folder, SLICE_CONFIG_FILE)));
  } catch {
    logger.info(`sync: no ${SLICE_CONFIG_FILE} in ${folder.fsPath}; syncing the workspace folder to ${DEFAULT_SYNC_PATH}`);
    return undefined;
  }
  const parsed = parseWorkspaceConfig(text);
  if (!parsed.ok) {
    logger.warn(`sync: ${SLICE_CONFIG_FILE} has problems (see the Problems panel); syncing the workspace folder to ${DEFAULT_SYNC_PATH}`);
    return undefined;
  }
  const fork = parsed.config.forks.find((f) => f.workload === workload);
  if (!fork?.sync) logger.info(`sync: ${SLICE_CONFIG_FILE} has no sync entry for ${workload}; syncing the workspace folder to ${DEFAULT_SYNC_PATH}`);
  return fork;
}
