import { randomBytes } from 'node:crypto';
import { type KubeContext } from '../../core/cluster/environments';
import { type DataBranchStatus, type SliceObject } from '../../core/slice/sliceResource';

/** The Slice API calls a data reset needs (src/platform/kube/sliceClient.ts), with the developer's own credentials. */
export interface DataResetPort {
  resetData(context: KubeContext, name: string, token: string, signal?: AbortSignal): Promise<SliceObject>;
  get(context: KubeContext, name: string, signal?: AbortSignal): Promise<SliceObject>;
}

export interface DataResetOptions {
  /** Why a branch is not ready yet, in words, as the controller reports it. */
  readonly progress?: (message: string) => void;
  /** Stops waiting, after the read in flight (the reset itself, once asked, goes on in the cluster). */
  readonly signal?: AbortSignal;
  readonly pollMs?: number;
  readonly waitMs?: number;
}

const POLL_MS = 1000;
const WAIT_MS = 5 * 60_000;

/**
 * Slice: Reset Data from Baseline: asks the controller to branch the slice's databases again (a
 * fresh token on the Slice, so that a second reset is a new request), then waits until every
 * branch is ready with a branch time other than the one it had. True when it is; false when the
 * wait ran out or was stopped first.
 */
export async function resetSliceData(api: DataResetPort, context: KubeContext, name: string, before: readonly DataBranchStatus[], options: DataResetOptions = {}): Promise<boolean> {
  const branchedAt = new Map(before.map((b) => [b.database, b.branchedAt]));
  await api.resetData(context, name, randomBytes(6).toString('hex'));
  const deadline = Date.now() + (options.waitMs ?? WAIT_MS);
  while (!options.signal?.aborted && Date.now() < deadline) {
    const data = (await api.get(context, name)).status?.data ?? [];
    if (data.length > 0 && data.every((d) => d.ready && d.branchedAt !== branchedAt.get(d.database))) return true;
    const waiting = data.find((d) => !d.ready && d.message);
    if (waiting?.message) options.progress?.(waiting.message);
    await sleep(options.pollMs ?? POLL_MS, options.signal);
  }
  return false;
}

function sleep(ms: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal?.addEventListener('abort', done, { once: true });
  });
}
