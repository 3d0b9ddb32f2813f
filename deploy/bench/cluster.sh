#!/usr/bin/env bash
# cluster.sh — NODES FleckChat daemons sharing one private Redis, in the foreground, for the benchmark kit.
#
# Usage: deploy/bench/cluster.sh PORT NODES [extra daemon args...]
#   e.g. ../shared/bench/run-peers.sh cluster3@3='deploy/bench/cluster.sh {PORT} 3'
#
# Starts redis-server on a free 127.0.0.1 port (PORT+NODES+100 upwards; no persistence, its own temp dir),
# then daemons on 127.0.0.1:PORT+1 .. PORT+NODES-1 and last on PORT, each with --redis 127.0.0.1:REDISPORT,
# so once PORT answers every node does. Stays in the foreground until SIGTERM/SIGINT (or until a node or
# Redis dies, exit 1), then stops the daemons and Redis by PID and waits for them (within ~4 s).
# Daemons get the single-daemon benchmark's settings (docs/performance.md, "The runs"): DOTNET_GCgen0size=100000
# and the seed flags below; an extra arg naming one of those options replaces it. Logs: the daemons' and
# Redis's stdout/stderr go to this script's (the kit's logs/NAME.log); log files under
# $FLECKCHAT_BENCH_LOG_DIR/node-PORT (default /tmp/fc-bench-logs).
# Env: FLECKCHAT        daemon command (word-split), default: dotnet REPO/FleckChat/bin/Release/net10.0/fleckchat.dll
#      FLECKCHAT_BENCH_STATS=FILE  append `redis-cli INFO commandstats` marked "before" (Redis up), "ready"
#                       (all nodes up), "stopping" (signal received, daemons still up) and "after" (daemons
#                       stopped); read with deploy/bench/commandstats.sh -f FILE. Each snapshot also holds
#                       `INFO cpu`'s used_cpu_* lines and one proc_redis / proc_nodeI line per process
#                       (utime+stime in clock ticks and VmRSS from /proc), for CPU per message.
#      FLECKCHAT_BENCH_REDIS=off  no Redis and no --redis: the same daemons standing alone (a 1-node baseline
#                       whose snapshots then hold only the proc_ lines, for the same CPU-per-message figure).
# Exit 2: bad usage, redis-server missing, or daemon not built.
set -euo pipefail

