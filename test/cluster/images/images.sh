# shellcheck shell=bash
# Image helpers for the local cluster. Source after ../lib.sh.
#
#   image_build_base           build (cached) the pause, node and coredns images
#   image_import FILE.tar      import a tarball into containerd's k8s.io namespace (skips if present)
#   node_image_ref             prints localhost/slice/node:<major of this machine's node>
#
# Image tarballs are cached in $SLICE_CACHE_DIR/cluster/images/<name>-<tag>-<hash of inputs>.tar.

IMAGES_HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
IMAGE_CACHE="$CACHE/images"
PAUSE_IMAGE=localhost/slice/pause:3.10

# The node runtime image holds the machine's /usr/bin/node (override: SLICE_IMAGE_NODE=/path/to/node).
node_bin() {
  local n="${SLICE_IMAGE_NODE:-/usr/bin/node}"
  [[ -x "$n" ]] || n="$(command -v node)" || die "node is not installed (needed for the node runtime image)"
  echo "$n"
}
node_major() { "$(node_bin)" -p 'process.versions.node.split(".")[0]'; }
node_image_ref() { echo "localhost/slice/node:$(node_major)"; }

_hash() { cat "$@" | sha256sum | cut -c1-12; }

# _cached_image NAME TAG HASH BUILDER_FUNC -> prints the tar path, builds it if missing
_cached_image() {
  local name=$1 tag=$2 hash=$3 fn=$4
  local out="$IMAGE_CACHE/$name-$tag-$hash.tar"
  if [[ ! -s "$out" ]]; then
    mkdir -p "$IMAGE_CACHE"
    log "image localhost/slice/$name:$tag: building"
    "$fn" "localhost/slice/$name:$tag" "$out" >/dev/null
    # drop tarballs of the same image built from older inputs
    find "$IMAGE_CACHE" -maxdepth 1 -name "$name-$tag-*.tar" ! -name "${out##*/}" -delete
  fi
  echo "$out"
}

_build_pause() {
  local ref=$1 out=$2 root; root="$(mktemp -d)"
  gcc -static -O2 -s -o "$root/pause" "$IMAGES_HERE/pause.c"
  "$IMAGES_HERE/build-image.sh" --name "$ref" --out "$out" --layer "$root" --entrypoint '["/pause"]' --user 65535:65535
  rm -rf "$root"
}

# Copies a dynamically linked binary into a rootfs at a path under it, with the libraries ldd lists
# (merged-/usr layout).
rootfs_binary() { # root binary path-in-root
  local root=$1 bin=$2 at=$3 lib dest
  cp "$bin" "$root/$at"
  for lib in $(ldd "$bin" | grep -o '/[^ ]*'); do
    dest="$root/usr${lib#/usr}"
    mkdir -p "$(dirname "$dest")"
    cp -L "$lib" "$dest"
  done
}

# Node runtime rootfs: the machine's node + the libraries ldd lists + busybox-static (sh, nslookup,
# wget, nc, ...) + a minimal /etc/passwd with a non-root user 65532. Merged-/usr layout like Debian.
node_rootfs() {
  local root=$1 node
  node="$(readlink -f "$(node_bin)")"
  mkdir -p "$root"/{usr/bin,usr/lib,usr/lib64,etc,tmp,app,home/nonroot}
  chmod 1777 "$root/tmp"
  ln -s usr/bin "$root/bin"; ln -s usr/bin "$root/sbin"; ln -s usr/lib "$root/lib"; ln -s usr/lib64 "$root/lib64"
  rootfs_binary "$root" "$node" usr/bin/node
  cp /bin/busybox "$root/usr/bin/busybox"
  local applet
  for applet in $(/bin/busybox --list); do
    [[ -e "$root/usr/bin/$applet" ]] || ln -s busybox "$root/usr/bin/$applet"
  done
  printf 'root:x:0:0:root:/root:/bin/sh\nnonroot:x:65532:65532:nonroot:/home/nonroot:/bin/sh\nnobody:x:65534:65534:nobody:/nonexistent:/bin/false\n' > "$root/etc/passwd"
  printf 'root:x:0:\nnonroot:x:65532:\nnogroup:x:65534:\n' > "$root/etc/group"
  printf 'hosts: files dns\n' > "$root/etc/nsswitch.conf"
  chown 65532:65532 "$root/home/nonroot" "$root/app"
}

