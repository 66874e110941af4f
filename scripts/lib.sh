# shellcheck shell=bash
# The one shell library of the project's scripts (scripts/*.sh and test/cluster/*.sh source it, through
# scripts/env.sh and test/cluster/lib.sh): where things live, how to log and fail, and how a set-up step
# runs (run_step: its output kept in a log, progress while it runs, bounded retries when the npm
# registry, Debian's archive or the Go module proxy fails, and on failure which step failed, the end of
# its log and what to do). Source it; do not run it.

SLICE_ROOT="${SLICE_ROOT:-$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)}"
# Everything heavy (Node 24, code-server, the cluster's binaries, Go's caches) is kept here, outside the
# repository, so a fresh clone on the same machine reuses it; `rm -rf` of it is a cold start.
SLICE_CACHE_DIR="${SLICE_CACHE_DIR:-$HOME/.cache/slice}"
# The local cluster's state (etcd data, certificates, kubeconfigs, logs).
SLICE_CLUSTER_DIR="${SLICE_CLUSTER_DIR:-/var/lib/slice-cluster}"
SLICE_RUN_DIR="${SLICE_RUN_DIR:-$SLICE_ROOT/.run}"
# Logs of the set-up steps (run_step): one file per step, kept after a failure.
SLICE_SETUP_LOGS="${SLICE_SETUP_LOGS:-$SLICE_RUN_DIR/setup}"
# Seconds each step took the last time it succeeded: the "of ~N" of the progress lines.
SLICE_TIMINGS_DIR="${SLICE_TIMINGS_DIR:-$SLICE_CACHE_DIR/timings}"
export SLICE_ROOT SLICE_CACHE_DIR SLICE_CLUSTER_DIR SLICE_RUN_DIR SLICE_SETUP_LOGS SLICE_TIMINGS_DIR

# SLICE_LOG_TAG (e.g. "cluster") prefixes every line of a family of scripts.
log() { printf '[%s%s] %s\n' "${SLICE_LOG_TAG:+$SLICE_LOG_TAG }" "$(date +%H:%M:%S)" "$*" >&2; }
die() { printf '%serror: %s\n' "${SLICE_LOG_TAG:+[$SLICE_LOG_TAG] }" "$*" >&2; exit 1; }

# 75 -> "1m15s", 8 -> "8s"
human_secs() { local s=$1; if (( s >= 60 )); then printf '%dm%02ds' $((s / 60)) $((s % 60)); else printf '%ds' "$s"; fi; }

# timing_get KEY -> the seconds KEY took when it last succeeded (nothing when never)
timing_get() { cat "$SLICE_TIMINGS_DIR/$1" 2>/dev/null || true; }
timing_put() { mkdir -p "$SLICE_TIMINGS_DIR" && echo "$2" > "$SLICE_TIMINGS_DIR/$1"; }

# expected_text KEY [TYPICAL_SECONDS] -> " of ~13m00s (last run)" / " of ~13m00s (typical on 2 cores)" / ""
expected_text() {
  local last; last="$(timing_get "$1")"
  if [[ -n "$last" ]]; then printf ' of ~%s (last run)' "$(human_secs "$last")"
  elif [[ -n "${2:-}" ]]; then printf ' of ~%s (typical on 2 cores)' "$(human_secs "$2")"
  fi
}
# expected_start KEY [TYPICAL_SECONDS] -> " (last run: 13m00s)" / " (typically ~13m00s on 2 cores)" / ""
expected_start() {
  local last; last="$(timing_get "$1")"
  if [[ -n "$last" ]]; then printf ' (last run: %s)' "$(human_secs "$last")"
  elif [[ -n "${2:-}" ]]; then printf ' (typically ~%s on 2 cores)' "$(human_secs "$2")"
  fi
}

# kill_tree PID [SIGNAL]: PID and every process under it (what a step or a build started).
kill_tree() {
  local p
  for p in $(pgrep -P "$1" 2>/dev/null); do kill_tree "$p" "${2:-TERM}"; done
  kill "-${2:-TERM}" "$1" 2>/dev/null || true
}

