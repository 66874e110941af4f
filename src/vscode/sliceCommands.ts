import * as vscode from 'vscode';
import { CancelledError, UserError } from '../core/base/errors';
import { type ILogger } from '../core/base/logger';
import { formatDuration } from '../core/cluster/environments';
import { ClusterProblemError, type EnvironmentsModel } from '../core/cluster/environmentsModel';
import { type SliceObject, isDnsLabel, maxSliceNameLength, ownerSlug, sliceNamespace, sliceObjectName } from '../core/slice/sliceResource';
import { SLICE_CONFIG_FILE, parseWorkspaceConfig, toForkSpecs } from '../core/slice/workspaceConfig';
import { type SliceClient } from '../platform/kube/sliceClient';
import { type CommandRegistry, Commands } from './commandRegistry';
import { type SliceConfigDiagnostics } from './sliceConfigDiagnostics';
import { connectedContext, pickSlice } from './slicePicker';

const POLL_MS = 1000;
const PROVISION_WAIT_MS = 5 * 60_000;

const TEMPLATE = `# Slice: your personal slice of the shared cluster. Reference: the Slice README.
# The baseline namespace whose workloads you fork:
baseline: shop
# How long a new slice lives (the platform caps it):
ttl: 4h
resources:
  cpu: "2"
  memory: 2Gi
  pods: 10
# The baseline workloads you change; everything else stays shared in the baseline.
forks:
  - workload: checkout
    container: app
    sync:
      local: .
      container: /app
`;

/** Create Slice, Delete Slice, Extend Slice TTL, Create slice.yaml. */
export function registerSliceCommands(registry: CommandRegistry, model: EnvironmentsModel, slices: SliceClient, diagnostics: SliceConfigDiagnostics, logger: ILogger): void {
  registry.register(Commands.createConfigFile, async () => {
    const folder = vscode.workspace.workspaceFolders?.[0];
    if (!folder) throw new UserError('Open a folder first: slice.yaml lives at the root of the workspace.');
    const uri = vscode.Uri.joinPath(folder.uri, SLICE_CONFIG_FILE);
    try {
      await vscode.workspace.fs.stat(uri);
    } catch {
      await vscode.workspace.fs.writeFile(uri, new TextEncoder().encode(TEMPLATE));
    }
    await vscode.window.showTextDocument(uri);
  });

  registry.register(Commands.createSlice, async (nameArg?: unknown) => {
    const { context, platformInstalled } = connectedContext(model);
    if (!platformInstalled) throw new UserError(`The cluster of context "${context.name}" has no Slice platform bundle. Ask your platform team to install it (npm run platform:install).`, ['selectCluster']);
    const config = await readConfig(diagnostics);
    const { username } = await slices.whoAmI(context);
    const suggested = config.name ?? slug(vscode.workspace.workspaceFolders?.[0]?.name ?? 'dev');
    const max = maxSliceNameLength(username);
    const name =
      typeof nameArg === 'string' && nameArg
        ? nameArg
        : await vscode.window.showInputBox({
            title: 'Slice: Create Slice',
            prompt: `A name for your slice of ${config.baseline} (namespace slice-${ownerSlug(username)}-<name>)`,
            value: suggested,
            validateInput: (v) => (isDnsLabel(v, max) ? undefined : `Use lowercase letters, digits and -, at most ${max} characters, starting and ending with a letter or digit.`),
          });
    if (name === undefined) throw new CancelledError();
    if (!isDnsLabel(name, max)) throw new UserError(`"${name}" is not a valid slice name: use lowercase letters, digits and -, at most ${max} characters.`);
    const objectName = sliceObjectName(username, name);
    logger.info(`creating slice ${objectName} of ${config.baseline} as ${username} in context "${context.name}"`);
    await slices.create(context, objectName, {
      owner: username,
      baseline: config.baseline,
      forks: toForkSpecs(config),
      ...(config.resources ? { resources: config.resources } : {}),
      ...(config.ttl ? { ttl: config.ttl } : {}),
    });
    void model.refresh();
    const final = await waitForSlice(slices, context, objectName, `Creating slice ${name}`, (s) => s.status?.phase === 'Ready' || s.status?.phase === 'Failed');
    await model.refresh();
    if (final?.status?.phase === 'Failed') {
      const why = final.status.conditions?.find((c) => c.status === 'False' && c.message)?.message ?? 'see its conditions in the Environments view';
      throw new UserError(`Slice ${name} failed: ${why}`, ['showLogs']);
    }
    if (final?.status?.phase === 'Ready') {
      logger.info(`slice ${objectName} is ready in namespace ${final.status.namespace ?? sliceNamespace(username, name)}`);
      void vscode.window.showInformationMessage(`Slice ${name} is ready: ${final.status.forks?.length ?? 0} fork(s) of ${config.baseline} in ${final.status.namespace ?? sliceNamespace(username, name)}.`);
    } else {
      void vscode.window.showWarningMessage(`Slice ${name} is still provisioning; the Environments view shows its progress.`);
    }
    return objectName;
  });

  registry.register(Commands.deleteSlice, async (arg?: unknown, options?: unknown) => {
    const { context, slice } = await pickSlice(model, arg, 'delete');
    const label = slice.sliceName ?? slice.namespace;
    const skipConfirm = typeof options === 'object' && options !== null && (options as { confirm?: unknown }).confirm === false;
    if (!skipConfirm) {
      const ok = await vscode.window.showWarningMessage(`Delete slice ${label}?`, { modal: true, detail: `Its namespace ${slice.namespace}, its forks and their data are deleted. Your local files are not touched.` }, 'Delete');
      if (ok !== 'Delete') throw new CancelledError();
    }
    await slices.delete(context, slice.resource.name);
    void model.refresh();
    await waitForSlice(slices, context, slice.resource.name, `Deleting slice ${label}`, () => false);
    await model.refresh();
    void vscode.window.showInformationMessage(`Slice ${label} is deleted.`);
  });

  registry.register(Commands.extendSliceTtl, async (arg?: unknown, hoursArg?: unknown) => {
    const { context, slice } = await pickSlice(model, arg, 'extend');
    const hours =
      typeof hoursArg === 'number'
        ? hoursArg
        : (
            await vscode.window.showQuickPick(
              [1, 4, 8, 24].map((h) => ({ label: `+${h} h`, hours: h })),
              { title: `Slice: Extend ${slice.sliceName ?? slice.namespace}`, placeHolder: slice.expiresAt ? `Expires ${slice.expiresAt.toLocaleString()}` : 'Extend by' },
            )
          )?.hours;
    if (hours === undefined) throw new CancelledError();
    const from = Math.max(Date.now(), slice.expiresAt?.getTime() ?? Date.now());
    const updated = await slices.setExpiry(context, slice.resource.name, new Date(from + hours * 3600_000));
    await model.refresh();
    const at = new Date(updated.spec.expiresAt ?? updated.status?.expiresAt ?? from + hours * 3600_000);
    void vscode.window.showInformationMessage(`Slice ${slice.sliceName ?? slice.namespace} now expires at ${at.toLocaleTimeString()} (in ${formatDuration(at.getTime() - Date.now())}).`);
  });
}

