#!/usr/bin/env bash
# E2E tier: package the .vsix, install it into code-server, drive the workbench in headless Chromium.
set -euo pipefail
source "$(dirname "$0")/env.sh"
cd "$SLICE_ROOT"
[ -x "$SLICE_CODE_SERVER" ] || bash scripts/install-tools.sh
if [ "${SLICE_SKIP_BUILD:-}" != 1 ]; then
  node esbuild.config.mjs --tests >/dev/null
  npx --no-install vsce package --no-dependencies --no-rewrite-relative-links --out dist/slice.vsix >/dev/null
fi
rc=0
timeout --kill-after=10 "${SLICE_E2E_TIMEOUT:-900}" node out/test/e2e/workbench.e2e.js "$@" || rc=$?
# Issue 6: telemetry in the editor (CodeLens, decorations, hover, Problems, waterfall, Traces view).
timeout --kill-after=10 "${SLICE_E2E_TIMEOUT:-900}" node out/test/e2e/telemetry.e2e.js || rc=$?
# Issue 4: a slice from the editor as alice (create, tree, Verify Isolation, delete).
timeout --kill-after=10 "${SLICE_E2E_TIMEOUT:-900}" node out/test/e2e/slices.e2e.js || rc=$?
# Issue 8: a slice's data branch in the tree (database, size) and Reset Data from Baseline.
timeout --kill-after=10 "${SLICE_E2E_TIMEOUT:-900}" node out/test/e2e/data.e2e.js || rc=$?
# Issue 7: the newcomer's first ten minutes on the sample shop (create, sync, edit, request, delete).
timeout --kill-after=10 "${SLICE_E2E_TIMEOUT:-900}" node out/test/e2e/newcomer.e2e.js || rc=$?
exit $rc
