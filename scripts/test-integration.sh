#!/usr/bin/env bash
# Integration tier: the mocha suite of test/integration inside a real VS Code extension host
# (code-server's Node extension host, driven by Chromium through the workbench test payload).
set -euo pipefail
source "$(dirname "$0")/env.sh"
cd "$SLICE_ROOT"
bash scripts/setup.sh --no-cluster   # code-server, Chromium, Node 24, npm dependencies (quick when they are there)
source scripts/env.sh
[ -f out/test/runner/runIntegration.js ] && [ "${SLICE_SKIP_BUILD:-}" = 1 ] || node esbuild.config.mjs --tests >/dev/null
timeout --kill-after=10 "${SLICE_INTEGRATION_TIMEOUT:-900}" node out/test/runner/runIntegration.js "$@"
