// Where the local cluster (test/cluster) keeps its state: kubeconfigs, images.env, bin/kubectl, postgres/.
// SLICE_CLUSTER_DIR, which the scripts set from scripts/lib.sh (the one place the default is written for them).
import { join } from 'node:path';

export const clusterDir = process.env.SLICE_CLUSTER_DIR ?? '/var/lib/slice-cluster';

/** A path inside the cluster's state dir, e.g. clusterPath('kubeconfig', 'alice.kubeconfig'). */
export const clusterPath = (...parts: string[]): string => join(clusterDir, ...parts);

/**
 * The label of everything the test tiers create in a cluster (namespaces, Slices): test/cluster/sweep.sh
 * removes what carries it before the editor tiers, so their trees and screenshots show only the sample
 * baseline and the user's own slices.
 */
export const TEST_LABELS: Readonly<Record<string, string>> = { 'app.kubernetes.io/part-of': 'slice-tests' };
