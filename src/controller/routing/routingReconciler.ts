/**
 * Keeps the baseline's request routing in step with the Slices (issue 22): each slice gets a routing
 * key (Secret slice-routing-key in its namespace, readable by its owner), and per the platform's
 * `routingMode`:
 * - `router` (default; no mesh): in each baseline namespace with routed Services, the router
 *   (nginx, ConfigMap + Deployment slice-router), an origin Service per routed Service, and the routed
 *   Service pointed at the router once the router is Available (given back when nothing routes it);
 * - `gateway-api`: HTTPRoutes (GAMMA) in the baseline namespace + ReferenceGrants in slice namespaces;
 * - `istio`: VirtualServices in the baseline namespace;
 * - `off`: nothing.
 * Runs a short while after the Slices change and every few seconds (to catch a baseline Service that
 * was re-applied over the takeover, and forks' Services that appeared), one run at a time.
 *
 * Keys are derived, never stored where other developers can read them: HMAC-SHA256 of the Slice's
 * uid under the platform's secret (Secret slice-system/slice-routing-master), 32 hex digits, so a
 * re-created Slice of the same name gets a new key and the controller never reads slice Secrets.
 */
import { createHash, createHmac } from 'node:crypto';
import { get as httpGet } from 'node:http';
import * as k8s from '@kubernetes/client-node';
import { LABEL_ROLE } from '../../core/cluster/labels';
import { renderHttpRoutes, renderReferenceGrants, renderVirtualServices, LABEL_COMPONENT, ROUTER_COMPONENT } from '../../core/routing/meshResources';
import { ROUTER_HEALTH_PORT, originServiceName, servedDigest } from '../../core/routing/nginxConfig';
import {
  ANNOTATION_CONFIG_DIGEST,
  ROUTER_NAME,
  ROUTER_SELECTOR,
  isTakenOver,
  renderOriginService,
  renderRouterConfigMap,
  renderRouterDeployment,
  restorePatch,
  routerTable,
  takeoverPatch,
  targetsRouterPorts,
  type LiveService,
} from '../../core/routing/routerManifests';
import { ANNOTATION_ENTRY, parseEntryAnnotation, renderEntry } from '../../core/routing/entry';
import { computeRoutes, isRoutable, type BaselineService, type ServiceRoutes } from '../../core/routing/routes';
import { ROUTING_KEY_SECRET, ROUTING_KEY_SECRET_KEY, routingKey } from '../../core/routing/routingKey';
import { FIELD_MANAGER, LABEL_MANAGED_BY, LABEL_SLICE_OBJECT } from '../../core/slice/manifests';
import { type KubeObject } from '../../core/slice/k8sTypes';
import { type SliceObject } from '../../core/slice/sliceResource';
import { apiMessage, isNotFound } from '../errors';
import { toWire } from '../applier';
import { CoalescedPass } from '../coalescedPass';

export type RoutingMode = 'router' | 'gateway-api' | 'istio' | 'off';
export const ROUTING_MASTER_SECRET = 'slice-routing-master';

export interface RoutingSettings {
  readonly mode: RoutingMode;
  readonly routerImage: string;
}

/** `routingMode` and `routerImage` of the controller's ConfigMap (unknown modes: `router`). */
export function routingSettings(data: Readonly<Record<string, string>> | undefined): RoutingSettings {
  const m = data?.routingMode?.trim();
  const mode: RoutingMode = m === 'gateway-api' || m === 'istio' || m === 'off' ? m : 'router';
  return { mode, routerImage: data?.routerImage?.trim() || 'localhost/slice/router:latest' };
}

/** The secret part of a slice's key: HMAC-SHA256(master, uid), 32 hex digits. */
export function derivedSecret(master: string, uid: string): string {
  return createHmac('sha256', master).update(`slice-routing-key/${uid}`).digest('hex').slice(0, 32);
}

export interface RoutingReconcilerDeps {
  readonly kc: k8s.KubeConfig;
  readonly apply: (obj: KubeObject) => Promise<k8s.KubernetesObject>;
  readonly slices: () => readonly SliceObject[];
  /** The platform namespace (the controller's ConfigMap and the master Secret). */
  readonly namespace: string;
  readonly log: (line: string) => void;
  readonly debounceMs?: number;
  readonly resyncMs?: number;
}

