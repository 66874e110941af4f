import { existsSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { Writable } from 'node:stream';
import { ApiextensionsV1Api, CoreV1Api, Exec, KubeConfig } from '@kubernetes/client-node';
import * as vscode from 'vscode';
import { type SliceApi } from '../../src/container';
import { type Environment } from '../../src/core/cluster/environments';
import { createNodeBaseline } from '../support/baseline';
import { activateSlice, scratch, useKubeconfig } from './helpers';

export const repoRoot = resolve(__dirname, '..', '..', '..');
export const workspaceDir = join(repoRoot, 'test', 'workspace');
/** test/workspace/slice.yaml: shared with other suites (and other runs), so write it again right before use. */
export const workspaceConfig = join(workspaceDir, 'slice.yaml');

export type Developer = 'alice' | 'bob';

export interface DeveloperOnClusterOptions {
  /** Who works in the editor: their kubeconfig comes from SLICE_KUBECONFIG_ALICE or SLICE_KUBECONFIG_BOB. */
  readonly developer: Developer;
  /** The file name under the scratch folder the developer's kubeconfig is written to (one per suite). */
  readonly kubeconfigName: string;
  /** The baseline namespace the suite creates as admin (unique per run) and deletes afterwards. */
  readonly baseline: string;
  /** Whether the baseline's checkout workload gets a Service (default: yes). */
  readonly service?: boolean;
}

/**
 * The common ground of a suite that works as a developer on the real cluster, in the real extension host:
 * admin and developer kubeconfigs from the environment, Slice activated on the developer's kubeconfig,
 * the platform bundle checked, a baseline namespace created; and the clean-up afterwards.
 * Call {@link setUp} from `before()` and {@link tearDown} from `after()`; tearDown is safe whatever setUp reached.
 */
export class DeveloperOnCluster {
  private apiValue: SliceApi | undefined;
  private adminValue: KubeConfig | undefined;
  private contextValue = '';

  constructor(private readonly options: DeveloperOnClusterOptions) {}

  /** The extension's API (after setUp). */
  get api(): SliceApi {
    if (!this.apiValue) throw new Error('DeveloperOnCluster.setUp() has not run');
    return this.apiValue;
  }

  /** The cluster admin's kubeconfig, for checks behind the developer's back (after setUp). */
  get adminKc(): KubeConfig {
    if (!this.adminValue) throw new Error('DeveloperOnCluster.setUp() has not run');
    return this.adminValue;
  }

  /** The developer's kubeconfig context, which Slice selects. */
  get context(): string {
    return this.contextValue;
  }

  get baseline(): string {
    return this.options.baseline;
  }

  /** Skips the suite when the kubeconfigs are not given or the platform bundle is not installed. */
  async setUp(suite: Mocha.Context): Promise<void> {
    const admin = process.env.SLICE_KUBECONFIG_ADMIN ?? '';
    const developerFile = process.env[this.options.developer === 'alice' ? 'SLICE_KUBECONFIG_ALICE' : 'SLICE_KUBECONFIG_BOB'] ?? '';
    if (!admin || !existsSync(admin) || !developerFile || !existsSync(developerFile)) suite.skip();
    this.adminValue = new KubeConfig();
    this.adminValue.loadFromFile(admin);
    const developerKc = new KubeConfig();
    developerKc.loadFromFile(developerFile);
    this.contextValue = developerKc.getCurrentContext();
    this.apiValue = await activateSlice();
    const file = join(scratch, this.options.kubeconfigName);
    writeFileSync(file, developerKc.exportConfig());
    await useKubeconfig(this.apiValue, file);
    // The editor's first read may still be under way, or may have lost a race with the platform
    // install: read again for a while before deciding. Skip only when the CRD really is not there;
    // a platform the editor does not see is a failure, not a skip (a skip hid these suites once).
    const api = this.apiValue;
    const sees = () => api.environments.state.cluster.status === 'ok' && (api.environments.state.cluster as { platformInstalled?: boolean }).platformInstalled === true;
    for (let i = 0; i < 60 && !sees(); i++) {
      await new Promise((r) => setTimeout(r, 500));
      if (i % 10 === 9) await api.environments.refresh();
    }
    if (!sees()) {
      const crd = await this.adminValue.makeApiClient(ApiextensionsV1Api).readCustomResourceDefinition({ name: 'slices.slice.dev' }).then(() => true, () => false);
      if (crd) throw new Error(`the Slice platform is installed but the editor does not see it: ${JSON.stringify(api.environments.state.cluster).slice(0, 400)}`);
      console.log('    (the Slice platform bundle is not installed: npm run platform:install)');
      suite.skip();
    }
    await createNodeBaseline(this.adminValue, this.options.baseline, { service: this.options.service ?? true });
  }

  /** The slice of that object name in the extension's model, if it is there. */
  sliceInModel(name: string): Environment | undefined {
    const cluster = this.api.environments.state.cluster;
    return cluster.status === 'ok' ? cluster.environments.find((e) => e.kind === 'slice' && e.resource?.name === name) : undefined;
  }

  /**
   * Stops the sync and telemetry sessions still running, deletes the slice of that name when the model still
   * has it (refreshed first: a Create Slice that failed half-way returns nothing but may have left it),
   * workspace slice.yaml, the baseline namespace, and resets the kubeconfig setting.
   */
  async tearDown(slice?: string): Promise<void> {
    for (const s of this.apiValue?.sync.sessions() ?? []) await vscode.commands.executeCommand('slice.stopSync', s.key);
    for (const s of this.apiValue?.liveTelemetry.sessions() ?? []) await vscode.commands.executeCommand('slice.stopTelemetry', s.key);
    if (this.apiValue && slice) {
      await this.apiValue.environments.refresh();
      const env = this.sliceInModel(slice);
      if (env) await vscode.commands.executeCommand('slice.deleteSlice', { kind: 'environment', environment: env }, { confirm: false });
    }
    rmSync(workspaceConfig, { force: true });
    if (this.adminValue) await this.adminValue.makeApiClient(CoreV1Api).deleteNamespace({ name: this.options.baseline }).catch(() => undefined);
    await vscode.workspace.getConfiguration('slice').update('kubeconfig', undefined, vscode.ConfigurationTarget.Global);
  }
}

/** Runs a command in a container as admin: its stdout and the exec's Status (`Success`, or `Failure` and why). */
export async function execIn(kc: KubeConfig, ns: string, pod: string, container: string, command: string[]): Promise<{ status: string; message: string; stdout: string }> {
  let stdout = '';
  const sink = new Writable({ write: (c: Buffer, _e, cb) => ((stdout += c.toString('utf8')), cb()) });
  const end = await new Promise<{ status: string; message: string }>((resolve, reject) => {
    new Exec(kc).exec(ns, pod, container, command, sink, null, null, false, (s) => setTimeout(() => resolve({ status: s.status ?? '', message: s.message ?? '' }), 50)).catch(reject);
  });
  return { ...end, stdout };
}
