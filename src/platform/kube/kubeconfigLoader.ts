import { existsSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { delimiter, sep } from 'node:path';
import { KubeConfig } from '@kubernetes/client-node';
import { type KubeContext } from '../../core/cluster/environments';
import { type KubeconfigLoad, type KubeconfigPort } from '../../core/cluster/environmentsModel';
import { type KubeconfigSources, describeSources, resolveKubeconfigSources } from '../../core/cluster/kubeconfigSources';
import { messageOf } from '../../core/base/errors';

export interface KubeconfigSettings {
  /** The `slice.kubeconfig` setting, read fresh on every load. */
  readonly kubeconfigPath: () => string | undefined;
}

/** A kubeconfig that loaded, with the client library's object for making clients. */
export interface LoadedKubeconfig {
  readonly sources: KubeconfigSources;
  readonly config: KubeConfig;
}

/**
 * Reads kubeconfig files with @kubernetes/client-node, merging several the way kubectl does
 * (the first file to set a name wins). Keeps the last good load for making clients.
 */
export class KubeconfigLoader implements KubeconfigPort {
  private last: LoadedKubeconfig | undefined;

  constructor(
    private readonly settings: KubeconfigSettings,
    private readonly env: NodeJS.ProcessEnv = process.env,
  ) {}

  resolveSources(): KubeconfigSources {
    return resolveKubeconfigSources(
      {
        setting: this.settings.kubeconfigPath(),
        kubeconfigEnv: this.env.KUBECONFIG,
        home: this.env.HOME ?? homedir(),
        pathDelimiter: delimiter === ';' ? ';' : ':',
        pathSeparator: sep === '\\' ? '\\' : '/',
      },
      (p) => existsSync(p),
    );
  }

  /** The client config of the last successful load. */
  get loaded(): LoadedKubeconfig | undefined {
    return this.last;
  }

  load(): Promise<KubeconfigLoad> {
    return Promise.resolve(this.loadSync());
  }

  private loadSync(): KubeconfigLoad {
    const sources = this.resolveSources();
    if (sources.files.length === 0) {
      this.last = undefined;
      return { state: 'missing', sources };
    }
    let merged: KubeConfig | undefined;
    for (const file of sources.files) {
      const kc = new KubeConfig();
      try {
        kc.loadFromString(readFileSync(file, 'utf8'));
      } catch (e) {
        this.last = undefined;
        return { state: 'invalid', sources, message: `${file}: ${messageOf(e)}` };
      }
      if (!merged) merged = kc;
      else mergeFirstWins(merged, kc);
    }
    if (!merged || merged.getContexts().length === 0) {
      this.last = undefined;
      return { state: 'invalid', sources, message: `${describeSources(sources)} defines no contexts` };
    }
    this.last = { sources, config: merged };
    const contexts: KubeContext[] = merged.getContexts().map((c) => {
      const server = merged.getCluster(c.cluster)?.server;
      return { name: c.name, cluster: c.cluster, user: c.user, ...(c.namespace ? { namespace: c.namespace } : {}), ...(server ? { server } : {}) };
    });
    const current = merged.getCurrentContext();
    return { state: 'ok', sources, contexts, currentContext: current || undefined };
  }
}

/** kubectl's merge rule: entries from later files are added only when their name is new. */
function mergeFirstWins(into: KubeConfig, from: KubeConfig): void {
  const has = <T extends { name: string }>(list: readonly T[], name: string) => list.some((x) => x.name === name);
  const clusters = [...into.getClusters(), ...from.getClusters().filter((c) => !has(into.getClusters(), c.name))];
  const users = [...into.getUsers(), ...from.getUsers().filter((u) => !has(into.getUsers(), u.name))];
  const contexts = [...into.getContexts(), ...from.getContexts().filter((c) => !has(into.getContexts(), c.name))];
  const current = into.getCurrentContext() || from.getCurrentContext();
  into.loadFromOptions({ clusters, users, contexts, currentContext: current });
}