export class RoutingReconciler {
  private resync: NodeJS.Timeout | undefined;
  private readonly passes: CoalescedPass;
  private master: string | undefined;
  private readonly keyed = new Set<string>();
  private readonly keyErrors = new Map<string, string>();
  private readonly written = new Map<string, string>();
  private lastError = '';
  private readonly core: k8s.CoreV1Api;
  private readonly apps: k8s.AppsV1Api;
  private readonly custom: k8s.CustomObjectsApi;

  constructor(private readonly deps: RoutingReconcilerDeps) {
    this.core = deps.kc.makeApiClient(k8s.CoreV1Api);
    this.apps = deps.kc.makeApiClient(k8s.AppsV1Api);
    this.custom = deps.kc.makeApiClient(k8s.CustomObjectsApi);
    this.passes = new CoalescedPass(() => this.routeOnce(), deps.debounceMs ?? 100);
  }

  start(): void {
    this.schedule(0);
    this.resync = setInterval(() => this.schedule(0), this.deps.resyncMs ?? 3000);
  }

  /** The Slices changed: route again soon. */
  schedule(delayMs?: number): void {
    this.passes.schedule(delayMs);
  }

  private async routeOnce(): Promise<void> {
    try {
      await this.pass();
      this.lastError = '';
    } catch (e) {
      const msg = apiMessage(e);
      if (msg !== this.lastError) this.deps.log(`routing: ${msg}`);
      this.lastError = msg;
    }
  }

  private async pass(): Promise<void> {
    const settings = routingSettings(await this.readConfig());
    const slices = this.deps.slices();
    const keys = await this.keys(slices);
    const { names: baselines, entries } = await this.baselineNamespaces();
    const live = new Map<string, LiveService>();
    const services = new Map<string, BaselineService>();
    for (const ns of baselines) {
      for (const s of (await this.core.listNamespacedService({ namespace: ns })).items) {
        const svc = toWire<LiveService & { metadata: { labels?: Record<string, string> } }>(s);
        if (svc.metadata.labels?.[LABEL_COMPONENT] === ROUTER_COMPONENT || !svc.spec.selector && !isTakenOver(svc)) continue;
        live.set(`${ns}/${svc.metadata.name}`, svc);
        services.set(`${ns}/${svc.metadata.name}`, { namespace: ns, name: svc.metadata.name, ports: svc.spec.ports.filter((p) => (p.protocol ?? 'TCP') === 'TCP').map((p) => ({ ...(p.name ? { name: p.name } : {}), port: p.port })) });
      }
    }
    const table = settings.mode === 'off' ? [] : computeRoutes({ slices, keys, services, now: new Date() });
    if (settings.mode !== 'off') await this.entries(slices, keys, entries, live, settings.routerImage);
    if (settings.mode === 'router' || settings.mode === 'off') {
      for (const ns of baselines) await this.routeNamespace(ns, table.filter((s) => s.baseline.namespace === ns), live, services, settings);
    } else {
      await this.applyMesh(settings.mode, table, baselines);
      // Services the router took over before the mode changed get their own selectors back
      for (const ns of baselines) await this.routeNamespace(ns, [], live, services, settings);
    }
  }

  private async readConfig(): Promise<Record<string, string> | undefined> {
    try {
      return (await this.core.readNamespacedConfigMap({ name: 'slice-controller-config', namespace: this.deps.namespace })).data;
    } catch (e) {
      if (isNotFound(e)) return undefined;
      throw e;
    }
  }

