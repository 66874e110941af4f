#!/usr/bin/env bash
# Bring up the local single-node Kubernetes cluster (idempotent).
#
#   sudo test/cluster/up.sh            (or: npm run cluster:up)
#
# Builds or reuses the binaries (build.sh), makes certs/kubeconfigs, then starts, in order and each
# behind a health check: etcd, kube-apiserver, kube-controller-manager, kube-scheduler, containerd,
# kubelet, kube-proxy, kube-router, and applies CoreDNS, then metrics-server (metrics.k8s.io). State lives in
# $SLICE_CLUSTER_DIR (default /var/lib/slice-cluster); see README.md.
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source=lib.sh
. "$HERE/lib.sh"
# shellcheck source=certs.sh
. "$HERE/certs.sh"
# shellcheck source=images/images.sh
. "$HERE/images/images.sh"

T0=$SECONDS
require_root

# ---- prerequisites (the Debian packages are installed when one is missing) ----
prerequisites() {
  local c
  for c in containerd containerd-shim-runc-v2 runc ctr iptables nft ipset ip openssl gcc jq conntrack etcd; do
    command -v "$c" >/dev/null || { echo "'$c'"; return 1; }
  done
  [[ -x /usr/lib/cni/bridge && -x /usr/lib/cni/host-local && -x /usr/lib/cni/loopback ]] || { echo "the CNI plugins in /usr/lib/cni"; return 1; }
}
if ! missing="$(prerequisites)"; then
  log "$missing is missing: installing the cluster's Debian packages (test/cluster/install-deps.sh)"
  "$HERE/install-deps.sh" || die "the cluster's Debian packages could not be installed (above)"
  missing="$(prerequisites)" || die "$missing is still missing after test/cluster/install-deps.sh"
fi
command -v go >/dev/null || die "go is missing (needed to build Kubernetes from the module proxy): install Go, or use your own cluster (KUBECONFIG)"

"$HERE/build.sh" all
BIN="$(k8s_bin_dir)"
ETCD_BIN="$(command -v etcd)"

NODE_IP="$(detect_node_ip)"
log "node $NODE_NAME, IP $NODE_IP, state dir $D"
mkdir -p "$D" "$RUN" "$LOGS" "$CONF" "$HOSTSTATE" "$D/bin"
ln -sfn "$BIN/kubectl" "$D/bin/kubectl"

# ---- ports: each must be free unless our own component already holds it ----
declare -A PORT_OWNER=(
  [$ETCD_CLIENT_PORT]=etcd [$ETCD_PEER_PORT]=etcd [$APISERVER_PORT]=kube-apiserver
  [$KCM_PORT]=kube-controller-manager [$SCHED_PORT]=kube-scheduler [$KUBELET_PORT]=kubelet
  [$KUBELET_HEALTHZ_PORT]=kubelet [$PROXY_HEALTHZ_PORT]=kube-proxy [$PROXY_METRICS_PORT]=kube-proxy
  [$KUBE_ROUTER_HEALTH_PORT]=kube-router [$METRICS_SERVER_PORT]=metrics-server
)
for p in $ALL_PORTS; do
  owner="${PORT_OWNER[$p]}"
  pid_alive "$owner" && continue
  if ss -H -ltn "sport = :$p" | grep -q .; then
    die "port $p (needed by $owner) is already in use:
$(ss -ltnp "sport = :$p")"
  fi
done