async function readConfig(diagnostics: SliceConfigDiagnostics) {
  const files = await vscode.workspace.findFiles(SLICE_CONFIG_FILE, undefined, 1);
  const uri = files[0];
  if (!uri) throw new UserError(`There is no ${SLICE_CONFIG_FILE} at the root of the workspace: it says which baseline to fork and which workloads. Run "Slice: Create slice.yaml" to start from a template.`);
  const doc = await vscode.workspace.openTextDocument(uri);
  // Unsaved edits win. Otherwise the file does: the editor's copy of a file changed on disk a moment ago
  // (git checkout, a script) lags behind it, and may catch up while the file is being read.
  const result = doc.isDirty ? diagnostics.check(doc) : parseWorkspaceConfig(new TextDecoder().decode(await vscode.workspace.fs.readFile(uri)));
  if (!result) throw new UserError(`${SLICE_CONFIG_FILE} could not be read.`);
  if (!result.ok) {
    await vscode.window.showTextDocument(doc);
    const first = result.problems[0]!;
    throw new UserError(`${SLICE_CONFIG_FILE} has ${result.problems.length} problem(s); line ${first.range.startLine}: ${first.message}`);
  }
  return result.config;
}

/** Polls a Slice with a progress notification until `done` says so, it disappears, or time runs out. */
async function waitForSlice(slices: SliceClient, context: Parameters<SliceClient['get']>[0], name: string, title: string, done: (s: SliceObject) => boolean): Promise<SliceObject | undefined> {
  return vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title, cancellable: true }, async (progress, token) => {
    const deadline = Date.now() + PROVISION_WAIT_MS;
    let last = '';
    while (!token.isCancellationRequested && Date.now() < deadline) {
      let current: SliceObject;
      try {
        current = await slices.get(context, name);
      } catch (e) {
        if (e instanceof ClusterProblemError && e.problem.kind === 'notFound') return undefined;
        throw e;
      }
      if (done(current)) return current;
      const pending = current.status?.conditions?.find((c) => c.status !== 'True' && c.message);
      const message = `${current.status?.phase ?? 'Pending'}${pending ? `: ${pending.message}` : ''}`;
      if (message !== last) progress.report({ message });
      last = message;
      await new Promise((r) => setTimeout(r, POLL_MS));
    }
    return token.isCancellationRequested ? undefined : slices.get(context, name);
  });
}

function slug(s: string): string {
  return s.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-+|-+$/g, '').slice(0, 30).replace(/-+$/, '') || 'dev';
}
