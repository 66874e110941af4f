#!/usr/bin/env bash
# `npm test`: every tier of the project's tests, in order, with one final "N passed, N failed" line.
#   lint · typecheck · unit (plain Node) · cluster smoke (real local Kubernetes) ·
#   integration (real VS Code extension host) · e2e (packaged .vsix in the real workbench)
# First it installs what the tiers need (scripts/setup.sh: Debian packages, Node 24, code-server, npm
# dependencies and, for the cluster tiers, the local cluster's binaries), so nothing has to be run
# before it. Choose tiers with arguments or SLICE_TESTS: `bash scripts/test.sh unit integration`
# (`npm run test:unit` is `test.sh unit`; default: all). The local cluster is
# brought up when it is not running (and stopped again afterwards); SLICE_CLUSTER=0 skips the cluster
# tiers' setup. Before the integration and e2e tiers, what the earlier tiers created in the cluster
# is removed (test/cluster/sweep.sh), so the editor shows only the baseline shop and your own slices.
set -uo pipefail
source "$(dirname "$0")/env.sh"
cd "$SLICE_ROOT" || exit 1
TIERS="${*:-${SLICE_TESTS:-lint typecheck unit cluster integration e2e}}"
LOGS="$SLICE_RUN_DIR/test-logs"
mkdir -p "$LOGS"
PASS=0 FAIL=0 SKIP=0
SUMMARY=()
want() { [[ " $TIERS " == *" $1 "* ]]; }
add() { # tier passed failed skipped seconds
  PASS=$((PASS + $2)) FAIL=$((FAIL + $3)) SKIP=$((SKIP + $4))
  SUMMARY+=("$(printf '%-12s %4s passed %4s failed %4s skipped  %5ss' "$1" "$2" "$3" "$4" "$5")")
}
# Runs a one-check tier: counts 1 passed or 1 failed.
check() { # tier command...
  local tier=$1 t0=$SECONDS; shift
  log "── $tier"
  if "$@" >"$LOGS/$tier.log" 2>&1; then add "$tier" 1 0 0 $((SECONDS - t0)); else tail -40 "$LOGS/$tier.log"; add "$tier" 0 1 0 $((SECONDS - t0)); fi
}
# Runs a tier whose output ends with "<label>: N passed, N failed[, N skipped]" or node:test's ℹ lines.
# A tier that runs past its limit (TIER_MINUTES, else 15 minutes) is stopped with
# everything it started and counts as failed, so a hang costs one tier and the run still ends with
# its summary (CI gives the whole run 90 minutes).
declare -A TIER_MINUTES=([cluster]=40 [integration]=20 [e2e]=25)
counted() { # tier command...
  local tier=$1 t0=$SECONDS rc p f s limit; shift
  limit="${TIER_MINUTES[$tier]:-15}"
  log "── $tier"
  timeout -k 30s "${limit}m" "$@" 2>&1 | tee "$LOGS/$tier.log"; rc=${PIPESTATUS[0]}
  if [ "$rc" -eq 124 ]; then log "the $tier tier ran past its ${limit} minutes and was stopped (see $LOGS/$tier.log)"; fi
  p=$(grep -aoE '^ℹ pass [0-9]+' "$LOGS/$tier.log" | tail -1 | grep -oE '[0-9]+')
  f=$(grep -aoE '^ℹ fail [0-9]+' "$LOGS/$tier.log" | tail -1 | grep -oE '[0-9]+')
  s=$(grep -aoE '^ℹ skipped [0-9]+' "$LOGS/$tier.log" | tail -1 | grep -oE '[0-9]+')
  if [ -z "$p" ]; then
    # Runners print "<label>: N passed, N failed[, N skipped]"; a tier may run several: add them up.
    read -r p f s < <(grep -aoE '^[A-Za-z0-9 _-]+: [0-9]+ passed, [0-9]+ failed(, [0-9]+ skipped)?' "$LOGS/$tier.log" |
      awk '{ for (i = 1; i <= NF; i++) { if ($(i+1) ~ /^passed/) P += $i; if ($(i+1) ~ /^failed/) F += $i; if ($(i+1) ~ /^skipped/) S += $i } } END { print P+0, F+0, S+0 }')
  fi
  p=${p:-0} f=${f:-0} s=${s:-0}
  # A runner that crashed before counting still counts as a failure.
  if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then f=1; fi
  add "$tier" "$p" "$f" "$s" $((SECONDS - t0))
}

