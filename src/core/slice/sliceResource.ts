/**
 * The Slice custom resource (cluster-scoped, `slices.slice.dev`, version v1alpha1): the contract
 * between the editor (which creates and reads Slices as the developer), the admission policies
 * (which check who may do what) and the slice controller (which reconciles them).
 *
 * Names: a Slice is named `<owner>-<name>`; its namespace is `slice-<owner>-<name>`.
 */
import { digestHex } from '../base/digest';
import { type ForkTelemetrySpec } from './forkTelemetry';

export const SLICE_GROUP = 'slice.dev';
export const SLICE_VERSION = 'v1alpha1';
export const SLICE_PLURAL = 'slices';
export const SLICE_KIND = 'Slice';
export const SLICE_API_VERSION = `${SLICE_GROUP}/${SLICE_VERSION}`;

/**
 * The PostgreSQL database a fork uses: the slice gets its own database on the shared server,
 * branched from the baseline database (all tables' schema; the rows of `copy`, at most `rowCap` per
 * table), and the fork's `env` variable points at it instead of at the baseline's.
 */
export interface PostgresDataSpec {
  /** The baseline database on the platform's server, e.g. `shop`. */
  readonly database: string;
  /** The container variable that holds the connection URL (default DATABASE_URL). */
  readonly env?: string;
  /** Tables whose rows are copied (`table` or `schema.table`); the others start empty. */
  readonly copy?: readonly string[];
  /** Most rows copied per table (default 10,000). */
  readonly rowCap?: number;
}

export interface ForkDataSpec {
  readonly postgres?: PostgresDataSpec;
}

/** `routing:` of one fork: whether requests with the slice's key reach it through the baseline, and what they get when it is down. */
export interface ForkRoutingSpec {
  /** false: the baseline never routes to this fork (default true). */
  readonly enabled?: boolean;
  /** When the fork is down: `error` answers 503 saying why (default), `baseline` serves the request from the baseline. */
  readonly fallback?: 'error' | 'baseline';
}

/** One baseline workload forked into the slice. */
export interface ForkSpec {
  /** Name of the Deployment in the baseline namespace (its Service of the same name is copied too). */
  readonly workload: string;
  /** The container that receives synced files (default: the first container). */
  readonly container?: string;
  /** Absolute directory in that container that sync writes into (default `/app`). */
  readonly syncPath?: string;
  /** Command the agent runs after a sync batch lands (argv, no shell), e.g. ["kill", "-HUP", "1"]. */
  readonly restartCommand?: readonly string[];
  /** Environment overrides for the forked container. */
  readonly env?: readonly { readonly name: string; readonly value: string }[];
  /** The data the fork gets its own branch of. */
  readonly data?: ForkDataSpec;
  /** Requests routed through the baseline to this fork (issue 22; default: on, a clear 503 when the fork is down). */
  readonly routing?: ForkRoutingSpec;
  /** How soon the app exports its telemetry (default: the controller's development values, see forkTelemetry.ts). */
  readonly telemetry?: ForkTelemetrySpec;
}

/** The quota of a slice (ResourceQuota hard limits). */
export interface SliceResources {
  readonly cpu?: string;
  readonly memory?: string;
  readonly pods?: number;
}

export interface SliceSpec {
  /** The developer who owns the slice: must be the user who creates it (enforced by admission). */
  readonly owner: string;
  /** The baseline namespace whose workloads are forked. */
  readonly baseline: string;
  readonly forks: readonly ForkSpec[];
  readonly resources?: SliceResources;
  /** Requested lifetime, e.g. "4h", "90m", "2d" (default from the platform, capped by it). */
  readonly ttl?: string;
  /** RFC 3339 expiry; the controller sets it from `ttl` at creation; Extend TTL moves it later. */
  readonly expiresAt?: string;
  /** Reset Data from Baseline: any new value makes the controller drop and re-branch the slice's databases. */
  readonly dataResetToken?: string;
}

export type ConditionStatus = 'True' | 'False' | 'Unknown';

/** The condition types the controller sets. */
export type SliceConditionType = 'Ready' | 'NamespaceReady' | 'PoliciesReady' | 'ForksReady' | 'DataReady' | 'Expired';

