#!/usr/bin/env bash
# Removes from the local cluster what the test tiers created and left behind, and waits until it is
# gone: the namespaces the tests label app.kubernetes.io/part-of=slice-tests or slice-smoke (test
# baselines, fake slice namespaces; test/support/clusterDir.ts TEST_LABELS), the Slices that carry that
# label or are forked from those baselines, and those Slices' namespaces. `npm test` runs it before the integration and e2e tiers, so the editor's trees and the
# screenshots show the sample baseline `shop` and the user's own slices only. Nothing else is touched.
#
#   test/cluster/sweep.sh [--dry-run]     (--dry-run: only list what it would remove)
#   SLICE_SWEEP_TIMEOUT=180               seconds to wait for the namespaces and Slices to be gone
#   SLICE_SWEEP_PART_OF=a,b               other label values than slice-tests,slice-smoke
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source=lib.sh
. "$HERE/lib.sh"

dry=0
[[ "${1:-}" == --dry-run ]] && dry=1
PART_OF="${SLICE_SWEEP_PART_OF:-slice-tests,slice-smoke}"   # the label values the test tiers use
TEST_NAMESPACES="app.kubernetes.io/part-of in ($PART_OF)"
k() { "$D/bin/kubectl" --kubeconfig "$KCFG/admin.kubeconfig" --request-timeout=20s "$@"; }
[[ -x "$D/bin/kubectl" && -r "$KCFG/admin.kubeconfig" ]] || die "sweep: the local cluster is not set up ($D)"

# The test baselines, the Slices forked from them and those Slices' namespaces: one JSON list each.
what() {
  local baselines ofSlices slices=() sliceNs=()
  baselines="$(k get namespaces -l "$TEST_NAMESPACES" -o json | jq -c '[.items[].metadata.name]')"
  if k get crd slices.slice.dev >/dev/null 2>&1; then
    mapfile -t slices < <(k get slices.slice.dev -o json | jq -r --argjson b "$baselines" --arg p "$PART_OF" '.items[]
      | select((.metadata.labels["app.kubernetes.io/part-of"] // "" | IN($p | split(",")[])) or (.spec.baseline as $x | $b | index($x)))
      | .metadata.name')
  fi
  ofSlices="$(printf '%s\n' "${slices[@]}" | jq -Rsc 'split("\n") | map(select(. != "") | "slice-" + .)')"
  mapfile -t sliceNs < <(k get namespaces -l slice.dev/role=slice -o json | jq -r --argjson b "$baselines" --argjson s "$ofSlices" '.items[]
      | select((.metadata.labels["slice.dev/baseline"] as $x | $b | index($x)) or (.metadata.name as $n | $s | index($n)))
      | .metadata.name')
  NAMESPACES=(); mapfile -t NAMESPACES < <(jq -r '.[]' <<< "$baselines"; printf '%s\n' "${sliceNs[@]}" | sed '/^$/d')
  SLICES=("${slices[@]}")
}
what
if [[ ${#NAMESPACES[@]} -eq 0 && ${#SLICES[@]} -eq 0 ]]; then
  log "sweep: no test namespaces or Slices in the cluster"
  exit 0
fi
log "sweep: ${#SLICES[@]} test Slices (${SLICES[*]:-none}), ${#NAMESPACES[@]} test namespaces (${NAMESPACES[*]:-none})"
(( dry == 0 )) || exit 0

t0=$SECONDS
# Slices first: their controller removes their namespaces and data; then the namespaces themselves.
[[ ${#SLICES[@]} -eq 0 ]] || k delete slices.slice.dev "${SLICES[@]}" --ignore-not-found --wait=false >/dev/null
[[ ${#NAMESPACES[@]} -eq 0 ]] || k delete namespaces "${NAMESPACES[@]}" --ignore-not-found --wait=false >/dev/null
deadline=$(( SECONDS + ${SLICE_SWEEP_TIMEOUT:-180} ))
while :; do
  left=()
  if k get crd slices.slice.dev >/dev/null 2>&1 && [[ ${#SLICES[@]} -gt 0 ]]; then
    mapfile -t -O "${#left[@]}" left < <(k get slices.slice.dev "${SLICES[@]}" --ignore-not-found -o name)
  fi
  [[ ${#NAMESPACES[@]} -eq 0 ]] || mapfile -t -O "${#left[@]}" left < <(k get namespaces "${NAMESPACES[@]}" --ignore-not-found -o name)
  [[ ${#left[@]} -gt 0 ]] || break
  if (( SECONDS > deadline )); then
    k get slices.slice.dev "${SLICES[@]}" --ignore-not-found -o custom-columns='SLICE:.metadata.name,PHASE:.status.phase,WHY:.status.conditions[?(@.type=="Ready")].message' >&2 2>/dev/null || true
    die "sweep: still there after ${SLICE_SWEEP_TIMEOUT:-180}s: ${left[*]} (a Slice stuck in Deleting names its reason above; its controller's log: $D/bin/kubectl --kubeconfig $KCFG/admin.kubeconfig -n slice-system logs deploy/slice-controller)"
  fi
  sleep 1
done
log "sweep: removed in $(human_secs $((SECONDS - t0)))"
