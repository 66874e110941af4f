/**
 * A fork: the copy of a baseline Deployment and its Service in the slice, with the sync agent as a
 * sidecar. The app's original files are copied by an initContainer (the app's own image) from
 * syncPath into a shared emptyDir, which the app mounts at syncPath and the agent at /slice-src.
 */
import { type Container, type Deployment, type EnvVar, type KubeObject, type Labels, type PodSpec, type SecurityContext, type Service, type Volume } from './k8sTypes';
import { AGENT_TOKEN_KEY, AGENT_TOKEN_SECRET, LABEL_FORK, type SliceContext, commonLabels } from './manifests';
import { DATA_SECRET_URL_KEY, DEFAULT_DATA_ENV, dataSecretName } from './dataBranch';
import { withTelemetryEnv } from './forkTelemetry';
import { DEFAULT_PLATFORM_CONFIG } from './platformConfig';
import { type ForkSpec } from './sliceResource';
import { ROUTED_OTLP_PORT, ROUTED_OTLP_PORT_NAME } from '../routing/routedTelemetry';
import { asBeforeRouting } from '../routing/routerManifests';

export const AGENT_CONTAINER = 'slice-agent';
export const SEED_CONTAINER = 'slice-seed';
export const SRC_VOLUME = 'slice-src';
export const AGENT_SYNC_ROOT = '/slice-src';
/** The agent's own emptyDir: its record of what the sync wrote, which lives exactly as long as the sync folder. */
export const STATE_VOLUME = 'slice-agent-state';
export const AGENT_STATE_DIR = '/slice-state';
/**
 * A fork's pod gets this long to stop (the platform's choice, not the baseline's): a dev copy
 * needs no long drain, and a replaced pod waits for the old one (quota, Recreate) — an app that
 * ignores SIGTERM would hold it for the baseline's 30 s.
 */
export const FORK_GRACE_PERIOD_SECONDS = DEFAULT_PLATFORM_CONFIG.forkGracePeriodSeconds;
export const AGENT_PORT = 7777;
export const AGENT_PORT_NAME = 'slice-agent';
/** The agent's OTLP/HTTP receiver on the pod's loopback (src/agent/otlpReceiver.ts DEFAULT_OTLP_PORT). */
export const AGENT_OTLP_PORT = 4318;
export const DEFAULT_SYNC_PATH = '/app';

export interface ForkConfig {
  readonly agentImage: string;
  /** When the fork's database was last branched: a pod template annotation, so a new branch (new password) rolls the pods. */
  readonly dataRevision?: string;
  /** The fork pods' terminationGracePeriodSeconds (the platform's forkGracePeriodSeconds; default FORK_GRACE_PERIOD_SECONDS). */
  readonly gracePeriodSeconds?: number;
}

/** Pod template annotation that carries {@link ForkConfig.dataRevision}. */
export const ANNOTATION_DATA_REVISION = 'slice.dev/data-revision';

export type RenderedFork =
  | { readonly ok: true; readonly deployment: KubeObject & { spec: unknown }; readonly service?: KubeObject & { spec: unknown } }
  | { readonly ok: false; readonly message: string };

/** The securityContext every container Slice adds uses: what Pod Security "restricted" asks for. */
export const RESTRICTED_CONTAINER: SecurityContext = {
  runAsNonRoot: true,
  allowPrivilegeEscalation: false,
  capabilities: { drop: ['ALL'] },
  seccompProfile: { type: 'RuntimeDefault' },
};

const SMALL = { requests: { cpu: '10m', memory: '32Mi' }, limits: { cpu: '200m', memory: '128Mi' } };
/** The agent hashes and writes every synced file: a 200m CPU limit throttled an initial sync of 10,000 files 6×. */
const AGENT_RESOURCES = { requests: { cpu: '10m', memory: '48Mi' }, limits: { cpu: '1', memory: '256Mi' } };

function stripMeta(labels: Labels | undefined): Labels {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(labels ?? {})) if (!k.startsWith('kubectl.kubernetes.io/') && k !== 'pod-template-hash') out[k] = v;
  return out;
}

function mergeEnv(base: readonly EnvVar[] | undefined, overrides: ForkSpec['env']): EnvVar[] {
  const out = [...(base ?? [])];
  for (const o of overrides ?? []) {
    const i = out.findIndex((e) => e.name === o.name);
    if (i >= 0) out[i] = { name: o.name, value: o.value };
    else out.push({ name: o.name, value: o.value });
  }
  return out;
}

