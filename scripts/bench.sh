#!/usr/bin/env bash
# `npm run bench`: the benchmarks of bench/, each printing ratios against a baseline measured in the same run.
# Choose with SLICE_BENCH="activation" (default: all that exist; sync, data, loop and routing need the local cluster).
set -euo pipefail
source "$(dirname "$0")/env.sh"
cd "$SLICE_ROOT"
bash scripts/setup.sh --no-cluster   # Node 24, code-server, npm dependencies (quick when they are there)
source scripts/env.sh
# Production bundles (minified, as shipped) plus the transpiled benchmark drivers in out/.
node esbuild.config.mjs --production --tests
for b in ${SLICE_BENCH:-activation telemetry sync telemetry-editor data loop routing metrics}; do
  log "bench/$b"
  node "out/bench/$b/run.js"
done
