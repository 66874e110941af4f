#!/usr/bin/env bash
# The local cluster's PostgreSQL: a dedicated instance of Debian's server (not the package's `main`
# cluster on 5432), for per-slice data branches (issue 8).
#
#   sudo test/cluster/postgres.sh up       init (once) + start + roles/baseline DB + publish to the cluster
#   sudo test/cluster/postgres.sh down     fast shutdown, by the PID in $SLICE_CLUSTER_DIR/run/postgres.pid
#   sudo test/cluster/postgres.sh status   exit 0 when it accepts connections
#   sudo test/cluster/postgres.sh publish  (re)create the in-cluster objects only (needs the API server)
#
# Data dir $SLICE_CLUSTER_DIR/postgres/data (initdb as the postgres user), port $PG_PORT, scram-sha-256,
# listening on 127.0.0.1 and on the pod bridge gateway ($POD_GW); pg_hba admits only loopback and the
# pod CIDR. Roles: `slice_platform` (CREATEDB, reads all data, manages slice roles only through the
# functions of deploy/postgres/platform-role.sql; not a superuser, no CREATEROLE) for the slice
# controller, and `shop`, owner of the baseline database `shop`. CONNECT is revoked from PUBLIC on every
# database, so a role reaches only the databases granted to it.
# In the cluster: Service + EndpointSlice `postgres.slice-data.svc` -> $POD_GW:$PG_PORT, the platform's
# DSN in Secret slice-system/slice-postgres-admin (key url), and the baseline's DSN in Secret
# <ns>/shop-db (key DATABASE_URL) for each namespace labelled slice.dev/postgres-baseline=shop.
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source=lib.sh
. "$HERE/lib.sh"
ROOT="$(cd "$HERE/../.." && pwd)"

PG_PORT="${SLICE_PG_PORT:-15432}"
PG_DIR="$D/postgres"
PGDATA="$PG_DIR/data"
PG_SOCK="$PG_DIR/run"
PG_LOG="$LOGS/postgres.log"
PG_SVC_NS=slice-data
PG_SVC_PORT=5432
PG_HOST_IN_CLUSTER="postgres.$PG_SVC_NS.svc.cluster.local"
pg_bin() {
  local d
  d="$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)"
  [[ -x "$d/postgres" ]] || die "PostgreSQL is not installed: run test/cluster/install-deps.sh"
  echo "$d"
}
as_pg() { runuser -u postgres -- "$@"; }
psql_admin() { as_pg "$(pg_bin)/psql" -X -q -v ON_ERROR_STOP=1 -h "$PG_SOCK" -p "$PG_PORT" -U postgres "$@"; }
ready() { as_pg "$(pg_bin)/pg_isready" -q -h "$PG_SOCK" -p "$PG_PORT"; }
secret_file() { # NAME: a random password kept root-only in the state dir (made once)
  local f="$PG_DIR/$1.password"
  [[ -s "$f" ]] || { umask 077; head -c 24 /dev/urandom | base64 | tr -d '/+=' > "$f"; }
  cat "$f"
}

init_once() {
  [[ -s "$PGDATA/PG_VERSION" ]] && return 0
  log "postgres: initdb in $PGDATA"
  install -d -m 0755 "$PG_DIR"
  install -d -o postgres -g postgres -m 0700 "$PGDATA" "$PG_SOCK"
  local pw; pw="$(mktemp)"; chown postgres "$pw"; secret_file postgres > "$pw"
  as_pg "$(pg_bin)/initdb" -D "$PGDATA" -U postgres --pwfile="$pw" --auth-local=peer --auth-host=scram-sha-256 -E UTF8 --locale=C.UTF-8 >/dev/null
  rm -f "$pw"
}

