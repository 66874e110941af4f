#!/usr/bin/env bash
# Build (cached) the baseline collector's image and import it into the cluster's containerd.
#
#   otelcol-image.sh      prints localhost/slice/otelcol:<collector version>-<hash of the binary>
#
# The binary is test/cluster/build.sh's (go/otelcol: OpenTelemetry Collector components from the Go
# module proxy, all at one release), built once per version and cached. It is static (CGO off), so
# the image is that one file, run as 65532. SLICE_NO_IMPORT=1 only builds the tarball.
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source=../lib.sh
. "$HERE/../lib.sh"
# shellcheck source=images.sh
. "$HERE/images.sh"

"$HERE/../build.sh" otelcol >&2
bin="$(component_dir otelcol)/otelcol"
[[ -x "$bin" ]] || die "no collector binary at $bin"
tag="${OTELCOL_VERSION#v}-$(_hash "$bin" "$HERE/build-image.sh" "$HERE/otelcol-image.sh")"
ref="localhost/slice/otelcol:$tag"
out="$IMAGE_CACHE/otelcol-$tag.tar"
if [[ ! -s "$out" ]]; then
  layer="$(mktemp -d)"; trap 'rm -rf "$layer"' EXIT
  install -D -m 0755 "$bin" "$layer/otelcol"
  mkdir -p "$IMAGE_CACHE"
  "$HERE/build-image.sh" --name "$ref" --out "$out" --layer "$layer" \
    --entrypoint '["/otelcol"]' --user 65532:65532 --expose 4317/tcp --expose 4318/tcp >/dev/null
  find "$IMAGE_CACHE" -maxdepth 1 -name 'otelcol-*.tar' ! -name "${out##*/}" -delete
fi
if [[ "${SLICE_NO_IMPORT:-}" != 1 ]]; then
  [[ -S "$SLICE_CLUSTER_DIR/containerd/containerd.sock" ]] || die "cluster containerd is not running (npm run cluster:up)"
  image_import "$ref" "$out"
fi
echo "$ref"