  /** Keys by Slice name for the Slices whose namespace exists; each written once into its slice's Secret. */
  private async keys(slices: readonly SliceObject[]): Promise<Map<string, string>> {
    const keys = new Map<string, string>();
    this.master ??= await this.readMaster();
    if (!this.master) return keys;
    for (const s of slices) {
      const uid = s.metadata.uid;
      const ns = s.status?.namespace;
      // only slices whose namespace and policies are in place (their namespace exists)
      if (!uid || ns !== `slice-${s.metadata.name}` || !isRoutable(s, new Date())) continue;
      const key = routingKey(s.metadata.name, derivedSecret(this.master, uid));
      if (!this.keyed.has(uid)) {
        try {
          await this.deps.apply({
            apiVersion: 'v1',
            kind: 'Secret',
            metadata: { name: ROUTING_KEY_SECRET, namespace: ns, labels: { [LABEL_MANAGED_BY]: FIELD_MANAGER, [LABEL_SLICE_OBJECT]: s.metadata.name } },
            type: 'Opaque',
            stringData: { [ROUTING_KEY_SECRET_KEY]: key },
          } as KubeObject);
          this.keyed.add(uid);
        } catch (e) {
          const msg = `routing: the key of slice ${s.metadata.name} is not written yet: ${apiMessage(e)}`;
          if (this.keyErrors.get(uid) !== msg) this.deps.log(msg);
          this.keyErrors.set(uid, msg);
          continue;
        }
      }
      keys.set(s.metadata.name, key);
    }
    return keys;
  }

  private async readMaster(): Promise<string | undefined> {
    try {
      const s = await this.core.readNamespacedSecret({ name: ROUTING_MASTER_SECRET, namespace: this.deps.namespace });
      const v = s.data?.key;
      return v ? Buffer.from(v, 'base64').toString('utf8') : undefined;
    } catch (e) {
      if (!isNotFound(e)) throw e;
      this.deps.log(`routing: Secret ${this.deps.namespace}/${ROUTING_MASTER_SECRET} is missing (scripts/platform-install.sh creates it): no slice has a routing key`);
      return undefined;
    }
  }

  /** The baseline namespaces, and the entry Service each names (annotation slice.dev/entry). */
  private async baselineNamespaces(): Promise<{ names: string[]; entries: Map<string, { service: string; port?: number }> }> {
    const list = await this.core.listNamespace({ labelSelector: `${LABEL_ROLE}=baseline` });
    const entries = new Map<string, { service: string; port?: number }>();
    for (const n of list.items) {
      const entry = parseEntryAnnotation(n.metadata?.annotations?.[ANNOTATION_ENTRY]);
      if (n.metadata?.name && entry) entries.set(n.metadata.name, entry);
    }
    return { names: list.items.map((n) => n.metadata?.name ?? '').filter((n) => n !== '').sort(), entries };
  }

  /** Each routable slice's entry into its baseline (src/core/routing/entry.ts), written when it changes. */
  private async entries(slices: readonly SliceObject[], keys: ReadonlyMap<string, string>, entries: ReadonlyMap<string, { service: string; port?: number }>, live: ReadonlyMap<string, LiveService>, image: string): Promise<void> {
    const now = new Date();
    for (const s of slices) {
      const key = keys.get(s.metadata.name);
      const entry = entries.get(s.spec.baseline);
      if (!key || !entry || !isRoutable(s, now)) continue;
      const svc = live.get(`${s.spec.baseline}/${entry.service}`);
      const port = entry.port ?? svc?.spec.ports[0]?.port;
      const ip = svc && port ? await this.clusterIP(s.spec.baseline, entry.service) : undefined;
      if (!ip || !port) continue;
      const objects = renderEntry(`slice-${s.metadata.name}`, key, { namespace: s.spec.baseline, service: entry.service, clusterIP: ip, port }, image);
      const text = JSON.stringify(objects);
      if (this.written.get(`entry:${s.metadata.name}`) === text) continue;
      try {
        for (const o of objects) await this.deps.apply(o);
        this.written.set(`entry:${s.metadata.name}`, text);
      } catch (e) {
        this.deps.log(`routing: slice ${s.metadata.name}: cannot write its entry into ${s.spec.baseline}: ${apiMessage(e)}`);
      }
    }
  }

