#!/usr/bin/env bash
# Build an OCI image tarball by hand (no registry, no daemon): tar + gzip + sha256, deterministic.
#
#   build-image.sh --name localhost/slice/NAME:TAG --out FILE.tar \
#       [--base BASE.tar]                       # reuse the layers (and config) of an image built by this script
#       --layer DIR [--layer DIR2 ...]          # one layer per directory, base first
#       [--entrypoint '["/bin/app"]'] [--cmd '["--flag"]'] [--env K=V ...]
#       [--workdir /app] [--user 65532:65532] [--expose 8080/tcp ...] [--label k=v ...]
#
# The output tar is an OCI image layout (oci-layout, index.json with the io.containerd.image.name
# annotation, blobs/sha256/...) plus a docker-save style manifest.json, so it works with
# `ctr -n k8s.io images import` (see import-image.sh) and with `docker load`.
# Determinism: files sorted by name, mtime 0, numeric owners as in the layer dirs, gzip -n,
# config "created" fixed at the epoch; the same inputs give the same digests.
set -euo pipefail

name="" out="" base="" entrypoint="null" cmd="null" workdir="" user=""
layers=() envs=() exposes=() labels=()
while [[ $# -gt 0 ]]; do
  case "$1" in
    --name) name=$2; shift 2 ;;
    --out) out=$2; shift 2 ;;
    --layer) layers+=("$2"); shift 2 ;;
    --base) base=$2; shift 2 ;;
    --entrypoint) entrypoint=$2; shift 2 ;;
    --cmd) cmd=$2; shift 2 ;;
    --env) envs+=("$2"); shift 2 ;;
    --workdir) workdir=$2; shift 2 ;;
    --user) user=$2; shift 2 ;;
    --expose) exposes+=("$2"); shift 2 ;;
    --label) labels+=("$2"); shift 2 ;;
    *) echo "build-image.sh: unknown argument $1" >&2; exit 2 ;;
  esac
