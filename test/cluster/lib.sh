# shellcheck shell=bash
# Shared settings and helpers for test/cluster/*.sh. Source it; do not run it.

CLUSTER_HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"

# ---- versions (keep in sync with go/*/go.mod and README.md) ----
K8S_VERSION=v1.34.12
COREDNS_VERSION=v1.13.2
NETPOL_VERSION=v0.8.0
NETPOL_PKG=sigs.k8s.io/kube-network-policies/cmd
KUBE_ROUTER_VERSION=v2.1.0
# the baseline's OpenTelemetry Collector (go/otelcol): every collector module at this one release
OTELCOL_VERSION=v0.161.0
# metrics-server (go/metrics-server): serves metrics.k8s.io from the kubelets' resource metrics
METRICS_SERVER_VERSION=v0.8.0
# etcd: Debian's etcd-server package (3.4.23), see README.md

# ---- locations, log/die, run_step: the project's one shell library ----
# shellcheck source=../../scripts/lib.sh
. "$CLUSTER_HERE/../../scripts/lib.sh"
SLICE_LOG_TAG=cluster
CACHE="$SLICE_CACHE_DIR/cluster"

# Cache directory of a built component: <name>-<version>-<hash of its wrapper module>.
component_dir() {
  local name=$1 version moddir
  case "$name" in
    k8s) version=$K8S_VERSION; moddir=k8s ;;
    coredns) version=$COREDNS_VERSION; moddir=coredns ;;
    netpol) version=$NETPOL_VERSION; moddir=netpol ;;
    kube-router) version=$KUBE_ROUTER_VERSION; moddir=kube-router ;;
    otelcol) version=$OTELCOL_VERSION; moddir=otelcol ;;
    metrics-server) version=$METRICS_SERVER_VERSION; moddir=metrics-server ;;
    *) die "unknown component $name" ;;
  esac
  local h f files=(go.mod go.sum)
  for f in "$CLUSTER_HERE/go/$moddir"/*.go; do [[ -e "$f" ]] && files+=("./${f##*/}"); done
  h=$(cd "$CLUSTER_HERE/go/$moddir" && cat "${files[@]}" | sha256sum | cut -c1-12)
  printf '%s/%s-%s-%s\n' "$CACHE" "$name" "$version" "$h"
}

# ---- cluster layout ----
NODE_NAME=slice-node
POD_CIDR=10.244.0.0/24
POD_GW=10.244.0.1
SERVICE_CIDR=10.96.0.0/16
KUBE_SVC_IP=10.96.0.1
DNS_SVC_IP=10.96.0.10
BRIDGE=slicebr0
CNI_NET=slice
ETCD_CLIENT_PORT=12379
ETCD_PEER_PORT=12380
APISERVER_PORT=16443
KCM_PORT=10257
SCHED_PORT=10259
KUBELET_PORT=10250
KUBELET_HEALTHZ_PORT=10248
PROXY_HEALTHZ_PORT=10256
PROXY_METRICS_PORT=10249
NETPOL_METRICS_PORT=19080
KUBE_ROUTER_HEALTH_PORT=20244
METRICS_SERVER_PORT=10251
ALL_PORTS="$ETCD_CLIENT_PORT $ETCD_PEER_PORT $APISERVER_PORT $KCM_PORT $SCHED_PORT $KUBELET_PORT $KUBELET_HEALTHZ_PORT $PROXY_HEALTHZ_PORT $PROXY_METRICS_PORT $KUBE_ROUTER_HEALTH_PORT $METRICS_SERVER_PORT"

D="$SLICE_CLUSTER_DIR"
PKI="$D/pki"
KCFG="$D/kubeconfig"
RUN="$D/run"
LOGS="$D/logs"
CONF="$D/config"
HOSTSTATE="$D/host-state"
CTR_SOCK="$D/containerd/containerd.sock"
# Sysctls the cluster (kubelet, kube-proxy, CNI bridge) may change; recorded at up, restored at down.
SYSCTLS="net.ipv4.ip_forward net.bridge.bridge-nf-call-iptables net.bridge.bridge-nf-call-ip6tables
 vm.overcommit_memory vm.panic_on_oom kernel.panic kernel.panic_on_oops kernel.keys.root_maxkeys
 kernel.keys.root_maxbytes net.ipv4.conf.all.route_localnet net.netfilter.nf_conntrack_max
 net.netfilter.nf_conntrack_tcp_timeout_established net.netfilter.nf_conntrack_tcp_timeout_close_wait"
# Host paths outside $D that containerd/kubelet/CNI create; removed at down if they did not exist at up.
HOST_PATHS="/run/containerd /var/lib/cni /var/log/containers /var/log/pods /var/lib/kubelet /etc/cni /opt/cni /etc/kubernetes /run/netns /var/run/netns /var/run/nri /var/lib/kube-router /run/kube-router"

require_root() { [[ $(id -u) -eq 0 ]] || die "must run as root (it starts containerd, kubelet and changes iptables/sysctls); try: sudo $0"; }

k8s_bin_dir() { component_dir k8s; }
kubectl_admin() { "$(k8s_bin_dir)/kubectl" --kubeconfig "$KCFG/admin.kubeconfig" "$@"; }

