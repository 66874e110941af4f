#!/usr/bin/env bash
# E2E tier: package the .vsix, install it into code-server, drive the workbench in headless Chromium.
set -euo pipefail
source "$(dirname "$0")/env.sh"
cd "$SLICE_ROOT"
bash scripts/setup.sh --no-cluster   # code-server, Chromium, Node 24, npm dependencies (quick when they are there)
source scripts/env.sh
if [ "${SLICE_SKIP_BUILD:-}" != 1 ]; then
  node esbuild.config.mjs --tests >/dev/null
  npx --no-install vsce package --no-dependencies --no-rewrite-relative-links --out dist/slice.vsix >/dev/null
fi
# Each script starts on a cluster without what earlier tests left (their screenshots show the trees):
# on the local cluster, test/cluster/sweep.sh removes the test-labelled namespaces and Slices first.
LOCAL_CLUSTER=0; bash test/cluster/status.sh >/dev/null 2>&1 && LOCAL_CLUSTER=1
e2e() {
  if [ "$LOCAL_CLUSTER" = 1 ]; then bash test/cluster/sweep.sh || log "warning: test namespaces are left in the cluster (see above)"; fi
  timeout --kill-after=10 "${SLICE_E2E_TIMEOUT:-900}" node "out/test/e2e/$1.e2e.js" "${@:2}"
}
rc=0
e2e workbench "$@" || rc=$?
# Issue 6: telemetry in the editor (CodeLens, decorations, hover, Problems, waterfall, Traces view).
e2e telemetry || rc=$?
# Issue 4: a slice from the editor as alice (create, tree, Verify Isolation, delete).
e2e slices || rc=$?
# Issue 20: the tree and status bar follow the cluster (a slice made, Ready, deleted with its sync running, elsewhere) and the identity.
e2e sliceTruth || rc=$?
# Issue 8: a slice's data branch in the tree (database, size) and Reset Data from Baseline.
e2e data || rc=$?
# Issue 7: the newcomer's first ten minutes on the sample shop (create, sync, edit, request, delete).
e2e newcomer || rc=$?
# Issue 22: the baseline through my slice (an order placed in the storefront reaches my fork) and the whole trace on my code.
e2e routed || rc=$?
# Issue 23: a route's p95 from its histogram on the handler's CodeLens, my slice against the baseline in the hover.
e2e routeMetrics || rc=$?
# Issue 23: Slice: Show Metrics, a chart per metric with the baseline's series beside mine; the keyboard; an exemplar opens its trace.
e2e metricsView || rc=$?
# Issue 23: pods' CPU and memory against their limits, and the quota, in the tree.
e2e resources || rc=$?
# Issue 23: an OOM-killed fork as a Problem on slice.yaml's workload line.
e2e resourceProblems || rc=$?
exit $rc