/**
 * The fork's telemetry goes to its own agent (the pod's loopback), even where the baseline's pod
 * spec points OTLP at the baseline's collector, which a slice's pods cannot reach; the slice's
 * `env` can still override it.
 */
function withAgentOtlp(env: readonly EnvVar[] | undefined): EnvVar[] {
  return mergeEnv(env, [{ name: 'OTEL_EXPORTER_OTLP_ENDPOINT', value: `http://127.0.0.1:${AGENT_OTLP_PORT}` }]);
}

/** The fork's own database: its URL variable comes from the slice's data Secret, never from the baseline's. */
function withDataEnv(env: EnvVar[], fork: ForkSpec): EnvVar[] {
  const pg = fork.data?.postgres;
  if (!pg) return env;
  const name = pg.env ?? DEFAULT_DATA_ENV;
  const v: EnvVar = { name, valueFrom: { secretKeyRef: { name: dataSecretName(pg.database), key: DATA_SECRET_URL_KEY } } };
  const i = env.findIndex((e) => e.name === name);
  return i >= 0 ? env.map((e, j) => (j === i ? v : e)) : [...env, v];
}

export function renderFork(baseline: Deployment, baselineService: Service | undefined, fork: ForkSpec, ctx: SliceContext, cfg: ForkConfig): RenderedFork {
  const podSpec = baseline.spec?.template.spec;
  if (!baseline.spec || !podSpec || podSpec.containers.length === 0) {
    return { ok: false, message: `baseline Deployment ${ctx.baseline}/${fork.workload} has no containers` };
  }
  const target = fork.container ? podSpec.containers.find((c) => c.name === fork.container) : podSpec.containers[0];
  if (!target) {
    const names = podSpec.containers.map((c) => c.name).join(', ');
    return { ok: false, message: `baseline Deployment ${ctx.baseline}/${fork.workload} has no container "${fork.container}" (it has ${names})` };
  }
  if (!target.image) return { ok: false, message: `container ${target.name} of ${ctx.baseline}/${fork.workload} has no image` };
  const syncPath = (fork.syncPath ?? DEFAULT_SYNC_PATH).replace(/\/+$/, '') || '/';
  if (!syncPath.startsWith('/') || syncPath === '/') return { ok: false, message: `syncPath "${fork.syncPath}" must be an absolute directory other than /` };
  if (podSpec.containers.some((c) => c.name === AGENT_CONTAINER) || (podSpec.volumes ?? []).some((v) => v.name === SRC_VOLUME || v.name === STATE_VOLUME)) {
    return { ok: false, message: `baseline Deployment ${ctx.baseline}/${fork.workload} already uses the names ${AGENT_CONTAINER}/${SRC_VOLUME}/${STATE_VOLUME}` };
  }

  const labels = { ...commonLabels(ctx), [LABEL_FORK]: fork.workload };
  const seed: Container = {
    name: SEED_CONTAINER,
    image: target.image,
    imagePullPolicy: target.imagePullPolicy ?? 'IfNotPresent',
    command: ['cp', '-a', `${syncPath}/.`, `${AGENT_SYNC_ROOT}/`],
    volumeMounts: [{ name: SRC_VOLUME, mountPath: AGENT_SYNC_ROOT }],
    securityContext: { ...RESTRICTED_CONTAINER, ...(target.securityContext?.runAsUser === undefined ? {} : { runAsUser: target.securityContext.runAsUser }) },
    resources: SMALL,
  };
  const afterSync: EnvVar[] = fork.restartCommand?.length ? [{ name: 'SLICE_AFTER_SYNC_CMD', value: JSON.stringify(fork.restartCommand) }] : [];
  const agent: Container = {
    name: AGENT_CONTAINER,
    image: cfg.agentImage,
    imagePullPolicy: 'IfNotPresent',
    command: ['node', '/app/agent.js'],
    env: [
      { name: 'SLICE_AGENT_TOKEN', valueFrom: { secretKeyRef: { name: AGENT_TOKEN_SECRET, key: AGENT_TOKEN_KEY } } },
      { name: 'SLICE_AGENT_PORT', value: String(AGENT_PORT) },
      { name: 'SLICE_SYNC_ROOT', value: AGENT_SYNC_ROOT },
      // The sync folder is an emptyDir that dies with the pod, and every reconnect reconciles by
      // manifest: flushing each file to disk buys nothing here and costs most of an initial sync.
      { name: 'SLICE_AGENT_FSYNC', value: '0' },
      { name: 'SLICE_AGENT_STATE_DIR', value: AGENT_STATE_DIR },
      // the baseline collector's routed traces (docs/architecture.md, "Whole traces")
      { name: 'SLICE_ROUTED_OTLP_PORT', value: String(ROUTED_OTLP_PORT) },
      ...afterSync,
    ],
    ports: [
      { name: AGENT_PORT_NAME, containerPort: AGENT_PORT, protocol: 'TCP' },
      { name: ROUTED_OTLP_PORT_NAME, containerPort: ROUTED_OTLP_PORT, protocol: 'TCP' },
    ],
    volumeMounts: [{ name: SRC_VOLUME, mountPath: AGENT_SYNC_ROOT }, { name: STATE_VOLUME, mountPath: AGENT_STATE_DIR }],
    // Every second: a replaced pod's agent is reachable as soon as it listens.
    readinessProbe: { httpGet: { path: '/healthz', port: AGENT_PORT }, periodSeconds: 1, failureThreshold: 3 },
    securityContext: RESTRICTED_CONTAINER,
    resources: AGENT_RESOURCES,
  };
  const containers = podSpec.containers.map((c): Container => {
    if (c.name !== target.name) return c;
    const mounts = (c.volumeMounts ?? []).filter((m) => m.mountPath !== syncPath);
    // the app's export delays first, so the slice's own env overrides (forks[].env) win over them
    return { ...c, env: withDataEnv(mergeEnv(withTelemetryEnv(withAgentOtlp(c.env), fork.telemetry), fork.env), fork), volumeMounts: [...mounts, { name: SRC_VOLUME, mountPath: syncPath }] };
  });
  const volumes: Volume[] = [...(podSpec.volumes ?? []), { name: SRC_VOLUME, emptyDir: {} }, { name: STATE_VOLUME, emptyDir: {} }];
  // the baseline's service account does not exist in the slice; the fork runs without API access.
  // Nor does a fork inherit the baseline's priority: slice pods run at the default (the admission policy refuses any class).
  const { serviceAccountName: _sa, priorityClassName: _pc, priority: _p, ...rest } = podSpec as PodSpec & { serviceAccount?: string; priorityClassName?: string; priority?: number };
  delete (rest as { serviceAccount?: string }).serviceAccount;
  const spec: PodSpec = {
    ...rest,
    automountServiceAccountToken: false,
    terminationGracePeriodSeconds: cfg.gracePeriodSeconds ?? FORK_GRACE_PERIOD_SECONDS,
    initContainers: [...(podSpec.initContainers ?? []), seed],
    containers: [...containers, agent],
    volumes,
  };
  const selector = baseline.spec.selector.matchLabels ?? {};
  const deployment = {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: fork.workload, namespace: ctx.namespace, labels: { ...stripMeta(baseline.metadata?.labels), ...labels } },
    spec: {
      replicas: 1,
      selector: { matchLabels: selector },
      strategy: { type: 'Recreate' },
      template: {
        metadata: {
          labels: { ...stripMeta(baseline.spec.template.metadata?.labels), ...labels },
          ...(baseline.spec.template.metadata?.annotations || cfg.dataRevision
            ? { annotations: { ...stripMeta(baseline.spec.template.metadata?.annotations), ...(cfg.dataRevision ? { [ANNOTATION_DATA_REVISION]: cfg.dataRevision } : {}) } }
            : {}),
        },
        spec,
      },
    },
  };
  if (!baselineService?.spec) return { ok: true, deployment };
  // a Service the routing layer took over keeps what it was in an annotation: the fork copies that
  const source = asBeforeRouting(baselineService);
  const sourceSpec = source.spec ?? baselineService.spec;
  const service = {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name: source.metadata?.name ?? fork.workload, namespace: ctx.namespace, labels: { ...stripMeta(source.metadata?.labels), ...labels } },
    spec: {
      type: 'ClusterIP',
      selector: sourceSpec.selector ?? selector,
      ports: (sourceSpec.ports ?? []).map((p) => ({
        ...(p.name ? { name: p.name } : {}),
        port: p.port,
        ...(p.targetPort === undefined ? {} : { targetPort: p.targetPort }),
        protocol: p.protocol ?? 'TCP',
        ...(p.appProtocol ? { appProtocol: p.appProtocol } : {}),
      })),
    },
  };
  return { ok: true, deployment, service };
}
