import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { type V1Deployment, type V1Pod, type V1PodList } from '@kubernetes/client-node';

/**
 * Deployments and pods as the local cluster's API server returned them (kubectl get -o json, managedFields
 * dropped): the sample shop's baseline `orders`, and alice's fork of `checkout` (with the Slice agent,
 * caught while its slice was being deleted: not available).
 */
const FIXTURES = fixturesDir();

function fixturesDir(): string {
  for (let dir = __dirname; ; dir = dirname(dir)) {
    const candidate = join(dir, 'test', 'unit', 'core', 'cluster', 'fixtures');
    if (existsSync(candidate)) return candidate;
    if (dirname(dir) === dir) throw new Error(`test/unit/core/cluster/fixtures is not in any folder above ${__dirname}`);
  }
}

/** A fresh copy of a fixture (tests may change it). Timestamps stay ISO strings, which the converters read like the client's Dates. */
function load<T>(name: string): T {
  return JSON.parse(readFileSync(join(FIXTURES, name), 'utf8')) as T;
}

export const baselineDeployment = (): V1Deployment => load('baseline-deployment.json');
export const forkDeployment = (): V1Deployment => load('fork-deployment.json');
export const baselinePods = (): V1Pod[] => load<V1PodList>('baseline-pods.json').items;
