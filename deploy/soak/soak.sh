#!/usr/bin/env bash
# soak.sh: runs the daemon for a long time under steady traffic and connection churn, samples its
# footprint every 10 s and judges it: RSS and open descriptors flat within 10 % after warm-up, and
# not one steady member's message lost, duplicated or reordered. Not part of CI (it takes an hour).
#
# Usage: deploy/soak/soak.sh [--duration 1h] [--warmup 5m] [--members 1000] [--rooms 20] [--rate 500]
#                            [--churn 20] [--sample 10s] [--out DIR] [--src DIR | --daemon FILE]
#                            [--png FILE] [-- DAEMON OPTION ...]
#
#   --duration    how long the load runs; --warmup: the start of it that the flatness check ignores
#   --members     steady members, connected throughout, spread round robin over --rooms rooms
#   --rate        messages per second from all steady members together (each speaks every members/rate s)
#   --churn       extra short-lived connections per second: each joins a random room for 0.2-3 s and
#                 leaves by the close handshake (1/2), a TCP reset (1/4) or a FIN without close frame (1/4)
#   --src DIR     a FleckChat source tree to build (Release) and soak (default: this repository)
#   --daemon FILE a built fleckchat.dll or fleckchat executable instead of building one
#   --out DIR     where samples.tsv, verdict.txt, verdict.json, soak.png, run.txt and the daemon's logs go
#                 (default /tmp/fleckchat-soak/<UTC timestamp>)
#   --png FILE    also copy the curves there (e.g. docs/soak/soak.png)
#   -- ...        further daemon options, e.g. to raise a connection-rate limit of the build under test
#
# The daemon listens on 127.0.0.1 on a free port, with 20000 descriptors and without the per-address
# limits (connections, and where the build has them, connection rate and unfinished handshakes) and the
# message rate limit, which would refuse the soak's own traffic (all of it comes from 127.0.0.1). History and join notices keep their defaults, and the runtime gets the environment
# (DOTNET_*) that deploy/fleckchat.service.in gives the installed service. The load client (SoakClient/, not in
# FleckChat.sln) is built here and checks every (sender, seq) each steady member should see.
# Exit status: 0 when the verdict passes, 1 when it fails, 2 on a usage or setup error.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(cd "$here/../.." && pwd)
usage() { awk 'NR > 1 && /^#/ { sub(/^# ?/, ""); print; next } NR > 1 { exit }' "$0"; }
die() { printf 'soak: %s\n' "$*" >&2; exit 2; }

duration=1h warmup=5m members=1000 rooms=20 rate=500 churn=20 sample=10s
src=$repo daemon="" out="" png=""
while [ $# -gt 0 ]; do
  case "$1" in
    --duration | --warmup | --members | --rooms | --rate | --churn | --sample | --src | --daemon | --out | --png)
      [ $# -ge 2 ] || die "$1 needs a value"
      name=${1#--}
      printf -v "$name" '%s' "$2"
      shift 2
      ;;
    --) shift; break ;;
    -h | --help) usage; exit 0 ;;
    *) usage >&2; exit 2 ;;
  esac
done
extra=("$@")
out=${out:-/tmp/fleckchat-soak/$(date -u +%Y%m%dT%H%M%SZ)}
mkdir -p "$out/logs"
out=$(cd "$out" && pwd)

# --- build -------------------------------------------------------------------------------------------
if [ -z "$daemon" ]; then
  echo "soak: building the daemon from $src (Release)"
  dotnet build "$src/FleckChat/FleckChat.csproj" -c Release -nologo -v quiet >"$out/build-daemon.log" 2>&1 ||
    { cat "$out/build-daemon.log" >&2; die "daemon build failed"; }
  daemon=$src/FleckChat/bin/Release/net10.0/fleckchat.dll
fi
[ -f "$daemon" ] || die "no daemon at $daemon"
echo "soak: building the load client"
dotnet build "$here/SoakClient/SoakClient.csproj" -c Release -nologo -v quiet >"$out/build-client.log" 2>&1 ||
  { cat "$out/build-client.log" >&2; die "load client build failed"; }
