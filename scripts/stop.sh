#!/usr/bin/env bash
# `npm stop`: stops the code-server that `npm start` started (by its pid file, with its process group).
# `npm stop -- --cluster` (or --all) also stops the local cluster (test/cluster/down.sh).
set -euo pipefail
source "$(dirname "$0")/env.sh"
cd "$SLICE_ROOT"
RUN="$SLICE_RUN_DIR/start"
PIDFILE="$RUN/code-server.pid"
cluster=0
for a in "$@"; do
  case "$a" in
    --cluster|--all) cluster=1 ;;
    *) die "unknown option $a (use --cluster to also stop the local cluster)" ;;
  esac
done

pid="$(cat "$PIDFILE" 2>/dev/null || true)"
if [ -z "$pid" ]; then
  echo "code-server: not started by npm start (no $PIDFILE)"
elif [ -r "/proc/$pid/cmdline" ] && tr '\0' ' ' < "/proc/$pid/cmdline" | grep -q -- "--user-data-dir $RUN/user-data"; then
  # npm start runs it under setsid: the pid is its process group, which holds the extension host.
  kill -TERM -- "-$pid" 2>/dev/null || kill -TERM "$pid"
  for _ in $(seq 1 40); do [ -e "/proc/$pid" ] || break; sleep 0.25; done
  if [ -e "/proc/$pid" ]; then kill -KILL -- "-$pid" 2>/dev/null || true; fi
  rm -f "$PIDFILE"
  echo "code-server: stopped (pid $pid)"
else
  rm -f "$PIDFILE"
  echo "code-server: pid $pid is not running (stale pid file removed)"
fi

if [ "$cluster" = 1 ]; then
  bash test/cluster/down.sh
else
  echo "The local cluster keeps running (npm stop -- --cluster stops it)."
fi