# Node IP: the source address the kernel would use for the default route (no packet is sent),
# falling back to the first global IPv4 address. Never loopback.
detect_node_ip() {
  local ip
  ip="$(ip -4 route get 1.1.1.1 2>/dev/null | sed -n 's/.* src \([0-9.]*\).*/\1/p' | head -1)"
  [[ -n "$ip" ]] || ip="$(ip -4 -o addr show scope global | awk '{print $4}' | cut -d/ -f1 | head -1)"
  [[ -n "$ip" && "$ip" != 127.* ]] || die "cannot find a non-loopback IPv4 address for the node (ip -4 addr)"
  echo "$ip"
}

pid_alive() { local f="$RUN/$1.pid"; [[ -s "$f" ]] && kill -0 "$(cat "$f")" 2>/dev/null; }

# start_proc [--restart-on-change] NAME CMD...: start in its own session (process group = its pid), log to
# $LOGS/NAME.log. With --restart-on-change, a running NAME whose command line is not CMD is stopped and
# started again (a flag up.sh added since it last ran, e.g. the API server's aggregation layer).
start_proc() {
  local restart=0
  if [[ "$1" == --restart-on-change ]]; then restart=1; shift; fi
  local name=$1; shift
  if pid_alive "$name"; then
    local want had
    want="$(printf '%s\n' "$@")"
    had="$(tr '\0' '\n' < "/proc/$(cat "$RUN/$name.pid")/cmdline" 2>/dev/null)"
    if (( restart )) && [[ "$had" != "$want" ]]; then
      log "$name runs with another command line than this up.sh gives it: restarting it"
      stop_procs "$name"
    else
      log "$name already running (pid $(cat "$RUN/$name.pid"))"; return 0
    fi
  fi
  mkdir -p "$RUN" "$LOGS"
  echo "==== $(date -Is) starting: $*" >> "$LOGS/$name.log"
  # A daemon outlives this script: it must not keep the script's other open files, such as the lock
  # of a `flock FILE bash up.sh` that started it (held for as long as the cluster runs, the lock kept
  # every other `flock FILE …` waiting).
  (
    for fd in /proc/$BASHPID/fd/*; do fd=${fd##*/}; if (( fd > 2 )); then eval "exec $fd>&-" 2>/dev/null || true; fi; done
    exec setsid "$@" >> "$LOGS/$name.log" 2>&1 < /dev/null
  ) &
  echo $! > "$RUN/$name.pid"
  log "$name started (pid $!)"
}

# wait_for NAME TIMEOUT_S CMD...: poll CMD until it succeeds; fail with the log tail.
wait_for() {
  local name=$1 timeout=$2; shift 2
  local deadline=$(( SECONDS + timeout ))
  while ! "$@" >/dev/null 2>&1; do
    if [[ -f "$RUN/$name.pid" ]] && ! pid_alive "$name"; then
      fail_component "$name" "process exited"
    fi
    (( SECONDS < deadline )) || fail_component "$name" "health check failed after ${timeout}s: $*"
    sleep 0.5
  done
}

fail_component() {
  local name=$1 why=$2
  {
    echo "[cluster] error: $name: $why"
    if [[ -f "$LOGS/$name.log" ]]; then
      echo "---- last 30 lines of $LOGS/$name.log ----"
      tail -n 30 "$LOGS/$name.log"
      echo "----"
    fi
  } >&2
  exit 1
}

# stop_procs [-t SECONDS] NAME...: TERM their process groups together, wait up to SECONDS (default 10),
# then KILL what is left. Safe if not running.
stop_procs() {
  local timeout=10 name pid i left
  if [[ "${1:-}" == -t ]]; then timeout=$2; shift 2; fi
  local -A pids=()
  for name in "$@"; do
    [[ -s "$RUN/$name.pid" ]] || continue
    pid="$(cat "$RUN/$name.pid")"
    if kill -0 "$pid" 2>/dev/null; then
      kill -TERM -- "-$pid" 2>/dev/null || kill -TERM "$pid" 2>/dev/null || true
      pids[$name]=$pid
    else
      rm -f "$RUN/$name.pid"
    fi
  done
  for ((i = 0; i < timeout * 4; i++)); do
    left=0
    for name in "${!pids[@]}"; do kill -0 "${pids[$name]}" 2>/dev/null && left=1; done
    (( left )) || break
    sleep 0.25
  done
  for name in "${!pids[@]}"; do
    pid=${pids[$name]}
    if kill -0 "$pid" 2>/dev/null; then
      log "$name did not stop after ${timeout}s; killing"
      kill -KILL -- "-$pid" 2>/dev/null || kill -KILL "$pid" 2>/dev/null || true
    fi
    log "$name stopped (pid $pid)"
    rm -f "$RUN/$name.pid"
  done
}

# write_if_changed FILE [MODE]: write stdin to FILE only if the content differs (components such as
# kube-proxy exit when their config file changes under them, so a re-run of up must not touch it).
write_if_changed() {
  local file=$1 mode=${2:-} tmp="$1.new.$$"
  cat > "$tmp"
  [[ -n "$mode" ]] && chmod "$mode" "$tmp"
  if [[ -f "$file" ]] && cmp -s "$tmp" "$file"; then rm -f "$tmp"; else mv "$tmp" "$file"; fi
}
