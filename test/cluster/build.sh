#!/usr/bin/env bash
# Build (or reuse from cache) the Go binaries of the local cluster.
#
#   build.sh [k8s|coredns|kube-router|metrics-server|netpol|otelcol|all]...   (default all = what up.sh needs:
#                                                        k8s coredns kube-router metrics-server;
#                                                        otelcol is the baseline's collector, built for the platform image)
#   build.sh --cached [TARGET]...                       exit 0 when every target is built already, 1 otherwise
#   build.sh --print-dir COMPONENT                      the cache dir of a component
#
# Binaries are cached outside the repo, once per version, in
#   ${SLICE_CACHE_DIR:-~/.cache/slice}/cluster/<component>-<version>-<hash of its wrapper module>/
# so a fresh clone on the same machine reuses them. Go's module and build caches are kept beside them
# ($SLICE_CACHE_DIR/go): removing $SLICE_CACHE_DIR is a cold start, and a rebuild after a go.mod change
# or an interrupted build is incremental.
#
# `all` builds Kubernetes first (the longest), then CoreDNS, kube-router and metrics-server, whose modules
# are downloaded from the proxy while Kubernetes compiles. (Built at once they would not finish sooner: the
# Kubernetes build alone keeps both cores busy, 98-100% of the time.) While a component builds, a line
# every 20 s says how many of its packages are compiled, the time so far and the time its last build
# took; its log is <cache dir>.tmp.<pid>/build.log, and build.log in the cache dir once built.
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source=lib.sh
. "$HERE/lib.sh"

export GOTOOLCHAIN=local CGO_ENABLED=0 GOFLAGS="-mod=readonly -modcacherw"
export GOMODCACHE="${SLICE_GOMODCACHE:-$SLICE_CACHE_DIR/go/mod}" GOCACHE="${SLICE_GOCACHE:-$SLICE_CACHE_DIR/go/build}"
# Go module proxy only; never "direct" (no VCS hosts are reachable from here).
export GOPROXY="${GOPROXY_OVERRIDE:-https://proxy.golang.org}"

# What a build takes here when none has been timed yet (2 cores, cold caches, no other load).
declare -A TYPICAL=([k8s]=420 [coredns]=80 [kube-router]=70 [netpol]=120 [otelcol]=240 [metrics-server]=150)

# packages_done DIR: "812 of 2659 packages compiled" (go build -v names each package it compiles)
packages_done() {
  local total done_
  [[ -s "$1/packages.txt" ]] || { echo "downloading modules"; return; }
  total=$(wc -l < "$1/packages.txt")
  done_=$(grep -cvE '^(====|#|go: )' "$1/build.log" || true)
  if (( done_ >= total )); then echo "all $total packages compiled, linking"; else echo "$done_ of $total packages compiled"; fi
}

# go_build TMP MODDIR PKG OUT LDFLAGS (run by run_step, in its own process; niced, so that the set-up's
# other steps and the machine's own work go first)
go_build() {
  local tmp=$1 moddir=$2 pkg=$3 out=$4 ldflags=$5
  cd "$moddir"
  rm -f "$tmp/packages.txt"
  nice -n 10 go list -deps "$pkg" > "$tmp/packages.tmp"   # downloads the modules; how many packages there are
  mv "$tmp/packages.tmp" "$tmp/packages.txt"
  # -dwarf=false: no debug info is compiled that -w would strip at the link anyway (12% less CPU time)
  nice -n 10 go build -v -trimpath -gcflags=all=-dwarf=false -ldflags "-s -w $ldflags" -o "$tmp/$out" "$pkg"
}

# build_component NAME VERSION MODDIR OUT_NAME PKG [LDFLAGS]
build_component() {
  local name=$1 version=$2 moddir=$3 out=$4 pkg=$5 ldflags=${6:-}
  local dir t; dir="$(component_dir "$name")"
  if [[ -x "$dir/$out" ]]; then
    log "$name $version: cached at $dir"
    return 0
  fi
  for t in "$dir".tmp.*; do   # left by a build that was stopped
    if [[ -d "$t" ]] && ! kill -0 "${t##*.}" 2>/dev/null; then rm -rf "$t"; fi
  done
  local tmp="$dir.tmp.$BASHPID" start=$SECONDS
  rm -rf "$tmp"; mkdir -p "$tmp"
  run_step --label "$name $version (go build)" --log "$tmp/build.log" --typical "${TYPICAL[$name]}" \
    --detail "packages_done '$tmp'" \
    --hint "a compile error means the wrapper module test/cluster/go/$name does not build with $(go env GOVERSION); a failure of the Go module proxy that outlasted the retries: run the command again later." \
    "build-$name" -- go_build "$tmp" "$moddir" "$pkg" "$out" "$ldflags"
  echo "$(( SECONDS - start ))" > "$tmp/build-seconds"
  echo "$version" > "$tmp/version"
  rm -f "$tmp/packages.txt"
  rm -rf "$dir"; mv "$tmp" "$dir"
}

