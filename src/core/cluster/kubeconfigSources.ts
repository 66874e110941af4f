/** Where the kubeconfig comes from, in the order Slice looks. */
export type KubeconfigOrigin = 'setting' | 'env' | 'default';

export interface KubeconfigSources {
  readonly origin: KubeconfigOrigin;
  /** Files to merge, in kubectl's order (the first file wins for conflicting keys). */
  readonly files: readonly string[];
  /** Files named by the source that do not exist (reported, not fatal unless all are missing). */
  readonly missing: readonly string[];
}

export interface KubeconfigEnvironment {
  readonly setting: string | undefined;
  readonly kubeconfigEnv: string | undefined;
  readonly home: string | undefined;
  readonly pathDelimiter: ':' | ';';
  readonly pathSeparator: '/' | '\\';
}

/** Expands a leading `~` to the home directory. */
export function expandHome(path: string, home: string | undefined, sep: '/' | '\\' = '/'): string {
  if (!home) return path;
  if (path === '~') return home;
  if (path.startsWith('~/') || path.startsWith('~\\')) return home.replace(/[\\/]+$/, '') + sep + path.slice(2);
  return path;
}

/**
 * Decides which kubeconfig files to read: the `slice.kubeconfig` setting if set, else every file in
 * `KUBECONFIG` (kubectl's merge semantics), else `~/.kube/config`. `exists` is the only I/O, injected.
 */
export function resolveKubeconfigSources(env: KubeconfigEnvironment, exists: (path: string) => boolean): KubeconfigSources {
  const setting = env.setting?.trim();
  if (setting) {
    const file = expandHome(setting, env.home, env.pathSeparator);
    return exists(file) ? { origin: 'setting', files: [file], missing: [] } : { origin: 'setting', files: [], missing: [file] };
  }
  const fromEnv = env.kubeconfigEnv
    ?.split(env.pathDelimiter)
    .map((p) => p.trim())
    .filter((p) => p.length > 0)
    .map((p) => expandHome(p, env.home, env.pathSeparator));
  if (fromEnv && fromEnv.length > 0) {
    const unique = [...new Set(fromEnv)];
    return { origin: 'env', files: unique.filter(exists), missing: unique.filter((p) => !exists(p)) };
  }
  if (!env.home) return { origin: 'default', files: [], missing: [] };
  const file = `${env.home.replace(/[\\/]+$/, '')}${env.pathSeparator}.kube${env.pathSeparator}config`;
  return exists(file) ? { origin: 'default', files: [file], missing: [] } : { origin: 'default', files: [], missing: [file] };
}

export function describeSources(s: KubeconfigSources): string {
  const where = s.origin === 'setting' ? 'the slice.kubeconfig setting' : s.origin === 'env' ? 'KUBECONFIG' : 'the default location';
  const files = s.files.length > 0 ? s.files.join(', ') : s.missing.join(', ') || '(none)';
  return `${files} (from ${where})`;
}
