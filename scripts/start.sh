#!/usr/bin/env bash
# `npm start`: the demo in one command. First it installs what it needs (scripts/setup.sh: Debian
# packages, Node 24, code-server, npm dependencies and, for the local cluster, its binaries), so nothing
# has to be run before it. Then VS Code in the browser (code-server, in the background) with Slice
# installed from its packaged .vsix, on the sample workspace, pointed at a cluster:
#   - your kubeconfig when you have one (KUBECONFIG or ~/.kube/config), used as it is;
#   - otherwise, as root on Linux, the project's local Kubernetes (test/cluster) with the Slice
#     platform bundle and the sample baseline, and the developer identity alice selected.
# Idempotent: a second run reuses the tools, the package, the cluster and the running code-server.
# `npm stop` stops code-server; `npm stop -- --cluster` also stops the local cluster.
# Environment: SLICE_PORT (8080), SLICE_LOCAL_CLUSTER=1 (use the local cluster even with a kubeconfig).
set -euo pipefail
source "$(dirname "$0")/env.sh"
cd "$SLICE_ROOT"
PORT="${SLICE_PORT:-8080}"
RUN="$SLICE_RUN_DIR/start"
PIDFILE="$RUN/code-server.pid"
CD="$SLICE_CLUSTER_DIR"
mkdir -p "$RUN"

TIMINGS=()
step() { STEP="$*"; printf '\n[%s] ▶ %s\n' "$(date +%H:%M:%S)" "$STEP"; T0=$(date +%s.%N); }
done_() {
  local s; s=$(awk -v a="$T0" -v b="$(date +%s.%N)" 'BEGIN{printf "%.1f", b-a}')
  printf '[%s]   %s (%s s)\n' "$(date +%H:%M:%S)" "${1:-done}" "$s"; TIMINGS+=("$(printf '%6s s  %s' "$s" "$STEP")")
}
START=$(date +%s.%N)

# Which cluster: a configured kubeconfig wins; the local cluster needs Linux and root.
USER_KUBECONFIG=""
if [ "${SLICE_LOCAL_CLUSTER:-}" != 1 ]; then
  if [ -n "${KUBECONFIG:-}" ]; then USER_KUBECONFIG="$KUBECONFIG"; elif [ -f "$HOME/.kube/config" ]; then USER_KUBECONFIG="$HOME/.kube/config"; fi
fi
if [ -z "$USER_KUBECONFIG" ]; then
  if [ "$(uname -s)" != Linux ] || [ "$(id -u)" != 0 ]; then
    cat >&2 <<TXT
error: no kubeconfig is configured, and the local cluster needs Linux and root (this is $(uname -s), uid $(id -u)).
  Use a cluster you already have instead:
    1. export KUBECONFIG=/path/to/your/kubeconfig   (or create ~/.kube/config), then npm start again; or
    2. npm run package, then in desktop VS Code: Extensions → … → Install from VSIX… → dist/slice.vsix,
       and pick your context with "Slice: Select Cluster".
  The cluster needs the Slice platform bundle once (README: "What the platform team installs").
TXT
    exit 1
  fi
fi

if [ -n "$USER_KUBECONFIG" ]; then
  step "set-up (Debian packages, Node 24, code-server ${SLICE_CODE_SERVER_VERSION}, npm dependencies)"
  bash scripts/setup.sh --no-cluster || die "npm start stopped: the set-up failed (what failed and what to do is above)"
else
  step "set-up (Debian packages, Node 24, code-server ${SLICE_CODE_SERVER_VERSION}, npm dependencies, the local cluster's binaries)"
  bash scripts/setup.sh || die "npm start stopped: the set-up failed (what failed and what to do is above)"
fi
source scripts/env.sh
done_

step "build and package the extension (dist/slice.vsix)"
if [ -f dist/slice.vsix ] && [ -z "$(find src media package.json esbuild.config.mjs README.md -newer dist/slice.vsix -print -quit)" ]; then
  done_ "up to date"
else
  npx --no-install vsce package --no-dependencies --no-rewrite-relative-links --out dist/slice.vsix >/dev/null
  done_ "packaged"
fi

