#!/usr/bin/env bash
# Build an app image on top of the node runtime image and import it into the cluster's containerd.
#
#   node-app-image.sh NAME TAG DIR [-- build-image.sh options, e.g. --cmd '["node","/app/server.js"]' --env K=V]
#
# DIR is copied to /app (owned by 65532, the image's non-root user). The result is
# localhost/slice/NAME:TAG; the tarball is kept in $SLICE_CACHE_DIR/cluster/images/. Default command:
# node /app/index.js (or /app/server.js if that exists). Set SLICE_NO_IMPORT=1 to only build the tar.
# Prints the image reference on stdout.
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source=../lib.sh
. "$HERE/../lib.sh"
# shellcheck source=images.sh
. "$HERE/images.sh"

[[ $# -ge 3 ]] || die "usage: node-app-image.sh NAME TAG DIR [-- extra build-image.sh options]"
name=$1 tag=$2 dir=$3; shift 3
[[ "${1:-}" == "--" ]] && shift
[[ -d "$dir" ]] || die "node-app-image.sh: $dir is not a directory"

base_line="$(image_build_base | grep '^localhost/slice/node:')"
base_tar="${base_line#* }"

layer="$(mktemp -d)"; trap 'rm -rf "$layer"' EXIT
mkdir -p "$layer/app"
cp -a "$dir/." "$layer/app/"
chown -R 65532:65532 "$layer/app"
chmod -R u+rwX,go+rX "$layer/app"   # cp -a copied DIR's own mode (mktemp dirs are 0700) onto /app
main=index.js; [[ -f "$layer/app/server.js" && ! -f "$layer/app/index.js" ]] && main=server.js

out="$IMAGE_CACHE/$name-$tag.tar"
mkdir -p "$IMAGE_CACHE"
"$HERE/build-image.sh" --name "localhost/slice/$name:$tag" --out "$out" --base "$base_tar" --layer "$layer" \
  --cmd "[\"node\",\"/app/$main\"]" --workdir /app "$@" >/dev/null
if [[ "${SLICE_NO_IMPORT:-}" != 1 ]]; then
  [[ -S "$SLICE_CLUSTER_DIR/containerd/containerd.sock" ]] || die "cluster containerd is not running (npm run cluster:up)"
  image_import "localhost/slice/$name:$tag" "$out"
fi
echo "localhost/slice/$name:$tag"
