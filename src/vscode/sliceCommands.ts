import * as vscode from 'vscode';
import { CancelledError, UserError } from '../core/base/errors';
import { type ILogger } from '../core/base/logger';
import { durationText, formatDuration } from '../core/base/duration';
import { type EnvironmentsModel } from '../core/cluster/environmentsModel';
import { type PlatformLimits, describeLimits, plural } from '../core/slice/limits';
import { isDnsLabel, maxSliceNameLength, ownerSlug, sliceNamespace, sliceObjectName } from '../core/slice/sliceResource';
import { SLICE_CONFIG_FILE, toForkSpecs } from '../core/slice/workspaceConfig';
import { type SliceLifecycle, describeGrant } from '../app/slices/sliceLifecycle';
import { type CommandRegistry, Commands } from './commandRegistry';
import { type SliceConfigDiagnostics } from './sliceConfigDiagnostics';
import { connectedContext, pickSlice } from './slicePicker';

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
export function registerSliceCommands(registry: CommandRegistry, model: EnvironmentsModel, lifecycle: SliceLifecycle, diagnostics: SliceConfigDiagnostics, logger: ILogger): void {
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
    const limits = await lifecycle.readLimits(context);
    const config = await readConfig(diagnostics, limits);
    const username = await lifecycle.whoAmI(context);
    const suggested = config.name ?? slug(vscode.workspace.workspaceFolders?.[0]?.name ?? 'dev');
    const max = maxSliceNameLength(username);
    const name =
      typeof nameArg === 'string' && nameArg
        ? nameArg
        : await vscode.window.showInputBox({
            title: 'Slice: Create Slice',
            prompt: `A name for your slice of ${config.baseline} (namespace slice-${ownerSlug(username)}-<name>)${limits ? `. The platform: ${describeLimits(limits)}.` : ''}`,
            value: suggested,
            validateInput: (v) => (isDnsLabel(v, max) ? undefined : `Use lowercase letters, digits and -, at most ${max} characters, starting and ending with a letter or digit.`),
          });
    if (name === undefined) throw new CancelledError();
    if (!isDnsLabel(name, max)) throw new UserError(`"${name}" is not a valid slice name: use lowercase letters, digits and -, at most ${max} characters.`);
    const objectName = sliceObjectName(username, name);
    logger.info(`creating slice ${objectName} of ${config.baseline} as ${username} in context "${context.name}"`);
    const spec = { owner: username, baseline: config.baseline, forks: toForkSpecs(config), ...(config.resources ? { resources: config.resources } : {}), ...(config.ttl ? { ttl: config.ttl } : {}) };
    const outcome = await withWait(`Creating slice ${name}`, (progress, signal) => lifecycle.create(context, objectName, spec, { progress, signal }));
    if (outcome.kind === 'ready') {
      const namespace = outcome.slice.status?.namespace ?? sliceNamespace(username, name);
      logger.info(`slice ${objectName} is ready in namespace ${namespace}`);
      const notes = outcome.notes.length > 0 ? ` Not as asked: ${outcome.notes.join('; ')}.` : '';
      const text = `Slice ${name} is ready: ${describeGrant(outcome.slice, outcome.granted, new Date(), undefined)}.${notes}`;
      if (notes) void vscode.window.showWarningMessage(text);
      else void vscode.window.showInformationMessage(text);
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
    await withWait(`Deleting slice ${label}`, (progress, signal) => lifecycle.delete(context, slice.resource.name, { progress, signal }));
    void vscode.window.showInformationMessage(`Slice ${label} is deleted.`);
  });

  registry.register(Commands.extendSliceTtl, async (arg?: unknown, hoursArg?: unknown) => {
    const { context, slice } = await pickSlice(model, arg, 'extend');
    const limits = await lifecycle.readLimits(context);
    const hours =
      typeof hoursArg === 'number'
        ? hoursArg
        : (
            await vscode.window.showQuickPick(
              [1, 4, 8, 24].map((h) => ({ label: `+${h} h`, hours: h })),
              {
                title: `Slice: Extend ${slice.sliceName ?? slice.namespace}`,
                placeHolder: `${slice.expiresAt ? `Expires ${slice.expiresAt.toLocaleString()}. ` : ''}${limits ? `The platform caps a slice at ${durationText(limits.maxTtlMs)} from now.` : 'Extend by'}`,
              },
            )
          )?.hours;
    if (hours === undefined) throw new CancelledError();
    const object = await lifecycle.read(context, slice.resource.name);
    const result = await withWait(`Extending slice ${slice.sliceName ?? slice.namespace}`, (progress, signal) => lifecycle.extend(context, object, hours, Date.now(), { progress, signal }));
    const text = `Slice ${slice.sliceName ?? slice.namespace} now expires at ${result.expiresAt.toLocaleTimeString()} (in ${formatDuration(result.expiresAt.getTime() - Date.now())}).`;
    if (result.note) void vscode.window.showWarningMessage(`${text} ${result.note}`);
    else void vscode.window.showInformationMessage(text);
  });
}

/** Runs a lifecycle step under a cancellable progress notification, for at most PROVISION_WAIT_MS. */
function withWait<T>(title: string, run: (progress: (message: string) => void, signal: AbortSignal) => Promise<T>): Promise<T> {
  return Promise.resolve(
    vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title, cancellable: true }, (progress, token) => {
      const abort = new AbortController();
      const timer = setTimeout(() => abort.abort(new UserError(`${title}: no answer from the cluster after ${PROVISION_WAIT_MS / 60_000} minutes. The Environments view shows where it is.`, [])), PROVISION_WAIT_MS);
      const sub = token.onCancellationRequested(() => abort.abort(new CancelledError()));
      return run((message) => progress.report({ message }), abort.signal).finally(() => {
        clearTimeout(timer);
        sub.dispose();
      });
    }),
  );
}

async function readConfig(diagnostics: SliceConfigDiagnostics, limits: PlatformLimits | undefined) {
  const files = await vscode.workspace.findFiles(SLICE_CONFIG_FILE, undefined, 1);
  const uri = files[0];
  if (!uri) throw new UserError(`There is no ${SLICE_CONFIG_FILE} at the root of the workspace: it says which baseline to fork and which workloads. Run "Slice: Create slice.yaml" to start from a template.`);
  const doc = await vscode.workspace.openTextDocument(uri);
  diagnostics.setLimits(limits);
  // Unsaved edits win. Otherwise the file does: the editor's copy of a file changed on disk a moment ago
  // (git checkout, a script) lags behind it, and may catch up while the file is being read.
  const result = doc.isDirty ? diagnostics.check(doc) : diagnostics.checkText(doc.uri, new TextDecoder().decode(await vscode.workspace.fs.readFile(uri)));
  if (!result) throw new UserError(`${SLICE_CONFIG_FILE} could not be read.`);
  if (!result.ok) {
    await vscode.window.showTextDocument(doc);
    const list = result.problems.map((p) => `line ${p.range.startLine}: ${p.message}`).join(' ');
    throw new UserError(`${SLICE_CONFIG_FILE} has ${plural(result.problems.length, 'problem')} (all in the Problems panel): ${list}`, []);
  }
  return result.config;
}

function slug(s: string): string {
  return s.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-+|-+$/g, '').slice(0, 30).replace(/-+$/, '') || 'dev';
}
