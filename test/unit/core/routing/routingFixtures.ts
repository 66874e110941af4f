import { type BaselineService, type RoutingInputs } from '../../../../src/core/routing/routes';
import { type SliceObject, type ForkSpec, type SliceStatus } from '../../../../src/core/slice/sliceResource';

/** Slices of alice, bob and carol on the baseline `shop`, and the inputs of computeRoutes for them (keys: the slice name and 32 of one hex digit). */
export const NOW = new Date('2026-12-07T06:00:00Z');
export const hex = (c: string): string => c.repeat(32);

export function slice(name: string, owner: string, forks: (ForkSpec & { routing?: object })[], status: Partial<SliceStatus> = {}, extra: Partial<SliceObject['metadata']> = {}): SliceObject {
  return {
    apiVersion: 'slice.dev/v1alpha1',
    kind: 'Slice',
    metadata: { name, ...extra },
    spec: { owner, baseline: 'shop', forks },
    status: {
      phase: 'Ready',
      namespace: `slice-${name}`,
      conditions: [],
      forks: forks.map((f) => ({ workload: f.workload, ready: true, replicas: 1, availableReplicas: 1, service: f.workload, ports: [80] })),
      ...status,
    },
  };
}

export const services = new Map<string, BaselineService>(
  ['storefront', 'orders', 'inventory'].map((n) => [`shop/${n}`, { namespace: 'shop', name: n, ports: [{ name: 'http', port: 80 }] }]),
);

export function inputs(slices: SliceObject[]): RoutingInputs {
  return { slices, keys: new Map(slices.map((s, i) => [s.metadata.name, `${s.metadata.name}.${hex(String(i + 1))}`])), services, now: NOW };
}

