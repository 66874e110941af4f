#!/usr/bin/env bash
# Stop the local cluster and put the host back as up.sh found it. Safe to run twice and after a crash.
#
#   sudo test/cluster/down.sh          (or: npm run cluster:down)
#   SLICE_CLUSTER_PURGE=1 ... down.sh  also deletes the state dir (etcd data, certs, kubeconfigs)
#
# Stops only processes up.sh started (PID files in $SLICE_CLUSTER_DIR/run) and the containers of the
# cluster's own containerd; unmounts what is mounted under the state dir; deletes the pod bridge, the
# cluster's iptables chains / nft tables; restores the sysctls recorded at up.
set -uo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source=lib.sh
. "$HERE/lib.sh"
require_root

[[ -d "$D" ]] || { log "nothing to do: $D does not exist"; exit 0; }

# 0. PostgreSQL (bound to the pod bridge, which goes away below).
"$HERE/postgres.sh" down

# 1. Control loops first, so nothing restarts what we stop.
stop_procs metrics-server kube-router kube-proxy kubelet kube-scheduler kube-controller-manager

# 2. Containers of our containerd (CRI namespace k8s.io): kill, delete tasks and containers.
#    Pod network namespaces are files under our containerd state dir; they are unmounted below.
if [[ -S "$CTR_SOCK" ]] && pid_alive containerd; then
  c() { timeout 30 ctr --address "$CTR_SOCK" -n k8s.io "$@"; }
  for t in $(c tasks ls -q 2>/dev/null); do c tasks kill -a -s KILL "$t" >/dev/null 2>&1 || true; done
  # the CRI plugin deletes exited tasks itself; wait for that, then force what is left
  for _ in $(seq 1 40); do
    [[ -z "$(c tasks ls -q 2>/dev/null)" ]] && break
    sleep 0.25
  done
  for t in $(c tasks ls -q 2>/dev/null); do c tasks delete -f "$t" >/dev/null 2>&1 || true; done
  for ct in $(c containers ls -q 2>/dev/null); do c containers delete "$ct" >/dev/null 2>&1 || true; done
fi
stop_procs containerd
# Shims of our containerd (started with -address <our socket>) normally exit with their tasks;
# stop any that are left, matched by our unique socket path.
for pdir in /proc/[0-9]*; do
  cmd="$( { tr '\0' ' ' < "$pdir/cmdline"; } 2>/dev/null)" || continue
  if [[ "$cmd" == *containerd-shim*"-address $CTR_SOCK"* ]]; then
    log "stopping leftover shim ${pdir#/proc/}"
    kill -KILL "${pdir#/proc/}" 2>/dev/null || true
  fi
done

# 3. Control plane.
# the API server holds no state (etcd does); do not wait long for its graceful shutdown
stop_procs -t 3 kube-apiserver
stop_procs etcd

# 4. Mounts under the state dir (pod volumes, netns files, overlay rootfs, kubelet's shared bind).
for _ in 1 2 3; do
  mounts="$(findmnt -rn -o TARGET | awk -v d="$D/" 'index($0, d) == 1 || $0 == substr(d, 1, length(d)-1)' | sort -r)"
  [[ -n "$mounts" ]] || break
  while read -r m; do umount "$m" 2>/dev/null || umount -l "$m" 2>/dev/null || true; done <<< "$mounts"
done
left="$(findmnt -rn -o TARGET | grep -c "^$D/")"
[[ "$left" -eq 0 ]] || log "WARNING: $left mounts under $D could not be unmounted"

# 5. Network: pod bridge, kube-proxy / kubelet / kube-network-policies rules, our guard chain.
ip link show "$BRIDGE" >/dev/null 2>&1 && ip link del "$BRIDGE" && log "deleted bridge $BRIDGE"
BIN="$(k8s_bin_dir)"
if [[ -x "$BIN/kube-proxy" ]]; then
  "$BIN/kube-proxy" --cleanup --v=0 >/dev/null 2>&1 || true
fi
for ipt in iptables ip6tables; do
  command -v "$ipt" >/dev/null || continue
  for table in filter nat mangle raw; do
    # unhook our chains from built-in ones, then flush and delete them
    "$ipt" -w -t "$table" -S 2>/dev/null | grep -E '^-A [A-Z]+ .*-j (KUBE-|SLICE-)' | grep -vE '^-A (KUBE-|SLICE-)' \
      | while read -r rule; do eval "$ipt -w -t $table ${rule/-A/-D}" 2>/dev/null || true; done
    chains="$("$ipt" -w -t "$table" -S 2>/dev/null | awk '$1 == "-N" && ($2 ~ /^KUBE-/ || $2 ~ /^SLICE-/) {print $2}')"
    for ch in $chains; do "$ipt" -w -t "$table" -F "$ch" 2>/dev/null || true; done
    for ch in $chains; do "$ipt" -w -t "$table" -X "$ch" 2>/dev/null || true; done
  done
