/** Reads and patches Slice objects (cluster-scoped custom resources) with JSON patches. */
import * as k8s from '@kubernetes/client-node';
import { SLICE_GROUP, SLICE_PLURAL, SLICE_VERSION, type SliceObject, type SliceStatus } from '../core/slice/sliceResource';
import { isNotFound } from './errors';

export const SLICE_FINALIZER = 'slice.dev/cleanup';
const base = { group: SLICE_GROUP, version: SLICE_VERSION, plural: SLICE_PLURAL };

type JsonPatch = { op: 'add' | 'remove' | 'replace' | 'test'; path: string; value?: unknown }[];

export class SliceApi {
  private readonly api: k8s.CustomObjectsApi;

  constructor(kc: k8s.KubeConfig) {
    this.api = kc.makeApiClient(k8s.CustomObjectsApi);
  }

  async get(name: string): Promise<SliceObject | undefined> {
    try {
      return (await this.api.getClusterCustomObject({ ...base, name })) as SliceObject;
    } catch (e) {
      if (isNotFound(e)) return undefined;
      throw e;
    }
  }

  async list(): Promise<k8s.KubernetesListObject<SliceObject & k8s.KubernetesObject>> {
    return (await this.api.listClusterCustomObject(base)) as k8s.KubernetesListObject<SliceObject & k8s.KubernetesObject>;
  }

  async patch(name: string, body: JsonPatch): Promise<SliceObject> {
    return (await this.api.patchClusterCustomObject({ ...base, name, body })) as SliceObject;
  }

  async patchStatus(name: string, status: SliceStatus): Promise<SliceObject> {
    return (await this.api.patchClusterCustomObjectStatus({ ...base, name, body: [{ op: 'add', path: '/status', value: status }] })) as SliceObject;
  }

  async addFinalizer(slice: SliceObject): Promise<SliceObject> {
    const list = slice.metadata.finalizers;
    const body: JsonPatch = list
      ? [{ op: 'test', path: '/metadata/finalizers', value: list }, { op: 'add', path: '/metadata/finalizers/-', value: SLICE_FINALIZER }]
      : [{ op: 'add', path: '/metadata/finalizers', value: [SLICE_FINALIZER] }];
    return this.patch(slice.metadata.name, body);
  }

  async removeFinalizer(slice: SliceObject): Promise<void> {
    const list = slice.metadata.finalizers ?? [];
    const i = list.indexOf(SLICE_FINALIZER);
    if (i < 0) return;
    try {
      await this.patch(slice.metadata.name, [
        { op: 'test', path: `/metadata/finalizers/${i}`, value: SLICE_FINALIZER },
        { op: 'remove', path: `/metadata/finalizers/${i}` },
      ]);
    } catch (e) {
      if (!isNotFound(e)) throw e;
    }
  }

  async setExpiresAt(name: string, expiresAt: string): Promise<SliceObject> {
    return this.patch(name, [{ op: 'add', path: '/spec/expiresAt', value: expiresAt }]);
  }

  async delete(name: string): Promise<void> {
    try {
      await this.api.deleteClusterCustomObject({ ...base, name });
    } catch (e) {
      if (!isNotFound(e)) throw e;
    }
  }
}
