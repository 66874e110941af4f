#!/usr/bin/env bash
# Build (or reuse from cache) the Go binaries of the local cluster.
#
#   build.sh [k8s|coredns|kube-router|netpol|all]...     (default all = what up.sh needs: k8s coredns kube-router)
#
# Binaries are cached outside the repo in
#   ${SLICE_CACHE_DIR:-$HOME/.cache/slice}/cluster/<component>-<version>-<hash of go.mod+go.sum+main.go>/
# so a fresh clone on the same machine reuses them. GOMODCACHE/GOCACHE stay at Go's defaults.
# Prints nothing but progress on stderr; `build.sh --print-dir k8s` prints the cache dir of a component.
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source=lib.sh
. "$HERE/lib.sh"

export GOTOOLCHAIN=local CGO_ENABLED=0 GOFLAGS=-mod=readonly
# Go module proxy only; never "direct" (no VCS hosts are reachable from here).
export GOPROXY="${GOPROXY_OVERRIDE:-https://proxy.golang.org}"

# build_component NAME VERSION MODDIR OUT_NAME PKG [LDFLAGS]
build_component() {
  local name=$1 version=$2 moddir=$3 out=$4 pkg=$5 ldflags=${6:-}
  local dir; dir="$(component_dir "$name")"
  if [[ -x "$dir/$out" ]]; then
    log "$name $version: cached at $dir"
    return 0
  fi
  log "$name $version: building with go (cold: k8s ~20 min, coredns ~5-10 min on 2 cores) ..."
  local tmp="$dir.tmp.$$"
  rm -rf "$tmp"; mkdir -p "$tmp"
  local start=$SECONDS
  ( cd "$moddir" && nice -n 10 go build -trimpath -ldflags "-s -w $ldflags" -o "$tmp/$out" "$pkg" ) \
    > "$tmp/build.log" 2>&1 || { tail -n 40 "$tmp/build.log" >&2; die "$name: go build failed (log: $tmp/build.log)"; }
  echo "$(( SECONDS - start ))" > "$tmp/build-seconds"
  echo "$version" > "$tmp/version"
  rm -rf "$dir"; mv "$tmp" "$dir"
  log "$name $version: built in $(( SECONDS - start ))s -> $dir"
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
  build_component coredns "$COREDNS_VERSION" "$HERE/go/coredns" coredns github.com/coredns/coredns \
    "-X github.com/coredns/coredns/coremain.GitCommit=$COREDNS_VERSION"
}

build_netpol() {
  build_component netpol "$NETPOL_VERSION" "$HERE/go/netpol" kube-network-policies "$NETPOL_PKG"
}

build_kube_router() {
  build_component kube-router "$KUBE_ROUTER_VERSION" "$HERE/go/kube-router" kube-router \
    github.com/cloudnativelabs/kube-router/v2/cmd/kube-router \
    "-X github.com/cloudnativelabs/kube-router/v2/pkg/version.Version=$KUBE_ROUTER_VERSION"
}

if [[ "${1:-}" == "--print-dir" ]]; then component_dir "$2"; exit 0; fi
targets=("$@"); [[ ${#targets[@]} -gt 0 ]] || targets=(all)
for t in "${targets[@]}"; do
  case "$t" in
    k8s) build_k8s ;;
    coredns) build_coredns ;;
    netpol) build_netpol ;;
    kube-router) build_kube_router ;;
    all) build_k8s; build_coredns; build_kube_router ;;
    *) die "unknown build target: $t" ;;
  esac
done
