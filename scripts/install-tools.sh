#!/usr/bin/env bash
# The editor tools (Debian's Chromium, fonts and build tools, Node 24, code-server) and the npm
# dependencies, without the local cluster: scripts/setup.sh --no-cluster, which `npm start` and
# `npm test` run themselves (with the cluster when they use it).
exec bash "$(dirname "$0")/setup.sh" --no-cluster "$@"