SLICE_KUBECONFIG=""
if [ -n "$USER_KUBECONFIG" ]; then
  step "cluster"
  SLICE_KUBECONFIG="${USER_KUBECONFIG%%:*}"
  [ "$SLICE_KUBECONFIG" = "$USER_KUBECONFIG" ] || SLICE_KUBECONFIG=""  # several files: let Slice merge KUBECONFIG itself
  done_ "using your kubeconfig ($USER_KUBECONFIG) as it is; the platform bundle and sample are your platform team's"
else
  KUBECTL="$CD/bin/kubectl"
  ADMIN="$CD/kubeconfig/admin.kubeconfig"
  step "local Kubernetes (test/cluster)"
  if bash test/cluster/status.sh >/dev/null 2>&1; then done_ "already up"; else
    bash test/cluster/up.sh || die "npm start stopped: the local cluster did not come up (the component that failed and its log are above; npm run cluster:status shows each one)"
    done_ "up"
  fi

  step "Slice platform bundle (CRD, controller, RBAC, admission policies)"
  # dist/controller.js is fresh: vsce package built every bundle (vscode:prepublish)
  want="$(node -p 'require("./package.json").version')-$(cat dist/controller.js test/cluster/images/build-image.sh test/cluster/images/node-app-image.sh | sha256sum | cut -c1-10)"
  have="$("$KUBECTL" --kubeconfig "$ADMIN" -n slice-system get deploy slice-controller -o jsonpath='{.spec.template.spec.containers[0].image}' 2>/dev/null || true)"
  ready="$("$KUBECTL" --kubeconfig "$ADMIN" -n slice-system get deploy slice-controller -o jsonpath='{.status.availableReplicas}' 2>/dev/null || true)"
  if [ "$have" = "localhost/slice/controller:$want" ] && [ "${ready:-0}" -ge 1 ]; then done_ "already installed ($have)"; else
    KUBECONFIG="$ADMIN" bash scripts/platform-install.sh
    done_ "installed"
  fi

  step "sample baseline (namespace shop)"
  if [ -f scripts/sample-deploy.sh ]; then
    KUBECONFIG="$ADMIN" bash scripts/sample-deploy.sh
    done_ "deployed"
  else
    "$KUBECTL" --kubeconfig "$ADMIN" apply -f - >/dev/null <<YAML
apiVersion: v1
kind: Namespace
metadata:
  name: shop
  labels:
    slice.dev/role: baseline
YAML
    done_ "namespace only (scripts/sample-deploy.sh is not there yet)"
  fi

  step "kubeconfig for the editor (alice selected; bob and admin available)"
  # alice first: her context is the merged file's current-context, which Slice selects by default.
  KUBECONFIG="$CD/kubeconfig/alice.kubeconfig:$CD/kubeconfig/bob.kubeconfig:$ADMIN" "$KUBECTL" config view --flatten > "$RUN/kubeconfig.yaml.tmp"
  mv "$RUN/kubeconfig.yaml.tmp" "$RUN/kubeconfig.yaml"
  chmod 600 "$RUN/kubeconfig.yaml"
  SLICE_KUBECONFIG="$RUN/kubeconfig.yaml"
  done_ "$SLICE_KUBECONFIG (current context $("$KUBECTL" --kubeconfig "$SLICE_KUBECONFIG" config current-context))"
fi

WORKSPACE="$SLICE_ROOT/test/workspace"
[ -d sample/shop ] && WORKSPACE="$SLICE_ROOT/sample/shop"

step "code-server with Slice installed"
mkdir -p "$RUN/user-data/User" "$RUN/user-data/Machine" "$RUN/extensions"
cat > "$RUN/user-data/User/settings.json" <<JSON
{ "workbench.startupEditor": "none", "security.workspace.trust.enabled": false, "telemetry.telemetryLevel": "off",
  "extensions.autoUpdate": false, "extensions.autoCheckUpdates": false, "chat.disableAIFeatures": true,
  "workbench.secondarySideBar.defaultVisibility": "hidden", "git.openRepositoryInParentFolders": "never",
  "workbench.welcomePage.walkthroughs.openOnInstall": false }