write_config() {
  as_pg tee "$PGDATA/slice.conf" >/dev/null <<EOF
# written by test/cluster/postgres.sh
listen_addresses = '127.0.0.1,$POD_GW'
port = $PG_PORT
unix_socket_directories = '$PG_SOCK'
password_encryption = 'scram-sha-256'
max_connections = 200
shared_buffers = 128MB
synchronous_commit = off
log_line_prefix = '%m [%p] %q%u@%d '
EOF
  grep -q "^include_if_exists = 'slice.conf'" "$PGDATA/postgresql.conf" \
    || echo "include_if_exists = 'slice.conf'" | as_pg tee -a "$PGDATA/postgresql.conf" >/dev/null
  as_pg tee "$PGDATA/pg_hba.conf" >/dev/null <<EOF
# written by test/cluster/postgres.sh: the postgres OS user over the socket; passwords from loopback and pods only
local all postgres peer
host all all 127.0.0.1/32 scram-sha-256
host all all $POD_CIDR scram-sha-256
EOF
}

start() {
  if pid_alive postgres && ready; then log "postgres already running (pid $(cat "$RUN/postgres.pid"))"; return 0; fi
  ip -4 addr show "$BRIDGE" 2>/dev/null | grep -q "inet $POD_GW/" \
    || die "the pod bridge $BRIDGE has no address $POD_GW yet: start the cluster first (test/cluster/up.sh runs this after CoreDNS is up)"
  if ss -H -ltn "sport = :$PG_PORT" | grep -q .; then die "port $PG_PORT is already in use:
$(ss -ltnp "sport = :$PG_PORT")"; fi
  mkdir -p "$RUN" "$LOGS"; touch "$PG_LOG"; chown postgres "$PG_LOG"
  # the server outlives this script: started without the script's other open files (a `flock`'s
  # lock among them, which it would hold for as long as it runs)
  (
    for fd in /proc/$BASHPID/fd/*; do fd=${fd##*/}; if (( fd > 2 )); then eval "exec $fd>&-" 2>/dev/null || true; fi; done
    exec runuser -u postgres -- "$(pg_bin)/pg_ctl" -D "$PGDATA" -l "$PG_LOG" -w -t 60 start >/dev/null
  ) || fail_component postgres "pg_ctl start failed"
  head -1 "$PGDATA/postmaster.pid" > "$RUN/postgres.pid"
  log "postgres started (pid $(cat "$RUN/postgres.pid"), port $PG_PORT on 127.0.0.1 and $POD_GW)"
}

# Roles, the baseline database and its schema; idempotent.
bootstrap() {
  local platform_pw shop_pw schema seed
  platform_pw="$(secret_file slice_platform)"
  shop_pw="$(secret_file shop)"
  psql_admin -d postgres -v platform_pw="$platform_pw" -v shop_pw="$shop_pw" <<'SQL'
SET client_min_messages = warning;
SELECT format('CREATE ROLE slice_platform LOGIN CREATEDB NOCREATEROLE NOSUPERUSER PASSWORD %L', :'platform_pw')
  WHERE NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'slice_platform') \gexec
ALTER ROLE slice_platform PASSWORD :'platform_pw';
SELECT format('CREATE ROLE shop LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE PASSWORD %L', :'shop_pw')
  WHERE NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'shop') \gexec
ALTER ROLE shop PASSWORD :'shop_pw';
SELECT 'CREATE DATABASE shop OWNER shop' WHERE NOT EXISTS (SELECT 1 FROM pg_database WHERE datname = 'shop') \gexec
REVOKE CONNECT, TEMPORARY ON DATABASE postgres, template1, shop FROM PUBLIC;
GRANT CONNECT ON DATABASE postgres TO slice_platform;
GRANT CONNECT ON DATABASE shop TO shop, slice_platform;
SQL
  # the platform role's rights, exactly as a platform team applies them (deploy/postgres/platform-role.sql)
  psql_admin -d postgres < "$ROOT/deploy/postgres/platform-role.sql" >/dev/null
  # the data tests' fixture (schema public), once; the sample app's (schema shop; idempotent files) every time
  if [[ "$(psql_admin -d shop -tAc "SELECT count(*) FROM pg_tables WHERE schemaname = 'public'")" == 0 ]]; then
    log "postgres: loading the test fixture into shop (test/cluster/data/fixture-*.sql)"
    psql_admin -d shop -c 'SET ROLE shop' -f "$HERE/data/fixture-schema.sql" -f "$HERE/data/fixture-seed.sql" >/dev/null
  fi
  schema="$ROOT/sample/shop/db/schema.sql"; seed="$ROOT/sample/shop/db/seed.sql"
  if [[ -f "$schema" && -f "$seed" ]]; then
    psql_admin -d shop -c 'SET client_min_messages = warning' -c 'SET ROLE shop' -f "$schema" -f "$seed" >/dev/null
  fi
}