# ---- host state: record once (first up after a down), so down can restore it ----
if [[ ! -f "$HOSTSTATE/recorded" ]]; then
  : > "$HOSTSTATE/sysctl.orig"
  for s in $SYSCTLS; do
    v="$(sysctl -n "$s" 2>/dev/null)" && printf '%s=%s\n' "$s" "$v" >> "$HOSTSTATE/sysctl.orig"
  done
  : > "$HOSTSTATE/created-paths"
  for p in $HOST_PATHS; do [[ -e "$p" || -L "$p" ]] || echo "$p" >> "$HOSTSTATE/created-paths"; done
  nft list tables 2>/dev/null > "$HOSTSTATE/nft-tables.orig" || true
  : > "$HOSTSTATE/created-cgroups"
  for c in /sys/fs/cgroup/*/; do [[ -d "$c/kubepods" ]] || echo "${c%/}/kubepods" >> "$HOSTSTATE/created-cgroups"; done
  date -Is > "$HOSTSTATE/recorded"
fi
# Kernel settings the node needs; kubelet would set the vm./kernel. ones itself.
sysctl -qw net.ipv4.ip_forward=1 net.bridge.bridge-nf-call-iptables=1 net.bridge.bridge-nf-call-ip6tables=1 \
  vm.overcommit_memory=1 kernel.panic=10 kernel.panic_on_oops=1

# Pod traffic may only stay on this machine: forwarded packets from pods to anything outside the pod
# network, or from outside into it, are dropped (pods reach the host and Services; DNAT happens first).
iptables -w -N SLICE-GUARD 2>/dev/null || true
iptables -w -F SLICE-GUARD
iptables -w -A SLICE-GUARD -s "$POD_CIDR" -d "$POD_CIDR" -j RETURN
iptables -w -A SLICE-GUARD -s "$POD_CIDR" -j DROP
iptables -w -A SLICE-GUARD -d "$POD_CIDR" -j DROP
iptables -w -C FORWARD -j SLICE-GUARD 2>/dev/null || iptables -w -I FORWARD 1 -j SLICE-GUARD

# ---- certificates and kubeconfigs ----
make_pki "$NODE_IP"
make_kubeconfigs

# ---- etcd ----
start_proc etcd "$ETCD_BIN" --name slice --data-dir "$D/etcd" \
  --listen-client-urls "http://127.0.0.1:$ETCD_CLIENT_PORT" --advertise-client-urls "http://127.0.0.1:$ETCD_CLIENT_PORT" \
  --listen-peer-urls "http://127.0.0.1:$ETCD_PEER_PORT" --initial-advertise-peer-urls "http://127.0.0.1:$ETCD_PEER_PORT" \
  --initial-cluster "slice=http://127.0.0.1:$ETCD_PEER_PORT" --initial-cluster-state new \
  --snapshot-count 5000 --quota-backend-bytes $((2*1024*1024*1024)) --log-level warn
wait_for etcd 30 curl -fsS "http://127.0.0.1:$ETCD_CLIENT_PORT/health"

# ---- kube-apiserver ----
curl_api() { curl -fsS --cacert "$PKI/ca.crt" --cert "$PKI/admin.crt" --key "$PKI/admin.key" "https://127.0.0.1:$APISERVER_PORT$1"; }
# The aggregation layer (metrics.k8s.io is served by metrics-server): the API server authenticates to an
# aggregated API server with the front-proxy client cert and names the user in X-Remote-* headers. It
# dials the Service's endpoint itself (--enable-aggregator-routing), not its cluster IP: a connection to
# the cluster IP opened before kube-proxy has the Service's rule leaves the machine and is kept alive.
start_proc --restart-on-change kube-apiserver "$BIN/kube-apiserver" \
  --advertise-address="$NODE_IP" --bind-address=0.0.0.0 --secure-port="$APISERVER_PORT" \
  --etcd-servers="http://127.0.0.1:$ETCD_CLIENT_PORT" \
  --service-cluster-ip-range="$SERVICE_CIDR" --service-node-port-range=30000-32767 \
  --client-ca-file="$PKI/ca.crt" --tls-cert-file="$PKI/apiserver.crt" --tls-private-key-file="$PKI/apiserver.key" \
  --kubelet-client-certificate="$PKI/apiserver-kubelet-client.crt" --kubelet-client-key="$PKI/apiserver-kubelet-client.key" \
  --kubelet-certificate-authority="$PKI/ca.crt" --kubelet-preferred-address-types=InternalIP \
  --requestheader-client-ca-file="$PKI/front-proxy-ca.crt" --requestheader-allowed-names=front-proxy-client \
  --requestheader-username-headers=X-Remote-User --requestheader-group-headers=X-Remote-Group \
  --requestheader-extra-headers-prefix=X-Remote-Extra- \
  --proxy-client-cert-file="$PKI/front-proxy-client.crt" --proxy-client-key-file="$PKI/front-proxy-client.key" \
  --enable-aggregator-routing=true \
  --service-account-issuer=https://kubernetes.default.svc.cluster.local \
  --service-account-key-file="$PKI/sa.pub" --service-account-signing-key-file="$PKI/sa.key" \
  --authorization-mode=Node,RBAC --anonymous-auth=true \
  --enable-admission-plugins=NamespaceLifecycle,LimitRanger,ServiceAccount,DefaultTolerationSeconds,Priority,PodSecurity,NodeRestriction,ResourceQuota,MutatingAdmissionWebhook,ValidatingAdmissionPolicy,ValidatingAdmissionWebhook \
  --allow-privileged=true --storage-media-type=application/vnd.kubernetes.protobuf \
  --enable-priority-and-fairness=false --profiling=false --v=1
wait_for kube-apiserver 120 curl_api /readyz

KUBECTL=("$BIN/kubectl" --kubeconfig "$KCFG/admin.kubeconfig")
"${KUBECTL[@]}" apply --server-side --force-conflicts -f "$HERE/manifests/00-rbac.yaml" -f "$HERE/manifests/05-kube-router-rbac.yaml" >/dev/null

# ---- controller-manager and scheduler ----
start_proc kube-controller-manager "$BIN/kube-controller-manager" \
  --kubeconfig="$KCFG/controller-manager.kubeconfig" \
  --authentication-kubeconfig="$KCFG/controller-manager.kubeconfig" --authorization-kubeconfig="$KCFG/controller-manager.kubeconfig" \
  --bind-address=127.0.0.1 --secure-port="$KCM_PORT" \
  --service-account-private-key-file="$PKI/sa.key" --root-ca-file="$PKI/ca.crt" --use-service-account-credentials=true \
  --cluster-signing-cert-file="$PKI/ca.crt" --cluster-signing-key-file="$PKI/ca.key" \
  --service-cluster-ip-range="$SERVICE_CIDR" --leader-elect=false --controllers='*' --profiling=false --v=1
write_if_changed "$CONF/scheduler.yaml" <<EOF
apiVersion: kubescheduler.config.k8s.io/v1
kind: KubeSchedulerConfiguration
clientConnection:
  kubeconfig: $KCFG/scheduler.kubeconfig
leaderElection:
  leaderElect: false
EOF
start_proc kube-scheduler "$BIN/kube-scheduler" --config="$CONF/scheduler.yaml" \
  --authentication-kubeconfig="$KCFG/scheduler.kubeconfig" --authorization-kubeconfig="$KCFG/scheduler.kubeconfig" \
  --bind-address=127.0.0.1 --secure-port="$SCHED_PORT" --profiling=false --v=1
wait_for kube-controller-manager 60 curl -fsSk "https://127.0.0.1:$KCM_PORT/healthz"
wait_for kube-scheduler 60 curl -fsSk "https://127.0.0.1:$SCHED_PORT/healthz"

# ---- containerd + CNI ----
mkdir -p "$D/containerd" "$D/cni/net.d" "$D/cni/ipam"
write_if_changed "$CONF/containerd.toml" <<EOF
version = 2
root = "$D/containerd/root"
state = "$D/containerd/state"
disabled_plugins = ["io.containerd.internal.v1.opt", "io.containerd.snapshotter.v1.aufs", "io.containerd.snapshotter.v1.btrfs", "io.containerd.snapshotter.v1.zfs", "io.containerd.snapshotter.v1.devmapper", "io.containerd.tracing.processor.v1.otlp", "io.containerd.internal.v1.tracing"]
[grpc]
  address = "$CTR_SOCK"
[plugins."io.containerd.grpc.v1.cri"]
  sandbox_image = "$PAUSE_IMAGE"
  netns_mounts_under_state_dir = true
  restrict_oom_score_adj = true
  systemd_cgroup = false
  disable_apparmor = true
  disable_hugetlb_controller = true
  tolerate_missing_hugetlb_controller = true
  stream_server_address = "127.0.0.1"
  stream_server_port = "0"
  [plugins."io.containerd.grpc.v1.cri".cni]
    bin_dir = "/usr/lib/cni"
    conf_dir = "$D/cni/net.d"
    max_conf_num = 1
  [plugins."io.containerd.grpc.v1.cri".containerd]
    snapshotter = "overlayfs"
    default_runtime_name = "runc"
    [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc]
      runtime_type = "io.containerd.runc.v2"
      [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc.options]
        SystemdCgroup = false
        Root = "$D/containerd/runc-root"
EOF
write_if_changed "$D/cni/net.d/10-slice.conflist" <<EOF
{
  "cniVersion": "0.4.0",
  "name": "$CNI_NET",
  "plugins": [
    {
      "type": "bridge",
      "bridge": "$BRIDGE",
      "isGateway": true,
      "ipMasq": false,
      "hairpinMode": true,
      "ipam": {
        "type": "host-local",
        "dataDir": "$D/cni/ipam",
        "ranges": [[{"subnet": "$POD_CIDR", "gateway": "$POD_GW"}]],
        "routes": [{"dst": "0.0.0.0/0"}]
      }
    },
    {"type": "loopback"}
  ]
}
EOF
start_proc containerd containerd --config "$CONF/containerd.toml" --log-level warn
wait_for containerd 30 ctr --address "$CTR_SOCK" version

# ---- images (built once into the cache, imported if missing) ----
while read -r ref tarfile; do
  image_import "$ref" "$tarfile"
done < <(image_build_base)
NODE_IMAGE="$(node_image_ref)"
write_if_changed "$D/images.env" <<EOF
SLICE_PAUSE_IMAGE=$PAUSE_IMAGE
SLICE_NODE_IMAGE=$NODE_IMAGE
SLICE_COREDNS_IMAGE=localhost/slice/coredns:$COREDNS_VERSION
EOF

# ---- kubelet ----
mkdir -p "$D/kubelet" "$D/pod-logs"
# kubelet's root dir must be a shared mount (mount propagation); / is private on these VMs.
if ! findmnt -rn -o TARGET "$D/kubelet" >/dev/null; then
  mount --bind "$D/kubelet" "$D/kubelet"
  mount --make-rshared "$D/kubelet"
fi
# Pods get only the cluster DNS: an empty host resolv.conf keeps the host's resolvers and search
# domains out of pods (no DNS traffic may leave this machine).
write_if_changed "$CONF/resolv.conf" < /dev/null
write_if_changed "$CONF/kubelet.yaml" <<EOF
apiVersion: kubelet.config.k8s.io/v1beta1
kind: KubeletConfiguration
address: $NODE_IP
port: $KUBELET_PORT
readOnlyPort: 0
healthzBindAddress: 127.0.0.1
healthzPort: $KUBELET_HEALTHZ_PORT
containerRuntimeEndpoint: unix://$CTR_SOCK
cgroupDriver: cgroupfs
failCgroupV1: false
failSwapOn: false
cgroupsPerQOS: true
localStorageCapacityIsolation: false
protectKernelDefaults: false
oomScoreAdj: 0
imageGCHighThresholdPercent: 100
imageGCLowThresholdPercent: 99
evictionHard:
  memory.available: "0%"
  nodefs.available: "0%"
  nodefs.inodesFree: "0%"
  imagefs.available: "0%"
clusterDomain: cluster.local
clusterDNS: [$DNS_SVC_IP]
resolvConf: $CONF/resolv.conf
podLogsDir: $D/pod-logs
tlsCertFile: $PKI/kubelet-server.crt
tlsPrivateKeyFile: $PKI/kubelet-server.key
rotateCertificates: false
serverTLSBootstrap: false
authentication:
  anonymous: {enabled: false}
  webhook: {enabled: true}
  x509: {clientCAFile: $PKI/ca.crt}
authorization:
  mode: Webhook
maxPods: 110
serializeImagePulls: false
EOF
start_proc kubelet "$BIN/kubelet" --config="$CONF/kubelet.yaml" --kubeconfig="$KCFG/kubelet.kubeconfig" \
  --root-dir="$D/kubelet" --hostname-override="$NODE_NAME" --node-ip="$NODE_IP" --v=1
wait_for kubelet 60 curl -fsS "http://127.0.0.1:$KUBELET_HEALTHZ_PORT/healthz"

# ---- kube-proxy ----
write_if_changed "$CONF/kube-proxy.yaml" <<EOF
apiVersion: kubeproxy.config.k8s.io/v1alpha1
kind: KubeProxyConfiguration
mode: iptables
clientConnection:
  kubeconfig: $KCFG/kube-proxy.kubeconfig
hostnameOverride: $NODE_NAME
clusterCIDR: $POD_CIDR
healthzBindAddress: 127.0.0.1:$PROXY_HEALTHZ_PORT
metricsBindAddress: 127.0.0.1:$PROXY_METRICS_PORT
nodePortAddresses: ["$NODE_IP/32"]
oomScoreAdj: 0
conntrack:
  maxPerCore: 0
  min: 0
  tcpEstablishedTimeout: 0s
  tcpCloseWaitTimeout: 0s
iptables:
  localhostNodePorts: false
  masqueradeAll: false
EOF
start_proc kube-proxy "$BIN/kube-proxy" --config="$CONF/kube-proxy.yaml" --v=1
wait_for kube-proxy 60 curl -fsS "http://127.0.0.1:$PROXY_HEALTHZ_PORT/livez"

# ---- NetworkPolicy enforcement: kube-router's firewall only (iptables + ipset) ----
# (kube-network-policies needs the nftables `queue` expression, which this kernel lacks.)
start_proc kube-router "$(component_dir kube-router)/kube-router" --kubeconfig="$KCFG/kube-router.kubeconfig" \
  --run-firewall=true --run-router=false --run-service-proxy=false --enable-ipv4=true --enable-ipv6=false \
  --hostname-override="$NODE_NAME" --service-cluster-ip-range="$SERVICE_CIDR" \
  --health-port="$KUBE_ROUTER_HEALTH_PORT" --metrics-port=0 --v=1
wait_for kube-router 60 curl -fsS "http://127.0.0.1:$KUBE_ROUTER_HEALTH_PORT/healthz"

# ---- node Ready ----
node_ready() { [[ "$("${KUBECTL[@]}" get node "$NODE_NAME" -o jsonpath='{.status.conditions[?(@.type=="Ready")].status}')" == True ]]; }
wait_for kubelet 120 node_ready

# ---- add-ons: CoreDNS and kube-network-policies ----
for m in "$HERE/manifests/10-coredns.yaml"; do
  sed -e "s|@MANIFEST_HASH@|$(sha256sum "$m" | cut -c1-16)|" -e "s|@COREDNS_IMAGE@|localhost/slice/coredns:$COREDNS_VERSION|" \
      -e "s|@NETPOL_IMAGE@|localhost/slice/kube-network-policies:$NETPOL_VERSION|" \
      -e "s|@DNS_SVC_IP@|$DNS_SVC_IP|" -e "s|@NETPOL_METRICS_PORT@|$NETPOL_METRICS_PORT|" "$m" \
    | "${KUBECTL[@]}" apply --server-side --force-conflicts -f - >/dev/null
done
addon_ready() { "${KUBECTL[@]}" -n kube-system rollout status deployment/coredns --timeout=2s; }
wait_addons=$(( SECONDS + 180 ))
until addon_ready >/dev/null 2>&1; do
  if (( SECONDS > wait_addons )); then
    "${KUBECTL[@]}" -n kube-system get pods -o wide >&2 || true
    "${KUBECTL[@]}" -n kube-system get events --sort-by=.lastTimestamp 2>/dev/null | tail -n 30 >&2 || true
    fail_component kubelet "add-on coredns not ready after 180s"
  fi
  sleep 1
done

# ---- PostgreSQL for per-slice data (listens on the pod bridge, so after the first pods) ----
"$HERE/postgres.sh" up

# ---- metrics-server: metrics.k8s.io (kubectl top, the slice tree's CPU and memory) ----
# A host process like kube-router: it reads each kubelet's /metrics/resource with its own client cert and
# verifies the kubelet's serving cert against the cluster CA (no --kubelet-insecure-tls); the API server
# reaches it through a selectorless Service whose one endpoint is <node IP>:$METRICS_SERVER_PORT.
# Authentication and authorization are delegated to the API server (TokenReview, SubjectAccessReview),
# so a request sent to it directly, past the API server, gets no more than RBAC gives its sender.
sed -e "s|@METRICS_SERVER_PORT@|$METRICS_SERVER_PORT|g" -e "s|@NODE_IP@|$NODE_IP|g" -e "s|@NODE_NAME@|$NODE_NAME|g" "$HERE/manifests/20-metrics-server.yaml" \
  | "${KUBECTL[@]}" apply --server-side --force-conflicts -f - >/dev/null
start_proc --restart-on-change metrics-server "$(component_dir metrics-server)/metrics-server" \
  --kubeconfig="$KCFG/metrics-server.kubeconfig" \
  --authentication-kubeconfig="$KCFG/metrics-server.kubeconfig" --authorization-kubeconfig="$KCFG/metrics-server.kubeconfig" \
  --bind-address="$NODE_IP" --secure-port="$METRICS_SERVER_PORT" \
  --tls-cert-file="$PKI/metrics-server-serving.crt" --tls-private-key-file="$PKI/metrics-server-serving.key" \
  --kubelet-certificate-authority="$PKI/ca.crt" \
  --kubelet-client-certificate="$PKI/metrics-server.crt" --kubelet-client-key="$PKI/metrics-server.key" \
  --kubelet-preferred-address-types=InternalIP --kubelet-use-node-status-port \
  --metric-resolution=15s --profiling=false --v=1
metrics_server_live() {
  curl -fsS --cacert "$PKI/ca.crt" --resolve "metrics-server.kube-system.svc:$METRICS_SERVER_PORT:$NODE_IP" \
    "https://metrics-server.kube-system.svc:$METRICS_SERVER_PORT/livez"
}
wait_for metrics-server 60 metrics_server_live
sed -e "s|@CA_BUNDLE@|$(base64 -w0 < "$PKI/ca.crt")|" "$HERE/manifests/21-metrics-apiservice.yaml" \
  | "${KUBECTL[@]}" apply --server-side --force-conflicts -f - >/dev/null
metrics_api_available() {
  [[ "$("${KUBECTL[@]}" get apiservice v1beta1.metrics.k8s.io -o jsonpath='{.status.conditions[?(@.type=="Available")].status}')" == True ]]
}
wait_for metrics-server 60 metrics_api_available

log "cluster is up in $(( SECONDS - T0 ))s (Kubernetes $K8S_VERSION, node IP $NODE_IP)"
cat <<EOF
Slice local cluster is up.
  kubeconfig (cluster-admin): $KCFG/admin.kubeconfig
  kubeconfig (alice, group slice:developers): $KCFG/alice.kubeconfig
  kubeconfig (bob, group slice:developers):   $KCFG/bob.kubeconfig
  kubectl: $D/bin/kubectl   (built from k8s.io/kubernetes $K8S_VERSION)
  images:  $D/images.env
  try:     $D/bin/kubectl --kubeconfig $KCFG/admin.kubeconfig get nodes
  postgres: 127.0.0.1:${SLICE_PG_PORT:-15432} (in pods: postgres.slice-data.svc:5432), see test/cluster/postgres.sh
EOF