# Failures worth another try: the npm registry, Debian's archive or the Go module proxy did not answer
# (time-outs, refused or reset connections, name resolution, 5xx answers, truncated downloads).
NETWORK_ERRORS='ETIMEDOUT|ESOCKETTIMEDOUT|ECONNRESET|ECONNREFUSED|EAI_AGAIN|ENOTFOUND|ENETUNREACH|EHOSTUNREACH|socket hang up|network (timeout|request)|ERR_SOCKET|E50[0-4]|request to .* failed|fetch failed|Temporary failure resolving|Could not resolve|Could not connect to|Failed to fetch|Unable to fetch some archives|Connection (timed out|refused|reset|failed)|Hash Sum mismatch|File has unexpected size|Undetermined Error|i/o timeout|TLS handshake timeout|connection reset by peer|unexpected EOF|dial tcp|502 Bad Gateway|503 Service Unavailable|504 Gateway|read: connection'
is_network_failure() { grep -qaE "$NETWORK_ERRORS" "$1" 2>/dev/null; }

# A line every SLICE_PROGRESS_EVERY seconds (default 20) while a long step runs:
#   "[04:22:31] k8s v1.34.12: building… 3m10s of ~13m (last run) · 812/2950 packages"
# DETAIL is a command whose output ends the line (how far along), or empty.
_progress_loop() { # LABEL KEY TYPICAL START DETAIL
  local label=$1 key=$2 typical=$3 start=$4 detail=$5 main=$$ d
  # (the sleep holds no output pipe open: one left running after its loop ends delays no reader)
  while sleep "${SLICE_PROGRESS_EVERY:-20}" > /dev/null 2>&1; do
    kill -0 "$main" 2>/dev/null || exit 0   # the script that started it is gone
    d=""; [[ -n "$detail" ]] && d="$(eval "$detail" 2>/dev/null || true)"
    log "$label… $(human_secs $((SECONDS - start)))$(expected_text "$key" "$typical")${d:+ · $d}"
  done
}
# progress_start LABEL KEY [TYPICAL_SECONDS] [DETAIL_COMMAND]; progress_stop. One at a time per shell.
progress_start() { _progress_loop "$1" "$2" "${3:-}" "$SECONDS" "${4:-}" & _PROGRESS_PID=$!; }
progress_stop() {
  [[ -n "${_PROGRESS_PID:-}" ]] || return 0
  kill_tree "$_PROGRESS_PID"; wait "$_PROGRESS_PID" 2>/dev/null || true; _PROGRESS_PID=""
}