publish() {
  local kubectl=("$D/bin/kubectl" --kubeconfig "$KCFG/admin.kubeconfig") platform_pw shop_pw ns
  platform_pw="$(secret_file slice_platform)"
  shop_pw="$(secret_file shop)"
  "${kubectl[@]}" apply --server-side --force-conflicts --field-manager=slice-cluster-postgres -f - >/dev/null <<EOF
apiVersion: v1
kind: Namespace
metadata: { name: $PG_SVC_NS, labels: { app.kubernetes.io/part-of: slice } }
---
apiVersion: v1
kind: Service
metadata: { name: postgres, namespace: $PG_SVC_NS }
spec:
  ports: [{ name: postgres, port: $PG_SVC_PORT, targetPort: $PG_PORT, protocol: TCP }]
---
apiVersion: discovery.k8s.io/v1
kind: EndpointSlice
metadata:
  name: postgres-host
  namespace: $PG_SVC_NS
  labels: { kubernetes.io/service-name: postgres, endpointslice.kubernetes.io/managed-by: slice-cluster-postgres }
addressType: IPv4
ports: [{ name: postgres, port: $PG_PORT, protocol: TCP }]
endpoints: [{ addresses: ["$POD_GW"], conditions: { ready: true } }]
EOF
  if "${kubectl[@]}" get namespace slice-system >/dev/null 2>&1; then
    "${kubectl[@]}" -n slice-system create secret generic slice-postgres-admin \
      --from-literal=url="postgres://slice_platform:$platform_pw@$PG_HOST_IN_CLUSTER:$PG_SVC_PORT/postgres" \
      --dry-run=client -o yaml | "${kubectl[@]}" apply --server-side --force-conflicts --field-manager=slice-cluster-postgres -f - >/dev/null
  fi
  for ns in $("${kubectl[@]}" get namespaces -l slice.dev/postgres-baseline=shop -o jsonpath='{.items[*].metadata.name}'); do
    "${kubectl[@]}" -n "$ns" create secret generic shop-db \
      --from-literal=DATABASE_URL="postgres://shop:$shop_pw@$PG_HOST_IN_CLUSTER:$PG_SVC_PORT/shop" \
      --dry-run=client -o yaml | "${kubectl[@]}" apply --server-side --force-conflicts --field-manager=slice-cluster-postgres -f - >/dev/null
  done
  log "postgres: published $PG_HOST_IN_CLUSTER:$PG_SVC_PORT -> $POD_GW:$PG_PORT"
}

stop() {
  if ! pid_alive postgres; then rm -f "$RUN/postgres.pid"; log "postgres is not running"; return 0; fi
  local pid i; pid="$(cat "$RUN/postgres.pid")"
  kill -INT "$pid" 2>/dev/null || true   # fast shutdown: roll back open transactions, close connections
  for ((i = 0; i < 120; i++)); do kill -0 "$pid" 2>/dev/null || break; sleep 0.25; done
  if kill -0 "$pid" 2>/dev/null; then log "postgres did not stop in 30s: immediate shutdown"; kill -QUIT "$pid" 2>/dev/null || true; sleep 1; fi
  rm -f "$RUN/postgres.pid"
  log "postgres stopped (pid $pid)"
}

case "${1:-}" in
  up) require_root; init_once; write_config; start; bootstrap; publish ;;
  down) require_root; stop ;;
  status) if pid_alive postgres && ready; then echo "postgres: running (pid $(cat "$RUN/postgres.pid"), port $PG_PORT)"; else echo "postgres: not running"; exit 1; fi ;;
  publish) require_root; publish ;;
  *) echo "usage: $0 {up|down|status|publish}" >&2; exit 2 ;;
esac
