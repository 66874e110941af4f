#!/bin/sh
# The slice router's entry point (busybox sh): nginx in the foreground of this script, with the config
# the slice controller renders into ConfigMap slice-router (mounted at /etc/slice-router). When the
# mounted file changes (the kubelet swaps it atomically), the new config is checked (nginx -t) and
# nginx reloads gracefully (SIGHUP: new workers take new connections, old workers finish theirs, so no
# connection is dropped). A config that does not pass nginx -t is logged and not loaded.
conf="${1:-/etc/slice-router/nginx.conf}"
for d in body proxy fastcgi uwsgi scgi; do mkdir -p "/tmp/nginx-$d"; done
nginx -c "$conf" -p /tmp -e stderr -g 'daemon off;' &
pid=$!
trap 'kill -QUIT "$pid" 2>/dev/null; wait "$pid"; exit 0' TERM INT
last="$(md5sum < "$conf")"
while kill -0 "$pid" 2>/dev/null; do
  sleep 0.2 & wait $!
  cur="$(md5sum < "$conf" 2>/dev/null)" || continue
  [ "$cur" = "$last" ] && continue
  last="$cur"
  if nginx -t -q -c "$conf" -p /tmp -e stderr; then
    kill -HUP "$pid" && echo "slice-router: config changed ($(echo "$cur" | cut -c1-12)), nginx reloaded" >&2
  else
    echo "slice-router: the new config does not pass nginx -t: still serving the previous one" >&2
  fi
done
wait "$pid"
