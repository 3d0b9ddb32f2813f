#!/usr/bin/env bash
# commandstats.sh — Redis calls per command between two `INFO commandstats` snapshots, and per chat message.
#
# Usage: deploy/bench/commandstats.sh BEFORE AFTER [MESSAGES]
#        deploy/bench/commandstats.sh -f STATSFILE [MESSAGES]
#   BEFORE, AFTER  files holding `redis-cli INFO commandstats` output
#   -f STATSFILE   a FLECKCHAT_BENCH_STATS file of deploy/bench/cluster.sh: compares the last "after" snapshot
#                  with the "ready" one before it (nodes up, so start-up traffic is left out)
#   MESSAGES       chat messages sent in between: adds a calls/message column
# Each snapshot itself costs one INFO call, and cluster.sh's readiness check one PING.
set -euo pipefail

usage() { sed -n '2,10p' "$0" >&2; exit 2; }
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT

if [ "${1:-}" = -f ]; then
  [ $# -ge 2 ] || usage
  [ -f "$2" ] || { echo "commandstats.sh: no such file: $2" >&2; exit 2; }
  # Split into sections at "# ready" / "# after"; keep the last after and the last ready before it.
  awk -v dir="$TMP" '
    /^# (before|ready|after) / { mark = $2; n++; file[n] = dir "/s" n; kind[n] = mark; next }
    n && /^cmdstat_/ { print > file[n] }
    END {
      for (i = n; i > 0 && kind[i] != "after"; i--) ;
      for (j = i - 1; j > 0 && kind[j] != "ready"; j--) ;
      if (i > 0 && j > 0) { print file[j] > (dir "/pair"); print file[i] > (dir "/pair") }
    }' "$2"
  [ -f "$TMP/pair" ] || { echo "commandstats.sh: no ready/after pair in $2" >&2; exit 1; }
  { read -r BEFORE; read -r AFTER; } <"$TMP/pair"
  touch "$BEFORE" "$AFTER"   # a section may hold no command yet
  MESSAGES=${3:-}
else
  [ $# -ge 2 ] || usage
  BEFORE=$1 AFTER=$2 MESSAGES=${3:-}
fi
[[ -z $MESSAGES || $MESSAGES =~ ^[1-9][0-9]*$ ]] || usage

# cmdstat_NAME:calls=N,usec=... (CRLF from redis-cli tolerated)
awk -v msgs="$MESSAGES" '
  { gsub(/\r/, "") }
  /^cmdstat_/ {
    name = substr($0, 9, index($0, ":") - 9)
    match($0, /calls=[0-9]+/); calls = substr($0, RSTART + 6, RLENGTH - 6)
    match($0, /usec=[0-9]+/);  usec = substr($0, RSTART + 5, RLENGTH - 5)
    if (FILENAME == ARGV[1]) { c0[name] = calls; u0[name] = usec } else { c1[name] = calls; u1[name] = usec }
  }
  END {
    printf "%-28s %12s %12s", "command", "calls", "usec"
    if (msgs != "") printf " %14s", "calls/message"
    printf "\n"
    sorter = "sort -k2,2nr"
    for (k in c1) {
      d = c1[k] - c0[k]; if (d == 0) continue
      line = sprintf("%-28s %12d %12d", k, d, u1[k] - u0[k])
      if (msgs != "") line = line sprintf(" %14.3f", d / msgs)
      print line | sorter
      total += d
    }
    close(sorter)
    printf "%-28s %12d %12s", "total", total, ""
    if (msgs != "") printf " %14.3f", total / msgs
    printf "\n"
  }' "$BEFORE" "$AFTER"
