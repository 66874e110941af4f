/**
 * Keeps the baseline collector's config (ConfigMap slice-system/slice-otelcol-config) in step with
 * the Slices: one pipeline per slice that forwards the whole traces carrying its key to its own
 * agent (src/core/routing/collectorConfig.ts), through the Service slice-routed-otlp that this also
 * applies in each routed slice's namespace (before the config names it). The collector watches its mounted file and reloads
 * in place when the kubelet swaps in the new content (test/cluster/go/otelcol/main.go). The kubelet
 * does that on its own within about a minute, during which a new slice's baseline spans find no
 * pipeline and are dropped; so each config written is followed by a nudge: the collector's pods are
 * annotated with the config's digest, and the kubelet syncs an updated pod (its volumes too) at once.
 *
 * Runs a short while after the Slices change (bursts are written once), writes only when the text
 * changed, and retries with backoff when the API server refuses.
 */
import { createHash } from 'node:crypto';
import { collectorConfigText, normalizeRoutes, renderRoutedOtlpService, routedSlices } from '../../core/routing/collectorConfig';
import * as k8s from '@kubernetes/client-node';
import { ANNOTATION_COLLECTOR_CONFIG, COLLECTOR_APP_LABEL, COLLECTOR_CONFIG_KEY, COLLECTOR_CONFIGMAP } from '../../core/routing/routedTelemetry';
import { LABEL_MANAGED_BY, FIELD_MANAGER } from '../../core/slice/manifests';
import { type KubeObject } from '../../core/slice/k8sTypes';
import { type SliceObject } from '../../core/slice/sliceResource';
import { CoalescedPass } from '../coalescedPass';

export interface TelemetryReconcilerDeps {
  /** Server-side apply (the controller's Applier). */
  readonly apply: (obj: KubeObject) => Promise<unknown>;
  /** The Slices as the controller's informer has them. */
  readonly slices: () => readonly SliceObject[];
  /** The platform namespace, where the collector runs. */
  readonly namespace: string;
  readonly log: (line: string) => void;
  /** Annotates the collector's pods with the config's digest (the kubelet then refreshes their mounted config at once). */
  readonly nudge: (digest: string) => Promise<void>;
  /** Wait after a change before writing (ms; default 200). */
  readonly debounceMs?: number;
}

/** The ConfigMap that holds the collector's config for these Slices. */
export function collectorConfigMap(namespace: string, slices: readonly SliceObject[]): KubeObject & { data: Record<string, string> } {
  return {
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: { name: COLLECTOR_CONFIGMAP, namespace, labels: { [LABEL_MANAGED_BY]: FIELD_MANAGER, 'app.kubernetes.io/name': 'slice-otelcol' } },
    data: { [COLLECTOR_CONFIG_KEY]: collectorConfigText(routedSlices(slices)) },
  };
}

/** The digest the collector's pods are annotated with (ANNOTATION_COLLECTOR_CONFIG). */
export function configDigest(text: string): string {
  return createHash('sha256').update(text).digest('hex').slice(0, 16);
}

/** The nudge: annotates each collector pod in `namespace` with the config's digest (merge patch; a pod on its way out is left alone). */
export async function nudgeCollectorPods(core: k8s.CoreV1Api, namespace: string, digest: string): Promise<void> {
  const pods = await core.listNamespacedPod({ namespace, labelSelector: `app.kubernetes.io/name=${COLLECTOR_APP_LABEL}` });
  for (const p of pods.items) {
    const name = p.metadata?.name;
    if (!name || p.metadata?.deletionTimestamp || p.metadata?.annotations?.[ANNOTATION_COLLECTOR_CONFIG] === digest) continue;
    await core.patchNamespacedPod({ name, namespace, body: { metadata: { annotations: { [ANNOTATION_COLLECTOR_CONFIG]: digest } } } }, k8s.setHeaderOptions('Content-Type', k8s.PatchStrategy.MergePatch));
  }
}

export class TelemetryReconciler {
  private readonly passes: CoalescedPass;
  private written: string | undefined;
  /** The routed Services applied, by namespace, as the JSON last applied. */
  private readonly services = new Map<string, string>();
  private failures = 0;

  constructor(private readonly deps: TelemetryReconcilerDeps) {
    this.passes = new CoalescedPass(() => this.sync(), deps.debounceMs ?? 200);
  }

  /** The Slices changed: write the config soon. */
  schedule(delayMs?: number): void {
    this.passes.schedule(delayMs);
  }

  /** Writes the config when it differs from what was last written; resolves when done. */
  async sync(): Promise<void> {
    const slices = this.deps.slices();
    const cm = collectorConfigMap(this.deps.namespace, slices);
    const text = cm.data[COLLECTOR_CONFIG_KEY]!;
    const routed = new Set(routedSlices(slices).map((r) => r.slice));
    const services = slices.filter((s) => routed.has(s.metadata.name)).flatMap((s) => renderRoutedOtlpService(s) ?? []);
    const pending = services.filter((svc) => this.services.get(svc.metadata.namespace ?? '') !== JSON.stringify(svc));
    if (text === this.written && pending.length === 0) return;
    try {
      for (const svc of pending) {
        await this.deps.apply(svc);
        this.services.set(svc.metadata.namespace ?? '', JSON.stringify(svc));
      }
      for (const ns of [...this.services.keys()]) if (!services.some((s) => s.metadata.namespace === ns)) this.services.delete(ns);
      if (text === this.written) return;
      await this.deps.apply(cm);
      this.written = text;
      this.failures = 0;
      await this.deps.nudge(configDigest(text)).catch((e: unknown) => this.deps.log(`routed traces: cannot nudge the collector's pods to load the new config now (${e instanceof Error ? e.message : String(e)}); the kubelet swaps it within about a minute`));
      const { routes, refused } = normalizeRoutes(routedSlices(slices));
      for (const r of refused) this.deps.log(`routed traces: ${r.slice.slice} left out of the collector's config: ${r.reason}`);
      this.deps.log(`routed traces: collector config written (${routes.length} slice${routes.length === 1 ? '' : 's'}: ${routes.map((r) => r.slice).join(', ') || 'none'})`);
    } catch (e) {
      this.failures++;
      const delay = Math.min(30_000, 500 * 2 ** Math.min(this.failures, 6));
      this.deps.log(`routed traces: cannot write the collector's config (${e instanceof Error ? e.message : String(e)}); retrying in ${delay} ms`);
      this.schedule(delay);
    }
  }

  dispose(): void {
    this.passes.dispose();
  }
}