needs_cluster() { { want cluster || want integration || want e2e; } && [ "${SLICE_CLUSTER:-1}" != 0 ]; }
setup_args=(--sample)
if ! needs_cluster || bash test/cluster/status.sh >/dev/null 2>&1; then setup_args+=(--no-cluster); fi
want integration || want e2e || setup_args+=(--no-editor)
summary() { printf '\n'; printf '%s\n' "${SUMMARY[@]}"; echo "$PASS passed, $FAIL failed, $SKIP skipped"; }
t0=$SECONDS
if ! bash scripts/setup.sh "${setup_args[@]}"; then
  log "the set-up failed (what failed and what to do is above): no tier ran"
  add setup 0 1 0 $((SECONDS - t0)); summary; exit 1
fi
source scripts/env.sh

want lint && check lint npx --no-install eslint --max-warnings 0 src test bench esbuild.config.mjs eslint.config.mjs
want typecheck && check typecheck npx --no-install tsc --noEmit -p .
log "── build"
node esbuild.config.mjs --tests || die "build failed"
want unit && counted unit node scripts/node-test.mjs --test-reporter=spec out/test/unit
# The sample app's own tests (orders in memory mode), with its own dependencies (setup.sh --sample).
want unit && counted sample bash -c 'cd sample/shop && node ../../scripts/node-test.mjs --test-reporter=spec test'

STARTED_CLUSTER=0
cluster_down() { if [ "$STARTED_CLUSTER" = 1 ]; then log "stopping the local cluster this run started"; bash test/cluster/down.sh >"$LOGS/cluster-down.log" 2>&1 || tail -20 "$LOGS/cluster-down.log"; fi; }
trap cluster_down EXIT
if needs_cluster; then
  if ! bash test/cluster/status.sh >/dev/null 2>&1; then
    log "── cluster up (the local Kubernetes of test/cluster)"
    t0=$SECONDS
    if bash test/cluster/up.sh 2>&1 | tee "$LOGS/cluster-up.log"; then STARTED_CLUSTER=1; add cluster-up 1 0 0 $((SECONDS - t0)); else add cluster-up 0 1 0 $((SECONDS - t0)); fi
  fi
fi
if bash test/cluster/status.sh >/dev/null 2>&1; then
  export SLICE_KUBECONFIG_ADMIN="${SLICE_KUBECONFIG_ADMIN:-$SLICE_CLUSTER_DIR/kubeconfig/admin.kubeconfig}"
  export SLICE_KUBECONFIG_ALICE="${SLICE_KUBECONFIG_ALICE:-$SLICE_CLUSTER_DIR/kubeconfig/alice.kubeconfig}"
  export SLICE_KUBECONFIG_BOB="${SLICE_KUBECONFIG_BOB:-$SLICE_CLUSTER_DIR/kubeconfig/bob.kubeconfig}"
  # --test-force-exit: a test file whose tests are done ends even if it leaked a socket or a timer
  # (one leaked port-forward once kept CI waiting until its 90 minutes ran out)
  want cluster && counted cluster bash -c 'bash scripts/platform-install.sh && bash scripts/sample-deploy.sh && node scripts/node-test.mjs --test-reporter=spec --test-concurrency=1 --test-force-exit out/test/cluster'
elif want cluster; then
  log "the local cluster is not running: the cluster tier fails (see $LOGS/cluster-up.log)"
  add cluster 0 1 0 0
fi
# What the cluster tier left behind (test baselines, their slices) must not show in the editor tiers'
# trees and screenshots: removed, and waited for, before them (test-e2e.sh also sweeps between its scripts).
if { want integration || want e2e; } && bash test/cluster/status.sh >/dev/null 2>&1; then
  bash test/cluster/sweep.sh || log "warning: test namespaces are left in the cluster (see above)"
fi
want integration && SLICE_SKIP_BUILD=1 counted integration bash scripts/test-integration.sh
want e2e && counted e2e bash scripts/test-e2e.sh

summary
[ "$FAIL" -eq 0 ]
