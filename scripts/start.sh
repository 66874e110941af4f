#!/usr/bin/env bash
# `npm start`: VS Code in the browser (code-server) with Slice installed from its packaged .vsix,
# on the sample workspace, pointed at a cluster. Uses your kubeconfig when you have one
# (slice.kubeconfig / KUBECONFIG / ~/.kube/config); otherwise, as root on Linux, brings up the
# project's local Kubernetes (test/cluster) and uses its admin, alice and bob identities.
# Stop with Ctrl-C. The local cluster keeps running: `npm run cluster:down` stops it.
set -euo pipefail
source "$(dirname "$0")/env.sh"
cd "$SLICE_ROOT"
PORT="${SLICE_PORT:-8080}"
RUN="$SLICE_RUN_DIR/start"
step() { printf '\n[%s] ▶ %s\n' "$(date +%H:%M:%S)" "$*"; T0=$SECONDS; }
done_() { printf '[%s]   done in %ss\n' "$(date +%H:%M:%S)" "$((SECONDS - T0))"; }
START=$SECONDS

step "tools (Node 24, code-server ${SLICE_CODE_SERVER_VERSION}, Chromium)"
bash scripts/install-tools.sh
source scripts/env.sh
[ -d node_modules/esbuild ] || npm ci --no-audit --no-fund
done_

step "build and package the extension"
node esbuild.config.mjs --production >/dev/null
npx --no-install vsce package --no-dependencies --no-rewrite-relative-links --out dist/slice.vsix >/dev/null
done_

KUBECONFIG_FOR_SLICE=""
if [ -n "${KUBECONFIG:-}" ] || [ -f "$HOME/.kube/config" ]; then
  echo "Using your kubeconfig (${KUBECONFIG:-$HOME/.kube/config}) as it is."
else
  [ "$(uname -s)" = Linux ] || die "no kubeconfig found and the local cluster needs Linux. Set KUBECONFIG to a cluster you can use and run npm start again."
  [ "$(id -u)" = 0 ] || die "no kubeconfig found and the local cluster needs root. Run as root, or set KUBECONFIG to a cluster you can use."
  step "local Kubernetes (test/cluster; the first run builds it from the Go module proxy, which takes a while)"
  bash test/cluster/up.sh
  done_
  CD="${SLICE_CLUSTER_DIR:-/var/lib/slice-cluster}"
  step "sample baseline namespace"
  "$CD/bin/kubectl" --kubeconfig "$CD/kubeconfig/admin.kubeconfig" apply -f - >/dev/null <<YAML
apiVersion: v1
kind: Namespace
metadata:
  name: shop
  labels:
    slice.dev/role: baseline
YAML
  mkdir -p "$RUN"
  KUBECONFIG="$CD/kubeconfig/admin.kubeconfig:$CD/kubeconfig/alice.kubeconfig:$CD/kubeconfig/bob.kubeconfig" \
    "$CD/bin/kubectl" config view --flatten > "$RUN/kubeconfig.yaml"
  KUBECONFIG_FOR_SLICE="$RUN/kubeconfig.yaml"
  done_
fi

step "code-server with Slice installed"
mkdir -p "$RUN/user-data/User" "$RUN/user-data/Machine" "$RUN/extensions"
cat > "$RUN/user-data/User/settings.json" <<JSON
{ "workbench.startupEditor": "none", "security.workspace.trust.enabled": false, "telemetry.telemetryLevel": "off",
  "extensions.autoUpdate": false, "extensions.autoCheckUpdates": false, "chat.disableAIFeatures": true,
  "workbench.secondarySideBar.defaultVisibility": "hidden", "git.openRepositoryInParentFolders": "never" }
JSON
if [ -n "$KUBECONFIG_FOR_SLICE" ]; then echo "{ \"slice.kubeconfig\": \"$KUBECONFIG_FOR_SLICE\" }" > "$RUN/user-data/Machine/settings.json"; fi
"$SLICE_CODE_SERVER" --extensions-dir "$RUN/extensions" --user-data-dir "$RUN/user-data" --force --install-extension dist/slice.vsix >/dev/null
if ss -ltn "sport = :$PORT" | grep -q LISTEN; then die "port $PORT is in use: $(ss -ltnp "sport = :$PORT" | tail -n +2). Set SLICE_PORT to another port."; fi
done_
URL="http://127.0.0.1:$PORT/?folder=$SLICE_ROOT/test/workspace"
cat <<TXT

  Slice is ready in $((SECONDS - START)) s:  $URL

  Try first: open the Slice view in the activity bar (the cube). The Environments tree lists your
  contexts; "Slice: Select Cluster" (F1) switches between them. With the local cluster, the admin
  context shows the baseline "shop"; alice and bob are developers (with the platform bundle installed,
  npm run platform:install, they can create their own slices: Slice: Create Slice).

  Ctrl-C stops VS Code. npm run cluster:down stops the local cluster.
TXT
exec "$SLICE_CODE_SERVER" --bind-addr "127.0.0.1:$PORT" --auth none --disable-telemetry --disable-update-check \
  --disable-workspace-trust --disable-getting-started-override \
  --user-data-dir "$RUN/user-data" --extensions-dir "$RUN/extensions" "$SLICE_ROOT/test/workspace"
