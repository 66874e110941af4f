/** Small Kubernetes helpers for the isolation checks: access reviews, outcomes of writes, exec. */
import { Writable } from 'node:stream';
import * as k8s from '@kubernetes/client-node';
import { apiMessage, statusCodeOf } from '../../core/cluster/apiErrors';

/** The API server's message of a failed call (runner.ts reads it from here). */
export { apiMessage };

export interface Access {
  readonly verb: string;
  readonly resource: string;
  readonly group?: string;
  readonly subresource?: string;
  readonly namespace?: string;
  readonly name?: string;
}

export function describeAccess(a: Access): string {
  const res = `${a.resource}${a.subresource ? `/${a.subresource}` : ''}${a.group ? `.${a.group}` : ''}`;
  return `${a.verb} ${res}${a.name ? ` ${a.name}` : ''}${a.namespace ? ` in ${a.namespace}` : ' cluster-wide'}`;
}

/** SelfSubjectAccessReviews: returns the accesses the API server says the user HAS. */
export async function allowedAccesses(kc: k8s.KubeConfig, accesses: readonly Access[]): Promise<Access[]> {
  const api = kc.makeApiClient(k8s.AuthorizationV1Api);
  const results = await Promise.all(
    accesses.map(async (a) => {
      const r = await api.createSelfSubjectAccessReview({
        body: { spec: { resourceAttributes: { verb: a.verb, resource: a.resource, group: a.group ?? '', subresource: a.subresource ?? '', namespace: a.namespace ?? '', name: a.name ?? '' } } },
      });
      return r.status?.allowed ? a : undefined;
    }),
  );
  return results.filter((a): a is Access => a !== undefined);
}

export type Outcome = { readonly accepted: true } | { readonly accepted: false; readonly code: number | undefined; readonly message: string };

/** Runs a write that should be refused; 403/422 (and 409 for the quota) are refusals. */
export async function attempt(fn: () => Promise<unknown>): Promise<Outcome> {
  try {
    await fn();
    return { accepted: true };
  } catch (e) {
    const code = statusCodeOf(e);
    if (code === undefined || code >= 500) throw e;
    return { accepted: false, code, message: apiMessage(e) };
  }
}

class Collect extends Writable {
  text = '';
  override _write(chunk: Buffer, _enc: BufferEncoding, cb: () => void): void {
    this.text += chunk.toString('utf8');
    cb();
  }
}

/** Exec through the API server; resolves with stdout (and the exec status). */
export async function execIn(kc: k8s.KubeConfig, ns: string, pod: string, container: string, command: string[], timeoutMs = 20_000): Promise<{ stdout: string; stderr: string; status: string }> {
  const stdout = new Collect();
  const stderr = new Collect();
  return await new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`exec in ${ns}/${pod} timed out after ${timeoutMs} ms`)), timeoutMs);
    new k8s.Exec(kc)
      .exec(ns, pod, container, command, stdout, stderr, null, false, (s: k8s.V1Status) => {
        clearTimeout(timer);
        setTimeout(() => resolve({ stdout: stdout.text, stderr: stderr.text, status: s.status ?? '' }), 50);
      })
      .catch((e: unknown) => {
        clearTimeout(timer);
        reject(e instanceof Error ? e : new Error(String(e)));
      });
  });
}
