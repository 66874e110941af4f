/**
 * The platform's settings for slices, read by the controller from the ConfigMap
 * `slice-controller-config` in `slice-system` (keys as in {@link CONFIG_KEYS}); missing keys take
 * the defaults below.
 */
import { parseQuantity } from './manifests';
import { parseDuration } from './ttl';

export interface QuotaConfig {
  readonly cpu: string;
  readonly memory: string;
  readonly pods: number;
}

export interface SlicePlatformConfig {
  /** Lifetime of a slice that asks for none, in milliseconds. */
  readonly defaultTtlMs: number;
  /** No slice lives longer than this from the moment its expiry is set or extended. */
  readonly maxTtlMs: number;
  readonly maxSlicesPerOwner: number;
  /** The sync agent's image (localhost/slice/agent:<version>). */
  readonly agentImage: string;
  /** Quota of a slice that asks for none. */
  readonly defaultQuota: QuotaConfig;
  /** The most a slice may ask for. */
  readonly maxQuota: QuotaConfig;
  /** Per-container defaults of the LimitRange (so pods without resources still schedule). */
  readonly containerDefaults: { readonly cpu: string; readonly memory: string; readonly cpuRequest: string; readonly memoryRequest: string };
  /** The shared PostgreSQL server for slice data branches. */
  readonly postgres: PostgresPlatformConfig;
  /**
   * terminationGracePeriodSeconds of fork pods, whatever the baseline says: a replaced fork pod
   * waits for the old one to go (quota, Recreate), and many apps ignore SIGTERM.
   */
  readonly forkGracePeriodSeconds: number;
}

export interface PostgresPlatformConfig {
  /** Secret in the controller's namespace with the platform role's DSN under key `url`. */
  readonly adminSecret: string;
  /** Where slice pods may connect (NetworkPolicy ipBlock): the server's address as pods see it after the Service's DNAT. */
  readonly egressCidr?: string;
  readonly egressPort?: number;
  /** The most rows per table a branch copies, whatever a slice's rowCap asks (0: no cap). */
  readonly maxRowCap: number;
  /** The most bytes one developer's data branches may hold together (0: no cap). */
  readonly maxBytesPerOwner: number;
  /** The least time between two branches of one database (a reset sooner waits). */
  readonly resetMinIntervalMs: number;
}

export const DEFAULT_PLATFORM_CONFIG: SlicePlatformConfig = {
  defaultTtlMs: 4 * 3600_000,
  maxTtlMs: 24 * 3600_000,
  maxSlicesPerOwner: 3,
  agentImage: 'localhost/slice/agent:latest',
  defaultQuota: { cpu: '2', memory: '2Gi', pods: 10 },
  maxQuota: { cpu: '4', memory: '4Gi', pods: 20 },
  containerDefaults: { cpu: '500m', memory: '256Mi', cpuRequest: '50m', memoryRequest: '64Mi' },
  postgres: { adminSecret: 'slice-postgres-admin', maxRowCap: 100_000, maxBytesPerOwner: 2 * 1024 ** 3, resetMinIntervalMs: 30_000 },
  forkGracePeriodSeconds: 2,
};

/** Where the platform's settings live; developers may read it (deploy/platform/35-platform-limits-rbac.yaml), not change it. */
export const PLATFORM_CONFIG_NAMESPACE = 'slice-system';
export const PLATFORM_CONFIG_MAP = 'slice-controller-config';

export const CONFIG_KEYS = {
  defaultTTL: 'defaultTTL',
  maxTTL: 'maxTTL',
  maxSlicesPerOwner: 'maxSlicesPerOwner',
  agentImage: 'agentImage',
  defaultQuotaCpu: 'defaultQuotaCpu',
  defaultQuotaMemory: 'defaultQuotaMemory',
  defaultQuotaPods: 'defaultQuotaPods',
  maxQuotaCpu: 'maxQuotaCpu',
  maxQuotaMemory: 'maxQuotaMemory',
  maxQuotaPods: 'maxQuotaPods',
  postgresAdminSecret: 'postgresAdminSecret',
  postgresEgressCIDR: 'postgresEgressCIDR',
  postgresEgressPort: 'postgresEgressPort',
  forkGracePeriodSeconds: 'forkGracePeriodSeconds',
  postgresMaxRowCap: 'postgresMaxRowCap',
  postgresMaxBytesPerOwner: 'postgresMaxBytesPerOwner',
  postgresResetMinInterval: 'postgresResetMinInterval',
} as const;