# run_step [options] NAME -- COMMAND...
#   Runs COMMAND with its output (stdout and stderr) in $SLICE_SETUP_LOGS/NAME.log, prints a line when
#   it starts, progress every 20 s while it runs, and its time when it ends (kept as the next run's
#   expectation). When it fails because the network did (see NETWORK_ERRORS) it is tried again, up to
#   --tries (SLICE_RETRIES, default 3) times in all, after 5 s, then 20 s. When it fails for good it
#   prints which step, the exit code, the last 25 lines of the log, the log's path and --hint, and
#   returns the command's exit code (under set -e the script stops there). A shell function given as
#   COMMAND runs in a bash of its own (see _step_command): pass it what it needs as arguments.
#   --label TEXT   what the lines call it (default NAME)
#   --hint TEXT    what to do when it fails
#   --typical S    the expected time when no run has been timed yet
#   --detail CMD   a command whose output says how far along it is (added to the progress lines)
#   --log FILE     another log file
run_step() {
  local label="" hint="" typical="" detail="" logf="" tries="${SLICE_RETRIES:-3}"
  while [[ $# -gt 0 && "$1" != -- ]]; do
    case "$1" in
      --label) label=$2; shift 2 ;;
      --hint) hint=$2; shift 2 ;;
      --typical) typical=$2; shift 2 ;;
      --detail) detail=$2; shift 2 ;;
      --log) logf=$2; shift 2 ;;
      --tries) tries=$2; shift 2 ;;
      -*) die "run_step: unknown option $1" ;;
      *) break ;;
    esac
  done
  local name=$1; shift
  [[ "${1:-}" == -- ]] && shift
  label="${label:-$name}"
  logf="${logf:-$SLICE_SETUP_LOGS/$name.log}"
  mkdir -p "$(dirname "$logf")"; : > "$logf"
  local attempt=1 rc start=$SECONDS wait_s
  log "$label$(expected_start "timing-$name" "$typical")"
  while :; do
    printf '==== %s attempt %d: %s\n' "$(date -Is)" "$attempt" "$*" >> "$logf"
    progress_start "$label" "timing-$name" "$typical" "$detail"
    # In the background and waited for, so that an interrupted script takes the step down with it.
    _step_command "$@" >> "$logf" 2>&1 < /dev/null &
    _STEP_PID=$!
    local traps; traps="$(trap -p INT TERM)"   # the caller's, put back after the step
    trap '_step_interrupted' INT TERM
    rc=0; wait "$_STEP_PID" || rc=$?
    trap - INT TERM; eval "$traps"; _STEP_PID=""
    progress_stop
    if [[ $rc -eq 0 ]]; then
      timing_put "timing-$name" $((SECONDS - start))
      log "$label: done in $(human_secs $((SECONDS - start)))"
      return 0
    fi
    # only this attempt's lines decide whether the network failed
    # only this attempt's lines say whether the network failed
    local net; net="$(sed -n "/^==== .* attempt $attempt: /,\$p" "$logf" | grep -aE "$NETWORK_ERRORS" | awk '/:\/\// {print; found=1; exit} NR == 1 {first=$0} END {if (!found && first != "") print first}' | cut -c1-200 || true)"
    if [[ -n "$net" ]] && (( attempt < tries )); then
      wait_s=$(( attempt == 1 ? 5 : 20 ))
      log "$label: the network failed ($net; try $attempt of $tries); trying again in ${wait_s}s"
      sleep "$wait_s"; attempt=$((attempt + 1)); continue
    fi
    local why=""
    if [[ -n "$net" ]]; then why=" after $attempt tries: the network failed each time ($net)"
    elif (( attempt > 1 )); then why=" on try $attempt (the earlier ones failed on the network)"
    fi
    step_failed "$label" "$rc" "$logf" "$hint" "$why"
    return "$rc"
  done
}

# A shell function runs in a bash of its own with `set -euo pipefail` and the script's functions: it
# stops at its first failing command whatever the caller's context (errexit is off inside a function
# called from `if`, `||` or `&&`, and so inside anything it starts). It sees its arguments and the
# exported variables only.
_step_command() {
  if [[ "$(type -t "$1")" == function ]]; then
    SLICE_STEP_FUNCTIONS="$(declare -f)" bash -c 'set -euo pipefail; eval "$SLICE_STEP_FUNCTIONS"; unset SLICE_STEP_FUNCTIONS; "$@"' "$1" "$@"
  else
    "$@"
  fi
}

_step_interrupted() {
  progress_stop
  [[ -n "${_STEP_PID:-}" ]] && kill_tree "$_STEP_PID"
  log "interrupted"; exit 130   # the caller's EXIT trap runs
}

# step_failed LABEL EXIT_CODE LOG HINT [WHY]: the report of a failed step, on stderr.
step_failed() {
  local label=$1 rc=$2 logf=$3 hint=$4 why=${5:-}
  {
    printf '\n%serror: %s failed (exit code %s)%s.\n' "${SLICE_LOG_TAG:+[$SLICE_LOG_TAG] }" "$label" "$rc" "$why"
    printf -- '---- last 25 lines of %s ----\n' "$logf"
    tail -n 25 "$logf" | sed 's/^/  /'
    printf -- '----\n'
    [[ -n "$hint" ]] && printf 'What to do: %s\n' "$hint"
    printf 'The whole output is in %s. Running the same command again retries this step; the steps that succeeded are not repeated.\n\n' "$logf"
  } >&2
}