done
[[ -n "$name" && -n "$out" && ${#layers[@]} -gt 0 ]] || { echo "usage: build-image.sh --name REF --out FILE --layer DIR [...]" >&2; exit 2; }
[[ "$name" == *:* ]] || name="$name:latest"
tag="${name##*:}"
command -v jq >/dev/null || { echo "build-image.sh: jq is required (apt-get install jq)" >&2; exit 1; }

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/oci/blobs/sha256"
blobs="$work/oci/blobs/sha256"

diff_ids=() layer_descs=()
if [[ -n "$base" ]]; then
  # Base image: copy its layer blobs, inherit its diff_ids and (unless overridden) its config.
  mkdir -p "$work/base"
  tar -C "$work/base" -xf "$base"
  bman="$(jq -r '.manifests[0].digest | ltrimstr("sha256:")' "$work/base/index.json")"
  bcfg="$(jq -r '.config.digest | ltrimstr("sha256:")' "$work/base/blobs/sha256/$bman")"
  while read -r d; do
    cp "$work/base/blobs/sha256/${d#sha256:}" "$blobs/"
  done < <(jq -r '.layers[].digest' "$work/base/blobs/sha256/$bman")
  mapfile -t diff_ids < <(jq -r '.rootfs.diff_ids[]' "$work/base/blobs/sha256/$bcfg")
  mapfile -t layer_descs < <(jq -c '.layers[]' "$work/base/blobs/sha256/$bman")
  bc="$work/base/blobs/sha256/$bcfg"
  [[ "$entrypoint" != null ]] || entrypoint="$(jq -c '.config.Entrypoint // null' "$bc")"
  [[ "$cmd" != null ]] || cmd="$(jq -c '.config.Cmd // null' "$bc")"
  [[ -n "$workdir" ]] || workdir="$(jq -r '.config.WorkingDir // ""' "$bc")"
  [[ -n "$user" ]] || user="$(jq -r '.config.User // ""' "$bc")"
  mapfile -t base_env < <(jq -r '.config.Env // [] | .[] | select(startswith("PATH=") | not)' "$bc")
  envs=("${base_env[@]}" "${envs[@]}")
fi
for dir in "${layers[@]}"; do
  [[ -d "$dir" ]] || { echo "build-image.sh: layer dir $dir does not exist" >&2; exit 1; }
  # Entries are listed explicitly (sorted, byte order) so the layer has no "./" entry: the
  # directory's own mode (mktemp dirs are 0700) must not replace the image's "/" or parent dirs.
  # Owners are kept numerically as they are in DIR (chown files there, e.g. 65532 for /app).
  (cd "$dir" && find . -mindepth 1 -printf '%P\n' | LC_ALL=C sort) \
    | tar -C "$dir" --no-recursion --verbatim-files-from -T - --mtime=@0 --numeric-owner --format=gnu \
        --no-acls --no-xattrs --no-selinux -cf "$work/layer.tar"
  diff_id="sha256:$(sha256sum "$work/layer.tar" | cut -d' ' -f1)"
  gzip -n -6 -c "$work/layer.tar" > "$work/layer.tar.gz"
  ld="$(sha256sum "$work/layer.tar.gz" | cut -d' ' -f1)"
  size="$(stat -c %s "$work/layer.tar.gz")"
  mv "$work/layer.tar.gz" "$blobs/$ld"
  rm -f "$work/layer.tar"
  diff_ids+=("$diff_id")
  layer_descs+=("{\"mediaType\":\"application/vnd.oci.image.layer.v1.tar+gzip\",\"digest\":\"sha256:$ld\",\"size\":$size}")
done

to_json_array() { if [[ $# -eq 0 ]]; then echo '[]'; else printf '%s\n' "$@" | jq -R . | jq -s .; fi; }
env_json="$(to_json_array PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin "${envs[@]}")"
diff_json="$(to_json_array "${diff_ids[@]}")"
expose_json="$(to_json_array "${exposes[@]}" | jq 'map({(.): {}}) | add // {}')"
label_json="$(to_json_array "${labels[@]}" | jq 'map(split("=") | {(.[0]): (.[1:] | join("="))}) | add // {}')"

jq -cS -n --argjson env "$env_json" --argjson ep "$entrypoint" --argjson cmd "$cmd" \
  --arg wd "$workdir" --arg user "$user" --argjson diffs "$diff_json" \
  --argjson exp "$expose_json" --argjson labels "$label_json" '
  {architecture: "amd64", os: "linux", created: "1970-01-01T00:00:00Z",
   config: ({Env: $env, Entrypoint: $ep, Cmd: $cmd, WorkingDir: $wd, User: $user,
             ExposedPorts: $exp, Labels: $labels}
            | with_entries(select(.value != null and .value != "" and .value != {}))),
   rootfs: {type: "layers", diff_ids: $diffs}}' > "$work/config.json"
cfg="$(sha256sum "$work/config.json" | cut -d' ' -f1)"
cfg_size="$(stat -c %s "$work/config.json")"
mv "$work/config.json" "$blobs/$cfg"

layers_json="$(printf '%s\n' "${layer_descs[@]}" | jq -s -c .)"
jq -cS -n --arg cfg "sha256:$cfg" --argjson cs "$cfg_size" --argjson layers "$layers_json" '
  {schemaVersion: 2, mediaType: "application/vnd.oci.image.manifest.v1+json",
   config: {mediaType: "application/vnd.oci.image.config.v1+json", digest: $cfg, size: $cs},
   layers: $layers}' > "$work/manifest.json"
man="$(sha256sum "$work/manifest.json" | cut -d' ' -f1)"
man_size="$(stat -c %s "$work/manifest.json")"
mv "$work/manifest.json" "$blobs/$man"

echo '{"imageLayoutVersion":"1.0.0"}' > "$work/oci/oci-layout"
jq -cS -n --arg m "sha256:$man" --argjson ms "$man_size" --arg name "$name" --arg tag "$tag" '
  {schemaVersion: 2, mediaType: "application/vnd.oci.image.index.v1+json",
   manifests: [{mediaType: "application/vnd.oci.image.manifest.v1+json", digest: $m, size: $ms,
                platform: {architecture: "amd64", os: "linux"},
                annotations: {"io.containerd.image.name": $name, "org.opencontainers.image.ref.name": $tag}}]}' \
  > "$work/oci/index.json"
# docker-save compatible manifest (layers referenced as blobs; docker accepts gzip layers).
jq -c -n --arg cfg "blobs/sha256/$cfg" --arg name "$name" --argjson layers "$layers_json" '
  [{Config: $cfg, RepoTags: [$name], Layers: ($layers | map("blobs/sha256/" + (.digest | ltrimstr("sha256:"))))}]' \
  > "$work/oci/manifest.json"

mkdir -p "$(dirname "$out")"
tar -C "$work/oci" --sort=name --mtime=@0 --owner=0 --group=0 --numeric-owner --format=gnu -cf "$out.tmp" .
mv "$out.tmp" "$out"
echo "$name sha256:$man $out"