usage() { sed -n '2,23p' "$0" >&2; exit 2; }
[ $# -ge 2 ] || usage
PORT=$1 NODES=$2
shift 2
[[ $PORT =~ ^[0-9]+$ && $NODES =~ ^[1-9][0-9]*$ ]] || usage

if ! command -v redis-server >/dev/null || ! command -v redis-cli >/dev/null; then
  echo "cluster.sh: redis-server/redis-cli not found; install: sudo apt-get install -y redis-server" >&2
  exit 2
fi

REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
if [ -n "${FLECKCHAT:-}" ]; then
  read -r -a FC <<<"$FLECKCHAT"
else
  FC=(dotnet "$REPO/FleckChat/bin/Release/net10.0/fleckchat.dll")
  [ -f "${FC[1]}" ] || { echo "cluster.sh: ${FC[1]} missing; build: dotnet build $REPO/FleckChat -c Release" >&2; exit 2; }
fi

# The single-daemon bench's seed flags (docs/performance.md), minus any option the extra args give again.
SEED=(--history 0 --rate-limit 0 --join-notices off --max-connections-per-ip 0 --max-handshakes-per-ip 0
      --connect-rate-per-ip 0 --log-level Warning)
FLAGS=()
for ((k = 0; k < ${#SEED[@]}; k += 2)); do
  given=0
  for a in "$@"; do [[ $a == "${SEED[k]}" || $a == "${SEED[k]}="* ]] && given=1; done
  [ "$given" = 1 ] || FLAGS+=("${SEED[k]}" "${SEED[k + 1]}")
done
LOGROOT=${FLECKCHAT_BENCH_LOG_DIR:-/tmp/fc-bench-logs}
STATS=${FLECKCHAT_BENCH_STATS:-}
USE_REDIS=1
[ "${FLECKCHAT_BENCH_REDIS:-on}" = off ] && USE_REDIS=0

# Children die with this script even if it is SIGKILLed (the kit does that after 5 s).
GUARD=()
if setpriv --pdeathsig TERM -- true 2>/dev/null; then GUARD=(setpriv --pdeathsig TERM --); fi

TMP=$(mktemp -d "${TMPDIR:-/tmp}/fc-cluster.XXXXXX")
REDIS_PID="" RP=""
DAEMON_PIDS=()

alive() { kill -0 "$1" 2>/dev/null; }
stop_pids() {   # $1 seconds to wait after TERM, then KILL; reaps them
  local secs=$1; shift
  [ $# -gt 0 ] || return 0
  kill -TERM "$@" 2>/dev/null || true
  local p left
  for ((t = 0; t < secs * 10; t++)); do
    left=0; for p in "$@"; do alive "$p" && left=1; done
    [ "$left" = 1 ] || break
    sleep 0.1
  done
  for p in "$@"; do alive "$p" && kill -KILL "$p" 2>/dev/null; wait "$p" 2>/dev/null || true; done
}
proc_line() {   # $1 pid, $2 label: "proc_LABEL:pid=P,cpu_ticks=utime+stime,rss_kb=VmRSS" (ticks: getconf CLK_TCK)
  local st rss
  st=$(cat "/proc/$1/stat" 2>/dev/null) || return 0
  st=${st##*) }   # fields after the command name; utime and stime are fields 14 and 15 of the whole line
  local -a f; read -r -a f <<<"$st"
  rss=$(awk '/^VmRSS:/ { print $2 }' "/proc/$1/status" 2>/dev/null)
  echo "proc_$2:pid=$1,cpu_ticks=$((f[11] + f[12])),rss_kb=${rss:-0}"
}
snapshot() {    # $1 mark
  [ -n "$STATS" ] && { [ -n "$RP" ] || [ "$USE_REDIS" = 0 ]; } || return 0
  local pid i=0
  { echo "# $1 $(date -Iseconds) redis=127.0.0.1:${RP:-none} port=$PORT nodes=$NODES clk_tck=$(getconf CLK_TCK)"
    if [ -n "$RP" ]; then
      redis-cli -p "$RP" INFO commandstats | tr -d '\r'
      redis-cli -p "$RP" INFO cpu | tr -d '\r' | grep '^used_cpu'
      proc_line "$REDIS_PID" redis
    fi
    for pid in "${DAEMON_PIDS[@]}"; do proc_line "$pid" "node$i"; i=$((i + 1)); done
  } >>"$STATS" 2>/dev/null || true
}
# shellcheck disable=SC2317  # invoked from the traps
cleanup() {
  trap - TERM INT EXIT
  { [ -z "$REDIS_PID" ] || alive "$REDIS_PID"; } && snapshot stopping
  stop_pids 3 "${DAEMON_PIDS[@]}"
  { [ -z "$REDIS_PID" ] || alive "$REDIS_PID"; } && snapshot after
  [ -n "$REDIS_PID" ] && stop_pids 1 "$REDIS_PID"
  rm -rf "$TMP"
}
trap 'cleanup; exit 143' TERM
trap 'cleanup; exit 130' INT
trap 'rc=$?; cleanup; exit "$rc"' EXIT

# --- Redis on a free port --------------------------------------------------------------------------
listening() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
p=${FLECKCHAT_BENCH_REDIS_PORT:-$((PORT + NODES + 100))}
for ((try = 0; USE_REDIS && try < 20; try++, p++)); do
  listening "$p" && continue
  "${GUARD[@]}" redis-server --port "$p" --bind 127.0.0.1 --save '' --appendonly no --daemonize no \
    --dir "$TMP" --logfile '' --loglevel warning &
  REDIS_PID=$!
  for ((t = 0; t < 100; t++)); do
    alive "$REDIS_PID" || break
    [ "$(redis-cli -p "$p" ping 2>/dev/null)" = PONG ] && { RP=$p; break; }
    sleep 0.1
  done
  [ -n "$RP" ] && alive "$REDIS_PID" && break
  stop_pids 1 "$REDIS_PID"; REDIS_PID="" RP=""    # port taken meanwhile (bind failed) or too slow: next port
done
if [ "$USE_REDIS" = 1 ]; then
  [ -n "$RP" ] || { echo "cluster.sh: could not start redis-server" >&2; exit 1; }
  echo "cluster.sh: redis-server pid $REDIS_PID on 127.0.0.1:$RP"
  REDIS_ARGS=(--redis "127.0.0.1:$RP")
else
  echo "cluster.sh: FLECKCHAT_BENCH_REDIS=off: daemons without Redis"
  REDIS_ARGS=()
fi
snapshot before

# --- daemons: PORT+1.. first, PORT last ------------------------------------------------------------
start_node() {  # $1 port, then the extra daemon args
  local port=$1; shift
  mkdir -p "$LOGROOT/node-$port"
  DOTNET_GCgen0size=100000 "${GUARD[@]}" "${FC[@]}" --port "$port" --bind 127.0.0.1 "${REDIS_ARGS[@]}" \
    --log-dir "$LOGROOT/node-$port" "${FLAGS[@]}" "$@" &
  DAEMON_PIDS+=($!)
}
healthy() {
  if [ "$USE_REDIS" = 1 ]; then curl -sf -m 1 "http://127.0.0.1:$1/healthz" 2>/dev/null | grep -q '"redis":"up"'
  else curl -sf -m 1 "http://127.0.0.1:$1/healthz" >/dev/null 2>&1; fi
}
wait_healthy() {  # ports...
  local port t
  for port in "$@"; do
    for ((t = 0; ; t++)); do
      healthy "$port" && break
      for pid in "${DAEMON_PIDS[@]}" ${REDIS_PID:+"$REDIS_PID"}; do alive "$pid" || { echo "cluster.sh: pid $pid died during start" >&2; exit 1; }; done
      [ "$t" -lt 600 ] || { echo "cluster.sh: 127.0.0.1:$port not healthy after 60 s" >&2; exit 1; }
      sleep 0.1
    done
  done
}
others=()
for ((i = 1; i < NODES; i++)); do start_node "$((PORT + i))" "$@"; others+=("$((PORT + i))"); done
[ ${#others[@]} -eq 0 ] || wait_healthy "${others[@]}"
start_node "$PORT" "$@"
wait_healthy "$PORT"
echo "cluster.sh: $NODES node(s) on 127.0.0.1:$PORT..$((PORT + NODES - 1)), pids ${DAEMON_PIDS[*]}"
snapshot ready

# --- foreground until a signal or until any child exits --------------------------------------------
set +e
wait -n "${DAEMON_PIDS[@]}" ${REDIS_PID:+"$REDIS_PID"}
rc=$?
set -e
echo "cluster.sh: a node or Redis exited (status $rc); stopping the rest" >&2
exit 1
