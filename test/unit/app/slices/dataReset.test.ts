import { test } from 'node:test';
import assert from 'node:assert/strict';
import { type KubeContext } from '../../../../src/core/cluster/environments';
import { type DataBranchStatus, type SliceObject } from '../../../../src/core/slice/sliceResource';
import { type DataResetPort, resetSliceData } from '../../../../src/app/slices/dataReset';

const context: KubeContext = { name: 'alice', cluster: 'c', user: 'alice' };
const before: DataBranchStatus[] = [{ baseline: 'shop', database: 'shop_alice_s1', ready: true, branchedAt: '2026-12-07T06:00:00Z' }];

/** The Slice API standing in for the cluster (the dependency): the controller's status, read by read. */
class ScriptedApi implements DataResetPort {
  readonly tokens: string[] = [];
  reads = 0;
  constructor(private readonly statuses: (readonly DataBranchStatus[])[]) {}
  resetData(_c: KubeContext, _name: string, token: string): Promise<SliceObject> {
    this.tokens.push(token);
    return Promise.resolve(this.object(before));
  }
  get(): Promise<SliceObject> {
    const data = this.statuses[Math.min(this.reads++, this.statuses.length - 1)]!;
    return Promise.resolve(this.object(data));
  }
  private object(data: readonly DataBranchStatus[]): SliceObject {
    return { apiVersion: 'slice.dev/v1alpha1', kind: 'Slice', metadata: { name: 'alice-s1' }, spec: { owner: 'alice', baseline: 'shop', forks: [] }, status: { data } } as unknown as SliceObject;
  }
}

test('a data reset asks with a fresh token each time and is done once every branch is ready with a new branch time', async () => {
  const api = new ScriptedApi([
    before, // the controller has not seen the token yet: ready, but the old branch
    [{ ...before[0]!, ready: false, message: 'dropping shop_alice_s1' }],
    [{ ...before[0]!, ready: true, branchedAt: '2026-12-07T07:00:00Z' }],
  ]);
  const progress: string[] = [];
  assert.equal(await resetSliceData(api, context, 'alice-s1', before, { progress: (m) => progress.push(m), pollMs: 1 }), true);
  assert.equal(api.reads, 3);
  assert.deepEqual(progress, ['dropping shop_alice_s1']);
  await resetSliceData(api, context, 'alice-s1', before, { pollMs: 1 });
  assert.equal(api.tokens.length, 2);
  assert.match(api.tokens[0]!, /^[0-9a-f]{12}$/);
  assert.notEqual(api.tokens[0], api.tokens[1]);
});

test('a data reset stops waiting when cancelled, and when the wait runs out, and says it is not done', async () => {
  const stuck = new ScriptedApi([[{ ...before[0]!, ready: false }]]);
  const stop = new AbortController();
  const waiting = resetSliceData(stuck, context, 'alice-s1', before, { signal: stop.signal, pollMs: 60_000 });
  setImmediate(() => stop.abort());
  assert.equal(await waiting, false);
  assert.equal(await resetSliceData(stuck, context, 'alice-s1', before, { pollMs: 1, waitMs: 0 }), false);
});
