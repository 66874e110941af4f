#!/usr/bin/env bash
# `npm run sample:deploy`: deploys the sample shop (sample/shop) as the baseline namespace `shop` into
# the cluster of KUBECONFIG (default: the local test cluster's admin kubeconfig). Idempotent; prints
# the time of each step.
#   1. production dependencies: `npm ci --omit=dev` once per package-lock.json, cached under
#      $SLICE_CACHE_DIR/sample-shop/deps-<lock hash> (`sample-deploy.sh --deps-only`: this step only)
#   2. the image localhost/slice/shop:<hash of the app's files and its lockfile>, built on the node
#      runtime image and imported into the local cluster (test/cluster/images/node-app-image.sh);
#      skipped when the cluster already has it
#   3. sample/shop/deploy/baseline.yaml applied with that image; waits for the three rollouts
# On another cluster: push the image to a registry the cluster pulls from, and apply baseline.yaml
# with SHOP_IMAGE replaced by its reference.
set -euo pipefail
source "$(dirname "$0")/env.sh"
cd "$SLICE_ROOT"
CLUSTER_DIR="$SLICE_CLUSTER_DIR"
deps_only=0; [ "${1:-}" = --deps-only ] && deps_only=1   # step 1 only (scripts/setup.sh, while the cluster builds)
if [ "$deps_only" = 0 ]; then
  KUBECTL="${SLICE_KUBECTL:-$CLUSTER_DIR/bin/kubectl}"
  [ -x "$KUBECTL" ] || KUBECTL="$(command -v kubectl)" || die "no kubectl: set SLICE_KUBECTL"
  export KUBECONFIG="${KUBECONFIG:-$CLUSTER_DIR/kubeconfig/admin.kubeconfig}"
  [ -r "${KUBECONFIG%%:*}" ] || die "cannot read the kubeconfig $KUBECONFIG: start the local cluster (npm run cluster:up) or set KUBECONFIG"
fi
k() { "$KUBECTL" "$@"; }
APP=sample/shop
WORK="$SLICE_CACHE_DIR/sample-shop"
SERVICES=(inventory orders storefront)

t0=$SECONDS; ts=$SECONDS
step_done() { log "sample: $1 ($((SECONDS - ts)) s)"; ts=$SECONDS; }

# 1. dependencies, once per lockfile
lock_hash="$(sha256sum "$APP/package-lock.json" | cut -c1-12)"
deps="$WORK/deps-$lock_hash"
if [ ! -d "$deps/node_modules" ]; then
  mkdir -p "$WORK"; tmp="$(mktemp -d "$WORK/tmp.XXXXXX")"
  cp "$APP/package.json" "$APP/package-lock.json" "$tmp/"
  prod_deps() { cd "$1" && npm ci --omit=dev --ignore-scripts --no-audit --no-fund; }
  run_step --label "sample: npm ci --omit=dev (package-lock.json $lock_hash)" --typical 15 \
    --hint "if the npm registry did not answer (see the log), check the network ('npm ping') and run the command again." \
    sample-prod-deps -- prod_deps "$tmp" || { rm -rf "$tmp"; die "the sample's dependencies could not be installed (above)"; }
  find "$WORK" -maxdepth 1 -name 'deps-*' -exec rm -rf {} +   # older lockfiles
  mv "$tmp" "$deps"
  step_done "dependencies installed"
elif [ "$deps_only" = 0 ]; then
  step_done "dependencies cached ($deps)"
fi
[ "$deps_only" = 0 ] || exit 0

# 2. the image: the app's own files (what the container runs) + the dependencies
mkdir -p "$WORK"; build="$(mktemp -d "$WORK/build.XXXXXX")"; chmod 755 "$build"   # own folder: runs may overlap
trap 'rm -rf "$build"' EXIT
cp -a "$APP/package.json" "$APP/package-lock.json" "$APP/telemetry" "$APP/lib" "$APP/services" "$APP/db" "$build/"
tag="$( (cd "$build" && find . -type f -print0 | sort -z | xargs -0 sha256sum; echo "$lock_hash") | sha256sum | cut -c1-12)"
cp -al "$deps/node_modules" "$build/node_modules" 2>/dev/null || cp -a "$deps/node_modules" "$build/node_modules"
IMAGE="localhost/slice/shop:$tag"
tar_file="$SLICE_CACHE_DIR/cluster/images/shop-$tag.tar"
if [ "${SLICE_NO_IMAGES:-}" = 1 ]; then
  step_done "image $IMAGE (SLICE_NO_IMAGES=1: not built)"
elif [ -s "$tar_file" ]; then
  # built before: import it unless the cluster has it already
  ( . test/cluster/lib.sh; . test/cluster/images/images.sh; image_import "$IMAGE" "$tar_file" )
  step_done "image $IMAGE (cached)"
else
  test/cluster/images/node-app-image.sh shop "$tag" "$build" -- --cmd '["node","--require","/app/telemetry/register.js","/app/services/storefront/src/server.js"]' >/dev/null
  find "$SLICE_CACHE_DIR/cluster/images" -maxdepth 1 -name 'shop-*.tar' ! -name "shop-$tag.tar" -delete
  step_done "image $IMAGE built"
fi
rm -rf "$build"

# 3. apply and wait
sed "s#SHOP_IMAGE#$IMAGE#" "$APP/deploy/baseline.yaml" | k apply --server-side --force-conflicts --field-manager=slice-sample -f - | { grep -v ' unchanged$' || true; } >&2
# The local cluster's PostgreSQL publishes Secret shop/shop-db when it runs: orders then keeps its
# orders there (it reads DATABASE_URL at start, so it restarts once the Secret appears).
if [ "$KUBECONFIG" = "$CLUSTER_DIR/kubeconfig/admin.kubeconfig" ] && [ "$(id -u)" = 0 ] && [ -x test/cluster/postgres.sh ] \
  && ! k -n shop get secret shop-db >/dev/null 2>&1 && test/cluster/postgres.sh status >/dev/null 2>&1; then
  test/cluster/postgres.sh publish
  k -n shop rollout restart deployment/orders >/dev/null
fi
step_done "applied $APP/deploy/baseline.yaml"
for s in "${SERVICES[@]}"; do
  k -n shop rollout status "deployment/$s" --timeout=120s >/dev/null || {
    k -n shop get pods -o wide >&2; k -n shop logs "deployment/$s" --tail=30 >&2 || true
    die "deployment shop/$s did not become available (its pods and last logs are above)"
  }
done
step_done "rolled out: ${SERVICES[*]}"
db="memory"; k -n shop get secret shop-db >/dev/null 2>&1 && db="PostgreSQL (Secret shop-db)"
log "sample: the shop is up in namespace shop with $IMAGE, orders in $db ($((SECONDS - t0)) s in all)"
cat >&2 <<MSG
  Try it:   $KUBECTL -n shop port-forward svc/storefront 8080:80   then open http://127.0.0.1:8080/
            curl 'http://127.0.0.1:8080/checkout?sku=book&coupon=SAVE10'     (an order)
            curl 'http://127.0.0.1:8080/checkout?sku=bulk-rice'              (slow: the warehouse lookup)
            curl 'http://127.0.0.1:8080/checkout?sku=book&coupon=SUMMER23'   (500: an expired coupon throws)
  Fork it:  open sample/shop in VS Code with Slice, "Slice: Create Slice" (slice.yaml forks orders)
MSG