  /** Router mode in one baseline namespace. */
  private async routeNamespace(ns: string, routed: ServiceRoutes[], live: ReadonlyMap<string, LiveService>, services: ReadonlyMap<string, BaselineService>, settings: RoutingSettings): Promise<void> {
    const takenOver = [...live.values()].filter((s) => s.metadata.namespace === ns && isTakenOver(s));
    // in router mode the router keeps serving every Service it took over, routed or not
    const table = settings.mode === 'router' ? routerTable(routed, takenOver.map((s) => services.get(`${ns}/${s.metadata.name}`)).filter((b): b is BaselineService => b !== undefined)) : routed;
    if (table.length > 0 && settings.mode === 'router') {
      const addresses = new Map<string, string>();
      for (const s of table) {
        const svc = live.get(`${ns}/${s.baseline.name}`);
        if (!svc) continue;
        const origin = toWire<{ spec?: { clusterIP?: string } }>(await this.deps.apply(renderOriginService(svc)));
        if (origin.spec?.clusterIP) addresses.set(`${ns}/${originServiceName(s.baseline.name)}`, origin.spec.clusterIP);
        for (const r of s.routes) {
          const ip = await this.clusterIP(r.namespace, r.service);
          if (ip) addresses.set(`${r.namespace}/${r.service}`, ip);
        }
      }
      const cm = renderRouterConfigMap(ns, table, addresses);
      const text = cm.data['nginx.conf'] ?? '';
      // the Deployment every pass (a no-op apply when it is as rendered): a deleted router comes back
      await this.deps.apply(renderRouterDeployment(ns, { image: settings.routerImage }));
      if (this.written.get(ns) !== text) {
        await this.deps.apply(cm);
        await this.nudgeRouterPods(ns, digest(text));
        this.written.set(ns, text);
        this.deps.log(`routing: ${ns}: ${table.map((s) => `${s.baseline.name} <- ${s.routes.map((r) => `${r.slice}${r.forkReady ? '' : ' (down)'}`).join(', ')}`).join('; ')}`);
      }
      // a Service is pointed at the router only once every router pod serves a config with its routes
      if (await this.routerServes(ns, servedDigest(text))) {
        for (const s of table) {
          const svc = live.get(`${ns}/${s.baseline.name}`);
          if (svc && (!pointsAtRouter(svc) || !targetsRouterPorts(svc, table))) {
            await this.patchService(ns, svc.metadata.name, takeoverPatch(svc, table));
            this.deps.log(`routing: ${ns}/${svc.metadata.name} now goes through the router`);
          }
        }
      }
    }
    // In router mode a Service stays with the router once taken over (with no routes the router sends
    // everything to the origin Service: routerTable keeps its listener): each switch of a Service's endpoints can refuse new
    // connections for a moment, so it happens once, not with every slice that comes and goes. The
    // routes of a gone slice left the config above already. Other modes give the Services back.
    for (const svc of takenOver) {
      if (settings.mode === 'router') continue;
      await this.patchService(ns, svc.metadata.name, restorePatch(svc));
      this.deps.log(`routing: ${ns}/${svc.metadata.name} no longer goes through the router`);
    }
    if (table.length === 0 && this.written.get(ns) !== '') {
      // keep the router (it may be needed again soon) but with no routes
      if (takenOver.length > 0 || this.written.has(ns)) {
        try {
          await this.deps.apply(renderRouterConfigMap(ns, [], new Map()));
        } catch (e) {
          this.deps.log(`routing: ${ns}: cannot empty the router config: ${apiMessage(e)}`);
        }
      }
      this.written.set(ns, '');
    }
  }

  private async clusterIP(namespace: string, name: string): Promise<string | undefined> {
    try {
      const ip = (await this.core.readNamespacedService({ name, namespace })).spec?.clusterIP;
      return ip && ip !== 'None' ? ip : undefined;
    } catch (e) {
      if (isNotFound(e)) return undefined;
      throw e;
    }
  }

  /** Whether the router is Available and each of its running pods answers /routes with `digest`. */
  private async routerServes(ns: string, digest: string | undefined): Promise<boolean> {
    if (!digest) return false;
    try {
      const d = await this.apps.readNamespacedDeployment({ name: ROUTER_NAME, namespace: ns });
      if ((d.status?.availableReplicas ?? 0) === 0) return false;
    } catch (e) {
      if (isNotFound(e)) return false;
      throw e;
    }
    const selector = Object.entries(ROUTER_SELECTOR).map(([k, v]) => `${k}=${v}`).join(',');
    const pods = (await this.core.listNamespacedPod({ namespace: ns, labelSelector: selector })).items.filter((p) => p.status?.phase === 'Running' && !p.metadata?.deletionTimestamp && p.status.podIP);
    if (pods.length === 0) return false;
    const answers = await Promise.all(pods.map((p) => fetchText(`http://${p.status!.podIP!}:${ROUTER_HEALTH_PORT}/routes`)));
    return answers.every((a) => a?.trim() === digest);
  }

