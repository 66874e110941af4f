/**
 * Server-side apply under the field manager `slice-controller` (force: the controller owns what it
 * renders), plus create-once for objects that must never be overwritten (the agent token Secret).
 */
import * as k8s from '@kubernetes/client-node';
import { parse as parseYaml } from 'yaml';
import { FIELD_MANAGER } from '../core/slice/manifests';
import { type KubeObject } from '../core/slice/k8sTypes';
import { apiMessage, isConflict } from './errors';

export class Applier {
  private readonly api: k8s.KubernetesObjectApi;

  constructor(kc: k8s.KubeConfig) {
    this.api = k8s.KubernetesObjectApi.makeApiClient(kc);
  }

  /** Applies one object; throws an Error saying which object and why the API server refused it. */
  async apply(obj: KubeObject): Promise<k8s.KubernetesObject> {
    try {
      return await this.api.patch(toModel(obj), undefined, undefined, FIELD_MANAGER, true, k8s.PatchStrategy.ServerSideApply);
    } catch (e) {
      throw new Error(`cannot apply ${describe(obj)}: ${apiMessage(e)}`, { cause: e });
    }
  }

  /** Creates the object unless it exists; returns true when it was created now. */
  async createOnce(obj: KubeObject): Promise<boolean> {
    try {
      await this.api.create(toModel(obj), undefined, undefined, FIELD_MANAGER);
      return true;
    } catch (e) {
      if (isConflict(e)) return false;
      throw new Error(`cannot create ${describe(obj)}: ${apiMessage(e)}`, { cause: e });
    }
  }
}

/**
 * client-node serializes request bodies through its typed models, whose property names differ from
 * the wire names in places (LimitRange `default` is `_default`, NetworkPolicy `from` is `_from`,
 * probes' `exec` is `_exec`): a plain wire-form object would lose those fields. So plain objects go
 * through the model first, and objects read with the typed clients are turned back into wire form.
 */
export function toModel(obj: KubeObject): k8s.KubernetesObject {
  return k8s.loadYaml<k8s.KubernetesObject>(JSON.stringify(obj));
}

/** A typed client-node object in its JSON wire form (what the API server sent). */
export function toWire<T>(typed: k8s.KubernetesObject): T {
  return parseYaml(k8s.dumpYaml(typed)) as T;
}

export function describe(obj: KubeObject): string {
  return `${obj.kind} ${obj.metadata.namespace ? `${obj.metadata.namespace}/` : ''}${obj.metadata.name}`;
}