_build_node() {
  local ref=$1 out=$2 root; root="$(mktemp -d)"
  node_rootfs "$root"
  "$IMAGES_HERE/build-image.sh" --name "$ref" --out "$out" --layer "$root" \
    --cmd '["node"]' --user 65532:65532 --workdir /app --env HOME=/home/nonroot
  rm -rf "$root"
}

_build_coredns() {
  local ref=$1 out=$2 root; root="$(mktemp -d)"
  mkdir -p "$root/etc"
  cp "$(component_dir coredns)/coredns" "$root/coredns"
  printf 'root:x:0:0:root:/root:/sbin/nologin\nnonroot:x:65532:65532:nonroot:/:/sbin/nologin\n' > "$root/etc/passwd"
  "$IMAGES_HERE/build-image.sh" --name "$ref" --out "$out" --layer "$root" \
    --entrypoint '["/coredns"]' --user 65532:65532
  rm -rf "$root"
}

_build_netpol() {
  local ref=$1 out=$2 root; root="$(mktemp -d)"
  mkdir -p "$root/bin"
  cp "$(component_dir netpol)/kube-network-policies" "$root/bin/netpol"
  "$IMAGES_HERE/build-image.sh" --name "$ref" --out "$out" --layer "$root" --entrypoint '["/bin/netpol"]'
  rm -rf "$root"
}

# Prints "REF TARFILE" lines for the base images, building what is missing.
image_build_base() {
  local bi="$IMAGES_HERE/build-image.sh" tag
  echo "$PAUSE_IMAGE $(_cached_image pause 3.10 "$(_hash "$IMAGES_HERE/pause.c" "$bi")" _build_pause)"
  tag="$(node_major)"
  echo "localhost/slice/node:$tag $(_cached_image node "$tag" "$(_hash "$(readlink -f "$(node_bin)")" /bin/busybox "$bi" "${BASH_SOURCE[0]}")" _build_node)"
  echo "localhost/slice/coredns:$COREDNS_VERSION $(_cached_image coredns "$COREDNS_VERSION" "$(_hash "$(component_dir coredns)/coredns" "$bi")" _build_coredns)"
  # kube-network-policies cannot run on these kernels (no CONFIG_NFT_QUEUE); its image is built only on request
  if [[ "${SLICE_WITH_NETPOL_IMAGE:-}" == 1 ]]; then
    echo "localhost/slice/kube-network-policies:$NETPOL_VERSION $(_cached_image kube-network-policies "$NETPOL_VERSION" "$(_hash "$(component_dir netpol)/kube-network-policies" "$bi")" _build_netpol)"
  fi
}

# ctr against the cluster's own containerd socket.
cctr() { ctr --address "$SLICE_CLUSTER_DIR/containerd/containerd.sock" -n k8s.io "$@"; }

# image_import REF FILE: import unless the same manifest digest is already there under REF.
image_import() {
  local ref=$1 file=$2 want have
  want="$(tar -xOf "$file" ./index.json | jq -r '.manifests[0].digest')"
  have="$(cctr images ls name=="$ref" 2>/dev/null | awk 'NR>1 {print $3}')"
  if [[ "$have" == "$want" ]]; then
    return 0
  fi
  cctr images import "$file" >/dev/null || die "importing $file into containerd failed"
  have="$(cctr images ls name=="$ref" | awk 'NR>1 {print $3}')"
  [[ "$have" == "$want" ]] || die "image $ref not found in containerd after importing $file"
  log "image $ref imported ($want)"
}