  /** Annotating the router pods makes the kubelet sync them now, which refreshes the mounted config (else: up to a minute). */
  private async nudgeRouterPods(ns: string, configDigest: string): Promise<void> {
    const selector = Object.entries(ROUTER_SELECTOR).map(([k, v]) => `${k}=${v}`).join(',');
    const pods = await this.core.listNamespacedPod({ namespace: ns, labelSelector: selector });
    for (const p of pods.items) {
      const name = p.metadata?.name;
      if (!name) continue;
      await this.core
        .patchNamespacedPod({ name, namespace: ns, body: { metadata: { annotations: { [ANNOTATION_CONFIG_DIGEST]: configDigest } } } }, k8s.setHeaderOptions('Content-Type', k8s.PatchStrategy.MergePatch))
        .catch((e: unknown) => this.deps.log(`routing: cannot annotate router pod ${ns}/${name}: ${apiMessage(e)}`));
    }
  }

  private async patchService(namespace: string, name: string, body: object): Promise<void> {
    await this.core.patchNamespacedService({ name, namespace, body }, k8s.setHeaderOptions('Content-Type', k8s.PatchStrategy.MergePatch));
  }

  /** Mesh modes: apply the wanted routes, delete the ones this controller wrote that are no longer wanted. */
  private async applyMesh(mode: 'gateway-api' | 'istio', table: readonly ServiceRoutes[], baselines: readonly string[]): Promise<void> {
    const wanted = mode === 'gateway-api' ? [...renderHttpRoutes(table), ...renderReferenceGrants(table)] : renderVirtualServices(table);
    const text = JSON.stringify(wanted);
    if (this.written.get(`mesh:${mode}`) === text) return;
    for (const o of wanted) await this.deps.apply(o);
    const kinds = mode === 'gateway-api' ? [{ group: 'gateway.networking.k8s.io', version: 'v1', plural: 'httproutes' }] : [{ group: 'networking.istio.io', version: 'v1', plural: 'virtualservices' }];
    const keep = new Set(wanted.map((o) => `${o.metadata.namespace}/${o.kind}/${o.metadata.name}`));
    for (const ns of baselines) {
      for (const k of kinds) {
        const list = (await this.custom.listNamespacedCustomObject({ ...k, namespace: ns, labelSelector: `${LABEL_COMPONENT}=${ROUTER_COMPONENT}` })) as { items?: KubeObject[] };
        for (const o of list.items ?? []) {
          if (keep.has(`${ns}/${o.kind}/${o.metadata.name}`)) continue;
          await this.custom.deleteNamespacedCustomObject({ ...k, namespace: ns, name: o.metadata.name });
        }
      }
    }
    this.written.set(`mesh:${mode}`, text);
  }

  dispose(): void {
    this.passes.dispose();
    if (this.resync) clearInterval(this.resync);
  }
}

function pointsAtRouter(svc: LiveService): boolean {
  const sel = svc.spec.selector ?? {};
  return isTakenOver(svc) && Object.keys(sel).length === Object.keys(ROUTER_SELECTOR).length && Object.entries(ROUTER_SELECTOR).every(([k, v]) => sel[k] === v);
}

function digest(text: string): string {
  return createHash('sha256').update(text).digest('hex').slice(0, 16);
}

/** The body of a GET (undefined on any failure; 1 s at most). */
function fetchText(url: string): Promise<string | undefined> {
  return new Promise((resolve) => {
    const req = httpGet(url, { timeout: 1000 }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (body += c));
      res.on('end', () => resolve(res.statusCode === 200 ? body : undefined));
      res.on('error', () => resolve(undefined));
    });
    req.on('timeout', () => req.destroy());
    req.on('error', () => resolve(undefined));
  });
}