/** Reads the ConfigMap's data; throws an Error naming the key and the bad value. */
export function parsePlatformConfig(data: Readonly<Record<string, string>> | undefined): SlicePlatformConfig {
  const d = data ?? {};
  const base = DEFAULT_PLATFORM_CONFIG;
  const dur = (key: string, fallback: number): number => {
    const v = d[key];
    if (v === undefined || v === '') return fallback;
    const ms = parseDuration(v);
    if (ms === undefined) throw new Error(`config ${key}="${v}" is not a duration like 4h, 90m or 2d`);
    return ms;
  };
  const int = (key: string, fallback: number): number => {
    const v = d[key];
    if (v === undefined || v === '') return fallback;
    const n = Number(v);
    if (!Number.isInteger(n) || n < 0) throw new Error(`config ${key}="${v}" is not a non-negative integer`);
    return n;
  };
  const str = (key: string, fallback: string): string => d[key]?.trim() || fallback;
  const cfg: SlicePlatformConfig = {
    defaultTtlMs: dur(CONFIG_KEYS.defaultTTL, base.defaultTtlMs),
    maxTtlMs: dur(CONFIG_KEYS.maxTTL, base.maxTtlMs),
    maxSlicesPerOwner: int(CONFIG_KEYS.maxSlicesPerOwner, base.maxSlicesPerOwner),
    agentImage: str(CONFIG_KEYS.agentImage, base.agentImage),
    defaultQuota: {
      cpu: str(CONFIG_KEYS.defaultQuotaCpu, base.defaultQuota.cpu),
      memory: str(CONFIG_KEYS.defaultQuotaMemory, base.defaultQuota.memory),
      pods: int(CONFIG_KEYS.defaultQuotaPods, base.defaultQuota.pods),
    },
    maxQuota: {
      cpu: str(CONFIG_KEYS.maxQuotaCpu, base.maxQuota.cpu),
      memory: str(CONFIG_KEYS.maxQuotaMemory, base.maxQuota.memory),
      pods: int(CONFIG_KEYS.maxQuotaPods, base.maxQuota.pods),
    },
    containerDefaults: base.containerDefaults,
    postgres: parsePostgres(d, int, dur),
    forkGracePeriodSeconds: int(CONFIG_KEYS.forkGracePeriodSeconds, base.forkGracePeriodSeconds),
  };
  if (cfg.defaultTtlMs > cfg.maxTtlMs) throw new Error(`config defaultTTL (${d[CONFIG_KEYS.defaultTTL]}) is longer than maxTTL (${d[CONFIG_KEYS.maxTTL]})`);
  return cfg;
}

function parsePostgres(d: Readonly<Record<string, string>>, int: (key: string, fallback: number) => number, dur: (key: string, fallback: number) => number): PostgresPlatformConfig {
  const base = DEFAULT_PLATFORM_CONFIG.postgres;
  const bytesText = d[CONFIG_KEYS.postgresMaxBytesPerOwner]?.trim();
  const maxBytes = bytesText ? parseQuantity(bytesText) : base.maxBytesPerOwner;
  if (maxBytes === undefined || maxBytes < 0) throw new Error(`config ${CONFIG_KEYS.postgresMaxBytesPerOwner}="${bytesText}" is not a size like 2Gi or 500Mi`);
  const cidr = d[CONFIG_KEYS.postgresEgressCIDR]?.trim();
  const port = d[CONFIG_KEYS.postgresEgressPort]?.trim();
  if (cidr && !/^(\d{1,3}\.){3}\d{1,3}\/\d{1,2}$/.test(cidr)) throw new Error(`config ${CONFIG_KEYS.postgresEgressCIDR}="${cidr}" is not an IPv4 CIDR like 10.0.0.5/32`);
  const n = port ? Number(port) : undefined;
  if (n !== undefined && (!Number.isInteger(n) || n < 1 || n > 65535)) throw new Error(`config ${CONFIG_KEYS.postgresEgressPort}="${port}" is not a TCP port`);
  if ((cidr === undefined || cidr === '') !== (n === undefined)) throw new Error(`config ${CONFIG_KEYS.postgresEgressCIDR} and ${CONFIG_KEYS.postgresEgressPort} go together: set both or neither`);
  return {
    adminSecret: d[CONFIG_KEYS.postgresAdminSecret]?.trim() || base.adminSecret,
    maxRowCap: int(CONFIG_KEYS.postgresMaxRowCap, base.maxRowCap),
    maxBytesPerOwner: maxBytes,
    resetMinIntervalMs: dur(CONFIG_KEYS.postgresResetMinInterval, base.resetMinIntervalMs),
    ...(cidr && n !== undefined ? { egressCidr: cidr, egressPort: n } : {}),
  };
}