/** A status condition, as in metav1.Condition. */
export interface SliceCondition {
  readonly type: SliceConditionType;
  readonly status: ConditionStatus;
  readonly reason: string;
  readonly message: string;
  readonly lastTransitionTime: string;
  readonly observedGeneration?: number;
}

export interface ForkStatus {
  readonly workload: string;
  readonly ready: boolean;
  readonly replicas: number;
  readonly availableReplicas: number;
  /** Why it is not ready, in words (quota exceeded, image missing, Pod Security violation: which field of which container). */
  readonly message?: string;
  /** The fork's Service in the slice namespace (same name as the baseline's), when the baseline has one. */
  readonly service?: string;
  /** That Service's ports. */
  readonly ports?: readonly number[];
}

export type SlicePhase = 'Pending' | 'Provisioning' | 'Ready' | 'Failed' | 'Expired' | 'Terminating';

export interface SliceStatus {
  readonly phase?: SlicePhase;
  readonly namespace?: string;
  readonly expiresAt?: string;
  readonly observedGeneration?: number;
  readonly conditions?: readonly SliceCondition[];
  readonly forks?: readonly ForkStatus[];
  /** Name of the Secret (in the slice namespace) that holds the agent token under key `token`. */
  readonly agentTokenSecret?: string;
  /** The slice's data branches (one per baseline database its forks declare). */
  readonly data?: readonly DataBranchStatus[];
}

export interface DataBranchStatus {
  /** The baseline database it is branched from. */
  readonly baseline: string;
  /** The slice's own database on the shared server. */
  readonly database: string;
  readonly ready: boolean;
  /** Size of the slice database in bytes (when ready). */
  readonly sizeBytes?: number;
  /** The Secret in the slice namespace with the connection URL (key `url`). */
  readonly secret?: string;
  /** When it was (re)branched from the baseline. */
  readonly branchedAt?: string;
  readonly message?: string;
}

export interface SliceObject {
  readonly apiVersion: typeof SLICE_API_VERSION;
  readonly kind: typeof SLICE_KIND;
  readonly metadata: {
    readonly name: string;
    readonly uid?: string;
    readonly resourceVersion?: string;
    readonly generation?: number;
    readonly creationTimestamp?: string;
    readonly deletionTimestamp?: string;
    readonly labels?: Readonly<Record<string, string>>;
    readonly annotations?: Readonly<Record<string, string>>;
    readonly finalizers?: readonly string[];
  };
  readonly spec: SliceSpec;
  readonly status?: SliceStatus;
}

/** Kubernetes names: lowercase RFC 1123 labels. */
const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

export function isDnsLabel(s: string, max = 63): boolean {
  return s.length > 0 && s.length <= max && DNS_LABEL.test(s);
}

/**
 * The owner as it appears in names and labels, unique per username. A plain username (a DNS label of
 * at most 20 characters without `--`, like `alice`) passes unchanged; any other (e-mail addresses,
 * `system:` names, long names) becomes a short readable part, `--` and 12 hex digits of its SHA-256,
 * e.g. `bob--3f9a0c51d2e4` for `Bob@example.com`. No plain username contains `--`, so no one can pick a
 * username whose slug is another's; the full username stays in `spec.owner`.
 */
export function ownerSlug(username: string): string {
  if (username.length <= 20 && DNS_LABEL.test(username) && !username.includes('--')) return username;
  const readable = username
    .toLowerCase()
    .replace(/@.*$/, '')
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 6)
    .replace(/-+$/, '');
  return `${readable || 'user'}--${digestHex(username, 12)}`;
}

/** `<owner>-<name>`: the Slice's object name. */
export function sliceObjectName(owner: string, name: string): string {
  return `${ownerSlug(owner)}-${name}`;
}

/** `slice-<owner>-<name>`: the slice's namespace (at most 63 characters). */
export function sliceNamespace(owner: string, name: string): string {
  return `slice-${sliceObjectName(owner, name)}`;
}

/** The longest slice name that keeps the namespace a valid DNS label for this owner. */
export function maxSliceNameLength(owner: string): number {
  return 63 - `slice-${ownerSlug(owner)}-`.length;
}