client=$here/SoakClient/bin/Release/net10.0/soak-client.dll
# The runtime settings of the installed service (e.g. its GC budget), so that the footprint is the deployed one.
unit=$src/deploy/fleckchat.service.in
[ -f "$unit" ] || unit=$repo/deploy/fleckchat.service.in
mapfile -t unit_env < <(sed -n 's/^Environment=\(DOTNET_[A-Za-z0-9_]*=.*\)$/\1/p' "$unit")
run_daemon=(env "${unit_env[@]}" "$daemon")
[[ $daemon == *.dll ]] && run_daemon=(env "${unit_env[@]}" dotnet "$daemon")

# --- daemon ------------------------------------------------------------------------------------------
port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
daemon_args=(--port "$port" --bind 127.0.0.1 --log-dir "$out/logs" --rate-limit 0 --max-connections-per-ip 0)
# Per-address limits on new connections and on unfinished handshakes, where the build has them:
# the churn alone opens 20 connections a second from 127.0.0.1.
help=$("${run_daemon[@]}" --help)
for option in --connect-rate-per-ip --max-handshakes-per-ip; do
  if grep -q -- "$option " <<<"$help"; then daemon_args+=("$option" 0); fi
done
daemon_args+=("${extra[@]}")
pid=""
stop_daemon() {
  [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null || return 0
  kill -TERM "$pid"
  for _ in $(seq 100); do kill -0 "$pid" 2>/dev/null || return 0; sleep 0.1; done
  echo "soak: the daemon did not stop within 10 s of SIGTERM; killing it" >&2
  kill -KILL "$pid" 2>/dev/null || true
}
trap stop_daemon EXIT

# prlimit and env exec the daemon, so $! is the daemon's own PID.
prlimit --nofile=20000:20000 -- "${run_daemon[@]}" "${daemon_args[@]}" >"$out/daemon.out" 2>&1 &
pid=$!
for _ in $(seq 300); do
  curl -fsS "http://127.0.0.1:$port/healthz" >/dev/null 2>&1 && break
  kill -0 "$pid" 2>/dev/null || { cat "$out/daemon.out" >&2; die "the daemon exited at start"; }
  sleep 0.1
done
curl -fsS "http://127.0.0.1:$port/healthz" >/dev/null || die "the daemon did not answer /healthz within 30 s"

{
  echo "started: $(date -u +%Y-%m-%dT%H:%M:%SZ)"
  echo "source: $src ($(git -C "$src" rev-parse HEAD 2>/dev/null || echo 'not a git checkout'))"
  echo "daemon: ${run_daemon[*]} ${daemon_args[*]} (pid $pid, $(prlimit --pid "$pid" --nofile --noheadings --output SOFT) descriptors)"
  echo "soak: --duration $duration --warmup $warmup --members $members --rooms $rooms --rate $rate --churn $churn --sample $sample"
  echo "machine: $(nproc) CPUs ($(sed -n 's/^model name\s*: //p' /proc/cpuinfo | head -1)), $(free -g | awk '/^Mem:/ { print $2 }') GiB RAM, $(uname -sr), .NET $(dotnet --version)"
} | tee "$out/run.txt"

# --- load --------------------------------------------------------------------------------------------
status=0
ulimit -n 20000 # the client holds the steady members and up to a thousand churn connections
dotnet "$client" --url "ws://127.0.0.1:$port/chat" --pid "$pid" --out "$out" --duration "$duration" --warmup "$warmup" \
  --members "$members" --rooms "$rooms" --rate "$rate" --churn "$churn" --sample "$sample" || status=$?
if ! kill -0 "$pid" 2>/dev/null; then
  echo "soak: FAIL: the daemon is no longer running (see $out/daemon.out)" | tee -a "$out/verdict.txt"
  status=1
fi
stop_daemon
[ "$status" -le 1 ] || die "the load client failed (exit $status)"

# --- curves ------------------------------------------------------------------------------------------
# Debian's matplotlib (python3-matplotlib) lives with /usr/bin/python3, whatever python3 is first on PATH.
if /usr/bin/python3 "$here/plot.py" "$out/samples.tsv" "$out/verdict.json" "$out/soak.png"; then
  [ -z "$png" ] || { mkdir -p "$(dirname "$png")" && cp "$out/soak.png" "$png"; }
else
  echo "soak: no plot (is python3-matplotlib installed?)" >&2
fi
echo "soak: results in $out"
exit "$status"