build_k8s() {
  local v="$K8S_VERSION" mm="${K8S_VERSION#v}"
  local major="${mm%%.*}" rest="${mm#*.}"; local minor="${rest%%.*}"
  local ld="" k
  for k in "gitVersion=$v" "gitMajor=$major" "gitMinor=$minor" "gitTreeState=clean" \
           "gitCommit=$v" "buildDate=1970-01-01T00:00:00Z"; do
    ld+=" -X k8s.io/component-base/version.$k -X k8s.io/client-go/pkg/version.$k"
  done
  build_component k8s "$v" "$HERE/go/k8s" k8s . "$ld"
  local dir; dir="$(component_dir k8s)"
  for k in kube-apiserver kube-controller-manager kube-scheduler kubelet kube-proxy kubectl; do
    ln -sfn k8s "$dir/$k"
  done
}

build_coredns() {
  build_component coredns "$COREDNS_VERSION" "$HERE/go/coredns" coredns . \
    "-X github.com/coredns/coredns/coremain.GitCommit=$COREDNS_VERSION"
}

build_netpol() {
  build_component netpol "$NETPOL_VERSION" "$HERE/go/netpol" kube-network-policies "$NETPOL_PKG"
}

build_otelcol() {
  build_component otelcol "$OTELCOL_VERSION" "$HERE/go/otelcol" otelcol .
}

build_metrics_server() {
  build_component metrics-server "$METRICS_SERVER_VERSION" "$HERE/go/metrics-server" metrics-server \
    sigs.k8s.io/metrics-server/cmd/metrics-server \
    "-X k8s.io/client-go/pkg/version.gitVersion=$METRICS_SERVER_VERSION -X k8s.io/client-go/pkg/version.gitCommit=$METRICS_SERVER_VERSION -X k8s.io/client-go/pkg/version.buildDate=1970-01-01T00:00:00Z"
}

build_kube_router() {
  build_component kube-router "$KUBE_ROUTER_VERSION" "$HERE/go/kube-router" kube-router . \
    "-X github.com/cloudnativelabs/kube-router/v2/pkg/version.Version=$KUBE_ROUTER_VERSION"
}

# The four that up.sh needs: Kubernetes first, the modules of the other three downloaded meanwhile.
PREFETCH_PIDS=()
prefetch_modules() { # MODDIR: `go mod download`, niced; a failure here is the build's to report and retry
  (cd "$1" && nice -n 19 go mod download) >> "$CACHE/prefetch-$(basename "$1").log" 2>&1 || true
}
build_all() {
  local start=$SECONDS c
  # otelcol's modules too: the platform install builds it next (scripts/platform-install.sh)
  for c in coredns kube-router metrics-server otelcol; do
    if ! is_cached "$c"; then prefetch_modules "$HERE/go/$c" & PREFETCH_PIDS+=($!); fi
  done
  build_k8s
  build_coredns
  build_kube_router
  build_metrics_server
  wait "${PREFETCH_PIDS[@]}" 2>/dev/null || true
  PREFETCH_PIDS=()
  log "cluster binaries ready in $(human_secs $((SECONDS - start)))"
}
stop_prefetch() { local p; for p in "${PREFETCH_PIDS[@]}"; do kill_tree "$p"; done; }
trap 'stop_prefetch; exit 130' INT TERM

is_cached() {
  case "$1" in
    k8s) [[ -x "$(component_dir k8s)/k8s" ]] ;;
    coredns) [[ -x "$(component_dir coredns)/coredns" ]] ;;
    netpol) [[ -x "$(component_dir netpol)/kube-network-policies" ]] ;;
    kube-router) [[ -x "$(component_dir kube-router)/kube-router" ]] ;;
    otelcol) [[ -x "$(component_dir otelcol)/otelcol" ]] ;;
    metrics-server) [[ -x "$(component_dir metrics-server)/metrics-server" ]] ;;
    all) is_cached k8s && is_cached coredns && is_cached kube-router && is_cached metrics-server ;;
    *) die "unknown build target: $1" ;;
  esac
}

if [[ "${1:-}" == "--print-dir" ]]; then component_dir "$2"; exit 0; fi
if [[ "${1:-}" == "--cached" ]]; then
  shift; targets=("$@"); [[ ${#targets[@]} -gt 0 ]] || targets=(all)
  for t in "${targets[@]}"; do is_cached "$t" || exit 1; done
  exit 0
fi
targets=("$@"); [[ ${#targets[@]} -gt 0 ]] || targets=(all)
# One build at a time per cache (npm start and npm test started together wait for each other).
mkdir -p "$CACHE"
exec 9> "$CACHE/.build.lock"
if ! flock -n 9; then
  log "another build of the cluster's binaries is running (lock $CACHE/.build.lock); waiting for it"
  flock 9
fi
for t in "${targets[@]}"; do
  case "$t" in
    k8s) build_k8s ;;
    coredns) build_coredns ;;
    netpol) build_netpol ;;
    kube-router) build_kube_router ;;
    otelcol) build_otelcol ;;
    metrics-server) build_metrics_server ;;
    all) build_all ;;
    *) die "unknown build target: $t" ;;
  esac
done