JSON
# slice.kubeconfig is machine-scoped: code-server reads it from the Machine settings.
if [ -n "$SLICE_KUBECONFIG" ]; then printf '{ "slice.kubeconfig": "%s" }\n' "$SLICE_KUBECONFIG" > "$RUN/user-data/Machine/settings.json"; else echo '{}' > "$RUN/user-data/Machine/settings.json"; fi
vsix_hash="$(sha256sum dist/slice.vsix | cut -c1-16)"
reinstalled=0
if [ "$(cat "$RUN/extensions/.slice-vsix" 2>/dev/null)" != "$vsix_hash" ]; then
  "$SLICE_CODE_SERVER" --extensions-dir "$RUN/extensions" --user-data-dir "$RUN/user-data" --force --install-extension dist/slice.vsix >/dev/null
  echo "$vsix_hash" > "$RUN/extensions/.slice-vsix"
  reinstalled=1
fi
running_pid() { # the pid in the pid file when that process is the code-server this script started
  local pid; pid="$(cat "$PIDFILE" 2>/dev/null)" || return 1
  [ -n "$pid" ] && [ -r "/proc/$pid/cmdline" ] && tr '\0' ' ' < "/proc/$pid/cmdline" | grep -q -- "--user-data-dir $RUN/user-data" && echo "$pid"
}
if pid="$(running_pid)"; then
  PORT="$(cat "$RUN/code-server.port" 2>/dev/null || echo "$PORT")"
  msg="already running (pid $pid, port $PORT)"
  [ "$reinstalled" = 0 ] || msg="$msg; the extension was updated: reload the browser tab (F1 → Developer: Reload Window)"
  done_ "$msg"
else
  if ss -ltn "sport = :$PORT" | grep -q LISTEN; then die "port $PORT is in use: $(ss -ltnp "sport = :$PORT" | tail -n +2). Set SLICE_PORT to another port."; fi
  # setsid: its own process group, so npm stop ends code-server and its extension host together.
  setsid "$SLICE_CODE_SERVER" --bind-addr "127.0.0.1:$PORT" --auth none --disable-telemetry --disable-update-check \
    --disable-workspace-trust --disable-getting-started-override \
    --user-data-dir "$RUN/user-data" --extensions-dir "$RUN/extensions" "$WORKSPACE" \
    >>"$RUN/code-server.log" 2>&1 < /dev/null &
  echo $! > "$PIDFILE"
  echo "$PORT" > "$RUN/code-server.port"
  done_ "started (pid $(cat "$PIDFILE"), log $RUN/code-server.log)"
fi

step "wait for the workbench"
for _ in $(seq 1 120); do
  if curl -fsS "http://127.0.0.1:$PORT/healthz" >/dev/null 2>&1 && curl -fsS "http://127.0.0.1:$PORT/?folder=$WORKSPACE" 2>/dev/null | grep -q 'workbench'; then break; fi
  running_pid >/dev/null || die "code-server exited; see $RUN/code-server.log"
  sleep 0.25
done
curl -fsS "http://127.0.0.1:$PORT/healthz" >/dev/null || die "code-server does not answer on port $PORT; see $RUN/code-server.log"
done_ "answers"

URL="http://127.0.0.1:$PORT/?folder=$WORKSPACE"
TOTAL=$(awk -v a="$START" -v b="$(date +%s.%N)" 'BEGIN{printf "%.1f", b-a}')
printf '\nTimings:\n'; printf '  %s\n' "${TIMINGS[@]}"; printf '  %6s s  total\n' "$TOTAL"
cat <<TXT

  Slice is ready:  $URL

  Try first:
    1. Open the Slice view (the cube in the activity bar): your cluster, the baseline "shop" and its workloads.
    2. F1 → "Slice: Create Slice" forks the workloads listed in slice.yaml into a slice of your own.
    3. F1 → "Slice: Start Sync" (Ctrl+Alt+S), edit a handler and save: the fork runs your code.
    4. F1 → "Slice: Send Request to Workload", then watch the CodeLens over the handler.
    The walkthrough (F1 → "Welcome: Open Walkthrough…" → Slice) goes through the same steps.

  npm stop stops VS Code (npm stop -- --cluster also stops the local cluster).
TXT
