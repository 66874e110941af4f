/**
 * The slice controller: reads the platform config, serves /healthz, wins leader election, then
 * watches Slices and the objects it owns and reconciles them (src/controller/reconciler.ts).
 * Runs in the cluster (in-cluster config) or outside it with KUBECONFIG.
 */
import * as http from 'node:http';
import * as os from 'node:os';
import * as k8s from '@kubernetes/client-node';
import { LABEL_ROLE } from '../core/cluster/labels';
import { FIELD_MANAGER, LABEL_MANAGED_BY, LABEL_SLICE_OBJECT } from '../core/slice/manifests';
import { parsePlatformConfig, type SlicePlatformConfig } from '../core/slice/platformConfig';
import { SLICE_GROUP, SLICE_PLURAL, SLICE_VERSION, type SliceObject } from '../core/slice/sliceResource';
import { Applier } from './applier';
import { DataReconciler } from './data/dataReconciler';
import { apiMessage, isNotFound } from './errors';
import { LeaderElector } from './leaderElection';
import { ForkObserver } from './observe';
import { Reconciler } from './reconciler';
import { RoutingReconciler } from './routing/routingReconciler';
import { TelemetryReconciler, nudgeCollectorPods } from './routing/telemetryReconciler';
import { SliceApi } from './sliceApi';
import { TtlSweeper } from './ttlSweeper';
import { ResilientInformer } from './watches';
import { WorkQueue } from './workQueue';

const log = (line: string): void => void process.stderr.write(`${new Date().toISOString()} slice-controller ${line}\n`);

async function readConfig(kc: k8s.KubeConfig, namespace: string): Promise<SlicePlatformConfig> {
  try {
    const cm = await kc.makeApiClient(k8s.CoreV1Api).readNamespacedConfigMap({ name: 'slice-controller-config', namespace });
    return parsePlatformConfig(cm.data);
  } catch (e) {
    if (isNotFound(e)) {
      log(`config map ${namespace}/slice-controller-config not found: using the defaults`);
      return parsePlatformConfig(undefined);
    }
    throw e;
  }
}

function healthServer(port: number, ready: () => boolean): http.Server {
  const server = http.createServer((req, res) => {
    res.statusCode = req.url === '/healthz' && ready() ? 200 : req.url === '/healthz' ? 503 : 404;
    res.end(res.statusCode === 200 ? 'ok' : '');
  });
  server.listen(port);
  return server;
}

async function main(): Promise<void> {
  const kc = new k8s.KubeConfig();
  kc.loadFromDefault();
  const namespace = process.env.POD_NAMESPACE ?? 'slice-system';
  const identity = process.env.POD_NAME ?? `${os.hostname()}-${process.pid}`;
  const config = await readConfig(kc, namespace);
  log(`starting as ${identity}: agent image ${config.agentImage}, default TTL ${config.defaultTtlMs / 60000} min, max ${config.maxSlicesPerOwner} slices per owner`);

  let healthy = true;
  const health = healthServer(Number(process.env.SLICE_CONTROLLER_HEALTH_PORT ?? 8081), () => healthy);
  const elector = new LeaderElector(kc, { namespace, name: 'slice-controller', identity, log });
  const slices = new SliceApi(kc);
  const disposers: (() => Promise<void> | void)[] = [];
  let stopping = false;
  const stop = async (code: number): Promise<void> => {
    if (stopping) return;
    stopping = true;
    healthy = false;
    for (const d of disposers.reverse()) await Promise.resolve(d()).catch(() => undefined);
    await elector.dispose();
    health.close();
    process.exit(code);
  };
  process.on('SIGTERM', () => void stop(0));
  process.on('SIGINT', () => void stop(0));

  await elector.run((why) => {
    log(`lost leadership (${why}): exiting so that a fresh process campaigns again`);
    void stop(1);
  });

  const crApi = kc.makeApiClient(k8s.CustomObjectsApi);
  const sliceInformer = new ResilientInformer<SliceObject & k8s.KubernetesObject>(
    kc,
    {
      name: 'slices',
      path: `/apis/${SLICE_GROUP}/${SLICE_VERSION}/${SLICE_PLURAL}`,
      list: async () => (await crApi.listClusterCustomObject({ group: SLICE_GROUP, version: SLICE_VERSION, plural: SLICE_PLURAL })) as k8s.KubernetesListObject<SliceObject & k8s.KubernetesObject>,
      onChange: (o) => {
        queue.add(o.metadata.name);
        routedTraces.schedule();
        routing.schedule();
      },
    },
    log,
  );
  const cached = (): readonly SliceObject[] => sliceInformer.informer.list();
  const applier = new Applier(kc);
  const data = new DataReconciler({ kc, namespace, config: config.postgres, applier, log });
  const reconciler = new Reconciler({ kc, config, applier, slices, observer: new ForkObserver(kc), allSlices: cached, log, data });
  const queue = new WorkQueue(async (name) => reconciler.reconcile(name), log);
  disposers.push(() => queue.idle(5000), () => queue.dispose());
  // the baseline collector's per-slice pipelines (routed traces, issue 22)
  const routedTraces = new TelemetryReconciler({ apply: (o) => applier.apply(o), slices: cached, namespace, log, nudge: (digest) => nudgeCollectorPods(kc.makeApiClient(k8s.CoreV1Api), namespace, digest) });
  disposers.push(() => routedTraces.dispose());
  // requests routed through the baseline to the slices' forks (issue 22): keys, router or mesh routes
  const routing = new RoutingReconciler({ kc, apply: (o) => applier.apply(o), slices: cached, namespace, log });
  disposers.push(() => routing.dispose());

  const owned = `${LABEL_MANAGED_BY}=${FIELD_MANAGER}`;
  const bySliceLabel = (o: k8s.KubernetesObject): void => {
    const s = o.metadata?.labels?.[LABEL_SLICE_OBJECT];
    if (s) queue.add(s);
  };
  const apps = kc.makeApiClient(k8s.AppsV1Api);
  const core = kc.makeApiClient(k8s.CoreV1Api);
  const informers = [
    sliceInformer,
    new ResilientInformer<k8s.V1Deployment>(kc, { name: 'deployments', path: '/apis/apps/v1/deployments', labelSelector: owned, list: () => apps.listDeploymentForAllNamespaces({ labelSelector: owned }), onChange: bySliceLabel }, log),
    new ResilientInformer<k8s.V1Pod>(kc, { name: 'pods', path: '/api/v1/pods', labelSelector: owned, list: () => core.listPodForAllNamespaces({ labelSelector: owned }), onChange: bySliceLabel }, log),
    new ResilientInformer<k8s.V1Namespace>(kc, { name: 'namespaces', path: '/api/v1/namespaces', labelSelector: `${LABEL_ROLE}=slice,${owned}`, list: () => core.listNamespace({ labelSelector: `${LABEL_ROLE}=slice,${owned}` }), onChange: (o, verb) => verb === 'delete' && bySliceLabel(o) }, log),
  ];
  for (const i of informers) disposers.push(() => i.dispose());
  await Promise.all(informers.map((i) => i.start()));
  routedTraces.schedule(0);
  routing.start();
  const sweeper = new TtlSweeper({ kc, slices, cached, enqueue: (n) => queue.add(n), log, sweepData: (listLive) => data.sweepOrphans(listLive) });
  sweeper.start();
  disposers.push(() => sweeper.dispose());
  log('leading: watching Slices');
}

main().catch((e: unknown) => {
  log(`fatal: ${apiMessage(e)}`);
  process.exit(1);
});