done
if command -v ipset >/dev/null; then
  # kube-router's sets (kube-router-*, KUBE-SRC-*, KUBE-DST-*); flushed/destroyed after the rules using them are gone
  for set in $(ipset list -n 2>/dev/null | grep -E '^(kube-router-|KUBE-|inet6:kube-router-|inet6:KUBE-)'); do
    ipset destroy "$set" 2>/dev/null || true
  done
fi
if command -v nft >/dev/null; then
  nft list tables 2>/dev/null | while read -r _ fam name; do
    case "$name" in
      kube-network-policies|kube-proxy) nft delete table "$fam" "$name" && log "deleted nft table $fam $name" ;;
    esac
  done
fi
# Empty tables that iptables-nft created for kube-proxy/kube-router/kubelet and that did not exist at up.
if command -v nft >/dev/null && [[ -f "$HOSTSTATE/nft-tables.orig" ]]; then
  nft list tables 2>/dev/null | while read -r _ fam name; do
    grep -qx "table $fam $name" "$HOSTSTATE/nft-tables.orig" && continue
    if [[ -z "$(nft list table "$fam" "$name" 2>/dev/null | grep -vE '^[[:space:]]*(table .*\{|chain .*\{|type .*|policy .*|\}|)$')" ]]; then
      nft delete table "$fam" "$name" 2>/dev/null && log "deleted empty nft table $fam $name (created by the cluster)"
    fi
  done
fi
if command -v conntrack >/dev/null; then
  conntrack -D -s "$POD_CIDR" >/dev/null 2>&1 || true
  conntrack -D -d "$POD_CIDR" >/dev/null 2>&1 || true
fi
# CNI IP allocations belong to the pods just removed.
rm -rf "$D/cni/ipam"
rm -f /var/lib/cni/results/"$CNI_NET"-* 2>/dev/null

# 6. cgroups created by kubelet/containerd for pods (only those absent before up).
if [[ -f "$HOSTSTATE/created-cgroups" ]]; then
  while read -r cg; do
    [[ -d "$cg" ]] || continue
    find "$cg" -depth -type d -exec rmdir {} \; 2>/dev/null
    [[ -d "$cg" ]] && log "WARNING: could not remove cgroup $cg"
  done < "$HOSTSTATE/created-cgroups"
fi

# 7. Host paths kubelet/containerd/CNI created outside the state dir.
if [[ -d /var/log/containers ]]; then
  for l in /var/log/containers/*.log; do
    [[ -L "$l" && "$(readlink "$l")" == "$D/"* ]] && rm -f "$l"
  done
fi
if [[ -f "$HOSTSTATE/created-paths" ]]; then
  while read -r p; do
    [[ -e "$p" || -L "$p" ]] || continue
    # it did not exist before up: what is in it came from the cluster (e.g. kubelet's hard-coded
    # /var/lib/kubelet/device-plugins, containerd 1.6's shim sockets in /run/containerd/s)
    rm -rf "$p" && log "removed $p (created by the cluster)"
  done < "$HOSTSTATE/created-paths"
fi

# 8. Sysctls recorded at up.
if [[ -f "$HOSTSTATE/sysctl.orig" ]]; then
  while IFS='=' read -r key val; do
    [[ -n "$key" ]] || continue
    cur="$(sysctl -n "$key" 2>/dev/null)" || continue
    if [[ "$cur" != "$val" ]]; then
      sysctl -qw "$key=$val" 2>/dev/null && log "restored $key=$val (was $cur)" || log "WARNING: could not restore $key=$val"
    fi
  done < "$HOSTSTATE/sysctl.orig"
fi
rm -f "$HOSTSTATE/recorded" "$HOSTSTATE/sysctl.orig" "$HOSTSTATE/created-paths" "$HOSTSTATE/created-cgroups" "$HOSTSTATE/nft-tables.orig"

if [[ "${SLICE_CLUSTER_PURGE:-}" == 1 ]]; then
  rm -rf "$D" && log "removed $D"
fi
log "cluster is down"
exit 0
