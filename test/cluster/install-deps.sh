#!/usr/bin/env bash
# Install the Debian packages the local cluster needs. Idempotent and non-interactive.
# Does not start any daemon (policy-rc.d / no systemd); up.sh starts what it needs itself.
set -euo pipefail
[[ $(id -u) -eq 0 ]] || { echo "install-deps.sh: must run as root" >&2; exit 1; }

PKGS=(containerd runc containernetworking-plugins iptables nftables conntrack iproute2 socat
      busybox-static openssl gcc libc6-dev jq etcd-server etcd-client procps kmod util-linux ipset
      postgresql postgresql-client)

missing=()
for p in "${PKGS[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if [[ ${#missing[@]} -eq 0 ]]; then
  echo "install-deps: all packages present"
  exit 0
fi
echo "install-deps: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
# postgres.sh runs its own instance (port 15432): the package must not create a `main` cluster on 5432
if [[ ! -e /etc/postgresql-common/createcluster.conf ]]; then
  mkdir -p /etc/postgresql-common/createcluster.d
  echo 'create_main_cluster = false' > /etc/postgresql-common/createcluster.d/slice.conf
fi
apt-get update -qq
apt-get install -y -qq --no-install-recommends -o Dpkg::Options::=--force-confold "${missing[@]}" >/dev/null
echo "install-deps: done"
