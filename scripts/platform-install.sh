#!/usr/bin/env bash
# `npm run platform:install`: installs the Slice platform bundle (deploy/platform) into the cluster of
# KUBECONFIG (default: the local test cluster's admin kubeconfig). Idempotent.
#   1. builds dist/controller.js and dist/agent.js (esbuild --production)
#   2. builds images localhost/slice/controller:<v> and localhost/slice/agent:<v> on the node runtime
#      image and imports them into the local cluster (test/cluster/images/node-app-image.sh);
#      <v> = package.json version + a hash of the bundle, so a rebuild is picked up
#   3. applies deploy/platform with those images, waits for the CRD and the controller
# On another cluster, push the two images to a registry the cluster can pull from and apply
# deploy/platform with `kubectl apply -f deploy/platform` after replacing the image references.
set -euo pipefail
source "$(dirname "$0")/env.sh"
cd "$SLICE_ROOT"
CLUSTER_DIR="$SLICE_CLUSTER_DIR"
KUBECTL="${SLICE_KUBECTL:-$CLUSTER_DIR/bin/kubectl}"
[ -x "$KUBECTL" ] || KUBECTL="$(command -v kubectl)" || die "no kubectl: set SLICE_KUBECTL"
export KUBECONFIG="${KUBECONFIG:-$CLUSTER_DIR/kubeconfig/admin.kubeconfig}"
k() { "$KUBECTL" "$@"; }

log "platform: building the controller and agent bundles"
node esbuild.config.mjs --production >/dev/null
version="$(node -p 'require("./package.json").version')"

build_image() { # name bundle
  local name=$1 bundle=$2 hash dir tag
  hash="$(cat "dist/$bundle" test/cluster/images/build-image.sh test/cluster/images/node-app-image.sh | sha256sum | cut -c1-10)"
  tag="$version-$hash"
  if [ "${SLICE_NO_IMAGES:-}" != 1 ]; then
    dir="$(mktemp -d)"; chmod 755 "$dir"
    cp "dist/$bundle" "$dir/"
    test/cluster/images/node-app-image.sh "$name" "$tag" "$dir" -- --cmd "[\"node\",\"/app/$bundle\"]" >/dev/null
    rm -rf "$dir"
  fi
  echo "localhost/slice/$name:$tag"
}
log "platform: building images"
CONTROLLER_IMAGE="$(build_image controller controller.js)"
AGENT_IMAGE="$(build_image agent agent.js)"
# the request router (issue 22): Debian's nginx, see test/cluster/images/router-image.sh
if [ "${SLICE_NO_IMAGES:-}" != 1 ]; then
  ROUTER_IMAGE="$(test/cluster/images/router-image.sh)"
else
  ROUTER_IMAGE="$(SLICE_NO_IMPORT=1 test/cluster/images/router-image.sh)"
fi
# the baseline's OpenTelemetry Collector (whole traces, 70-otelcol.yaml): its binary is built once per
# version from the Go module proxy (test/cluster/build.sh otelcol, cached); the image is that one file
if [ "${SLICE_NO_IMAGES:-}" != 1 ]; then
  OTELCOL_IMAGE="$(test/cluster/images/otelcol-image.sh)"
else
  OTELCOL_IMAGE=localhost/slice/otelcol:latest   # not built: the bundle's manifests only
fi
log "platform: $CONTROLLER_IMAGE, $AGENT_IMAGE, $ROUTER_IMAGE, $OTELCOL_IMAGE"

config_hash="$(sed -e "s#localhost/slice/agent:latest#$AGENT_IMAGE#" -e "s#localhost/slice/router:latest#$ROUTER_IMAGE#" deploy/platform/50-controller-config.yaml | sha256sum | cut -c1-10)"
log "platform: applying deploy/platform to $(k config current-context 2>/dev/null || echo '?')"
for f in deploy/platform/*.yaml; do
  sed -e "s#localhost/slice/controller:latest#$CONTROLLER_IMAGE#" \
      -e "s#localhost/slice/otelcol:latest#$OTELCOL_IMAGE#" \
      -e "s#localhost/slice/agent:latest#$AGENT_IMAGE#" \
      -e "s#localhost/slice/router:latest#$ROUTER_IMAGE#" \
      -e "s#slice.dev/config-hash: none#slice.dev/config-hash: \"$config_hash\"#" "$f"
  echo '---'
done | k apply -f - | { grep -v ' unchanged$' || true; }
k wait --for=condition=Established --timeout=60s crd/slices.slice.dev >/dev/null
# Request routing: the platform's routing secret (slice keys are HMACs under it), created once.
if ! k -n slice-system get secret slice-routing-master >/dev/null 2>&1; then
  k -n slice-system create secret generic slice-routing-master --from-literal=key="$(head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n')" >/dev/null
  log "platform: created the routing secret slice-system/slice-routing-master"
fi
# The Gateway API CRDs (standard channel, from the Go module sigs.k8s.io/gateway-api, cached once per
# version) on the local cluster, so the API server validates the HTTPRoutes of routingMode
# gateway-api even though no mesh enforces them here. A cluster with a mesh has its own.
GATEWAY_API_VERSION=v1.6.3
if [ "$KUBECONFIG" = "$CLUSTER_DIR/kubeconfig/admin.kubeconfig" ] && command -v go >/dev/null; then
  gw_dir="$(GOMODCACHE="$SLICE_CACHE_DIR/go/mod" GOFLAGS=-modcacherw GOPROXY="${GOPROXY_OVERRIDE:-https://proxy.golang.org}" GOTOOLCHAIN=local \
    go mod download -json "sigs.k8s.io/gateway-api@$GATEWAY_API_VERSION" | node -e 'let s="";process.stdin.on("data",(c)=>s+=c).on("end",()=>console.log(JSON.parse(s).Dir||""))')" \
    || die "downloading sigs.k8s.io/gateway-api@$GATEWAY_API_VERSION from the Go module proxy failed"
  for crd in httproutes referencegrants gateways gatewayclasses; do
    cat "$gw_dir/config/crd/standard/gateway.networking.k8s.io_$crd.yaml"; echo '---'
  done | k apply --server-side --force-conflicts -f - | { grep -v 'serverside-applied$' || true; }
  log "platform: Gateway API $GATEWAY_API_VERSION CRDs installed"
fi
# Per-slice data: the local cluster's PostgreSQL publishes its Service and the platform's DSN (Secret
# slice-system/slice-postgres-admin). On another cluster, create that Secret yourself (see README).
if [ "$KUBECONFIG" = "$CLUSTER_DIR/kubeconfig/admin.kubeconfig" ] && [ -d "$CLUSTER_DIR/postgres" ] && [ "$(id -u)" = 0 ] \
  && test/cluster/postgres.sh status >/dev/null; then
  test/cluster/postgres.sh publish
fi
k -n slice-system rollout status deployment/slice-controller --timeout=120s >/dev/null \
  || { k -n slice-system get pods -o wide; k -n slice-system logs deploy/slice-controller --tail=30 || true; die "the slice controller did not become Available"; }
log "platform: installed (controller Available)"
