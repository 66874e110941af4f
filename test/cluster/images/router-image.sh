#!/usr/bin/env bash
# The slice router image: nginx from Debian's package (apt-get download, no install on this machine;
# the .deb is cached once per version), the libraries its binary links, busybox for the entry point
# (router/slice-router.sh: reload on config change) and a non-root user 65532.
#
#   router-image.sh            builds (cached) and imports into the local cluster; prints the reference
#   SLICE_NO_IMPORT=1 router-image.sh    only builds the tarball
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source=../lib.sh
. "$HERE/../lib.sh"
# shellcheck source=images.sh
. "$HERE/images.sh"

# Debian bookworm's nginx (see README.md: why nginx)
NGINX_DEB_VERSION="${SLICE_NGINX_VERSION:-1.22.1-9+deb12u12}"
debs="$CACHE/debs"
deb="$debs/nginx_${NGINX_DEB_VERSION//:/%3a}_amd64.deb"
if [[ ! -s "$deb" ]]; then
  mkdir -p "$debs"
  log "router: downloading Debian's nginx $NGINX_DEB_VERSION (once per version)"
  (cd "$debs" && apt-get download -q "nginx=$NGINX_DEB_VERSION" 2>&1 | grep -v '^W: Download is performed unsandboxed' >&2) \
    || die "apt-get download nginx=$NGINX_DEB_VERSION failed (apt-get update? another version: SLICE_NGINX_VERSION=...)"
  [[ -s "$deb" ]] || deb="$(ls -1 "$debs"/nginx_*.deb | head -1)"
fi

_build_router() {
  local ref=$1 out=$2 root x applet
  root="$(mktemp -d)"; x="$(mktemp -d)"
  dpkg-deb -x "$deb" "$x"
  mkdir -p "$root"/{usr/bin,usr/sbin,usr/lib,usr/lib64,etc/slice-router,tmp,home/nonroot,var/lib/nginx,var/log/nginx}
  chmod 1777 "$root/tmp"
  ln -s usr/bin "$root/bin"; ln -s usr/sbin "$root/sbin"; ln -s usr/lib "$root/lib"; ln -s usr/lib64 "$root/lib64"
  rootfs_binary "$root" "$x/usr/sbin/nginx" usr/sbin/nginx
  cp /bin/busybox "$root/usr/bin/busybox"
  for applet in sh md5sum sleep cut kill mkdir cat echo; do ln -s busybox "$root/usr/bin/$applet"; done
  install -m 0755 "$HERE/router/slice-router.sh" "$root/usr/bin/slice-router"
  printf 'root:x:0:0:root:/root:/bin/sh\nnonroot:x:65532:65532:nonroot:/home/nonroot:/bin/sh\n' > "$root/etc/passwd"
  printf 'root:x:0:\nnonroot:x:65532:\n' > "$root/etc/group"
  chown 65532:65532 "$root/home/nonroot"
  "$IMAGES_HERE/build-image.sh" --name "$ref" --out "$out" --layer "$root" \
    --entrypoint '["/usr/bin/slice-router"]' --user 65532:65532 --label "org.opencontainers.image.version=nginx-$NGINX_DEB_VERSION"
  rm -rf "$root" "$x"
}

tag="${NGINX_DEB_VERSION%%-*}"
h="$(_hash "$deb" /bin/busybox "$HERE/router/slice-router.sh" "$IMAGES_HERE/build-image.sh" "${BASH_SOURCE[0]}")"
ref="localhost/slice/router:$tag-$h"
tar="$(_cached_image router "$tag-$h" "$h" _build_router)"
if [[ "${SLICE_NO_IMPORT:-}" != 1 ]]; then
  [[ -S "$SLICE_CLUSTER_DIR/containerd/containerd.sock" ]] || die "cluster containerd is not running (npm run cluster:up)"
  image_import "$ref" "$tar"
fi
echo "$ref"
