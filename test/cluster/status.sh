#!/usr/bin/env bash
# Show the state of the local cluster: processes, health endpoints, node, add-ons, kubeconfigs.
# Exit code 0 when every component is running and healthy, 1 otherwise.
#   test/cluster/status.sh             (or: npm run cluster:status)
set -uo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source=lib.sh
. "$HERE/lib.sh"

ok=0
row() { printf '  %-24s %-8s %s\n' "$1" "$2" "$3"; }
echo "Slice local cluster ($K8S_VERSION), state dir $D"
if [[ ! -d "$D" ]]; then echo "  not set up (run: npm run cluster:up)"; exit 1; fi

check() { # NAME CMD...
  local name=$1; shift
  local pid="-"
  [[ -s "$RUN/$name.pid" ]] && pid="$(cat "$RUN/$name.pid")"
  if ! pid_alive "$name"; then row "$name" stopped "pid $pid"; ok=1; return; fi
  if "$@" >/dev/null 2>&1; then row "$name" healthy "pid $pid"; else row "$name" UNHEALTHY "pid $pid (log: $LOGS/$name.log)"; ok=1; fi
}
echo "Processes:"
check etcd curl -fsS "http://127.0.0.1:$ETCD_CLIENT_PORT/health"
check kube-apiserver curl -fsS --cacert "$PKI/ca.crt" --cert "$PKI/admin.crt" --key "$PKI/admin.key" "https://127.0.0.1:$APISERVER_PORT/readyz"
check kube-controller-manager curl -fsSk "https://127.0.0.1:$KCM_PORT/healthz"
check kube-scheduler curl -fsSk "https://127.0.0.1:$SCHED_PORT/healthz"
check containerd ctr --address "$CTR_SOCK" version
check kubelet curl -fsS "http://127.0.0.1:$KUBELET_HEALTHZ_PORT/healthz"
check kube-proxy curl -fsS "http://127.0.0.1:$PROXY_HEALTHZ_PORT/livez"
check kube-router curl -fsS "http://127.0.0.1:$KUBE_ROUTER_HEALTH_PORT/healthz"
check metrics-server curl -fsS --cacert "$PKI/ca.crt" \
  --resolve "metrics-server.kube-system.svc:$METRICS_SERVER_PORT:$(cat "$PKI/node-ip" 2>/dev/null)" \
  "https://metrics-server.kube-system.svc:$METRICS_SERVER_PORT/livez"
check postgres "$HERE/postgres.sh" status

KC="$D/bin/kubectl"
if [[ -x "$KC" ]] && pid_alive kube-apiserver; then
  echo "Node and add-ons:"
  "$KC" --kubeconfig "$KCFG/admin.kubeconfig" get nodes -o wide 2>&1 | sed 's/^/  /'
  "$KC" --kubeconfig "$KCFG/admin.kubeconfig" -n kube-system get pods -o wide 2>&1 | sed 's/^/  /'
fi
echo "Kubeconfigs:"
for u in admin alice bob; do
  [[ -f "$KCFG/$u.kubeconfig" ]] && echo "  $u: $KCFG/$u.kubeconfig"
done
echo "kubectl: $KC -> $(readlink "$KC" 2>/dev/null)"
[[ -f "$D/images.env" ]] && { echo "Images:"; sed 's/^/  /' "$D/images.env"; }
exit $ok
