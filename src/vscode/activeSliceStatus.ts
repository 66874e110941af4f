import * as vscode from 'vscode';
import { CancelledError, UserError } from '../core/base/errors';
import { type KubeContext, type SliceEnvironment, describeTimeLeft } from '../core/cluster/environments';
import { type EnvironmentsModel } from '../core/cluster/environmentsModel';
import { type CommandRegistry, Commands } from './commandRegistry';

const TICK_MS = 30_000;

/** The slice the status bar speaks for: the newest of the user's slices in the selected cluster. */
export function activeSlice(model: EnvironmentsModel): { context: KubeContext; slice: SliceEnvironment } | undefined {
  const c = model.state.cluster;
  if (c.status !== 'ok') return undefined;
  const mine = c.environments.filter((e): e is SliceEnvironment => e.kind === 'slice' && e.mine && !e.terminating && e.resource !== undefined);
  const slice = mine.sort((a, b) => (b.expiresAt?.getTime() ?? 0) - (a.expiresAt?.getTime() ?? 0))[0];
  return slice ? { context: c.context, slice } : undefined;
}

/**
 * A status bar item for the active slice: "$(layers-active) checkout-fix · Ready · 3h 20m left",
 * a warning colour in its last half hour or when it failed; click → the slice's quick actions.
 */
export class ActiveSliceStatus implements vscode.Disposable {
  private readonly item = vscode.window.createStatusBarItem('slice.activeSlice', vscode.StatusBarAlignment.Left, 51);
  private readonly subscriptions: vscode.Disposable[] = [];

  constructor(
    private readonly model: EnvironmentsModel,
    registry: CommandRegistry,
  ) {
    this.item.name = 'Slice: Active Slice';
    this.item.command = Commands.activeSliceActions;
    this.subscriptions.push(model.onDidChange(() => this.render()));
    const timer = setInterval(() => this.render(), TICK_MS);
    this.subscriptions.push({ dispose: () => clearInterval(timer) });
    registry.register(Commands.activeSliceActions, () => this.actions());
    this.render();
  }

  private render(): void {
    const active = activeSlice(this.model);
    if (!active) {
      this.item.hide();
      return;
    }
    const { slice } = active;
    const now = new Date();
    const phase = slice.resource?.phase ?? 'Pending';
    const left = slice.expiresAt ? describeTimeLeft(slice.expiresAt, now) : undefined;
    const icon = phase === 'Ready' ? '$(layers-active)' : phase === 'Failed' ? '$(error)' : '$(loading~spin)';
    this.item.text = [`${icon} ${slice.sliceName ?? slice.namespace}`, phase === 'Ready' ? undefined : phase, left].filter(Boolean).join(' · ');
    const urgent = phase === 'Failed' || (slice.expiresAt !== undefined && slice.expiresAt.getTime() - now.getTime() < 30 * 60_000);
    this.item.backgroundColor = urgent ? new vscode.ThemeColor('statusBarItem.warningBackground') : undefined;
    const md = new vscode.MarkdownString(undefined, true);
    md.appendMarkdown(`**Slice ${slice.sliceName ?? slice.namespace}** — ${phase}\n\n`);
    md.appendMarkdown(`- Namespace: \`${slice.namespace}\`\n- Baseline: \`${slice.baseline ?? '?'}\`\n- Forks: ${slice.resource?.forkNames.join(', ') || 'none'}\n`);
    if (slice.expiresAt) md.appendMarkdown(`- Expires: ${slice.expiresAt.toLocaleString()} (${left})\n`);
    md.appendMarkdown('\nClick for actions: sync, send a request, extend, delete.');
    this.item.tooltip = md;
    this.item.show();
  }

  private async actions(): Promise<void> {
    const active = activeSlice(this.model);
    if (!active) throw new UserError('You have no slice in this cluster yet: create one with "Slice: Create Slice".');
    const node = { kind: 'environment', environment: active.slice, context: active.context };
    const items: { label: string; description?: string; command: string; args: unknown[] }[] = [
      { label: '$(sync) Start Sync', description: 'mirror your folder into the fork', command: Commands.startSync, args: [node] },
      { label: '$(debug-stop) Stop Sync', command: Commands.stopSync, args: [node] },
      { label: '$(send) Send Request to Workload', command: Commands.sendRequest, args: [node] },
      { label: '$(watch) Extend Slice TTL', command: Commands.extendSliceTtl, args: [node] },
      { label: '$(shield) Verify Isolation', command: Commands.verifyIsolation, args: [node] },
      { label: '$(list-tree) Show in Environments', command: 'slice.environments.focus', args: [] },
      { label: '$(trash) Delete Slice', description: 'asks first', command: Commands.deleteSlice, args: [node] },
    ];
    const picked = await vscode.window.showQuickPick(items, { title: `Slice ${active.slice.sliceName ?? active.slice.namespace}`, placeHolder: 'What do you want to do with this slice?' });
    if (!picked) throw new CancelledError();
    await vscode.commands.executeCommand(picked.command, ...picked.args);
  }

  dispose(): void {
    for (const s of this.subscriptions.splice(0)) s.dispose();
    this.item.dispose();
  }
}
