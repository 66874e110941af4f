#!/usr/bin/env bash
# The Debian packages of the local cluster (containerd, runc, CNI plugins, etcd, PostgreSQL, iptables, ...),
# as root: scripts/setup.sh --only-debian --no-editor. `npm start`, `npm test` and up.sh install them
# themselves when they are missing.
exec bash "$(dirname "$0")/../../scripts/setup.sh" --only-debian --no-editor "$@"
