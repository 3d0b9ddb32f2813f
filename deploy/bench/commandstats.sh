#!/usr/bin/env bash
# commandstats.sh — Redis calls per command between two `INFO commandstats` snapshots, and per chat message.
#
# Usage: deploy/bench/commandstats.sh BEFORE AFTER [MESSAGES]
#        deploy/bench/commandstats.sh -f STATSFILE [MESSAGES]
#        deploy/bench/commandstats.sh -a STATSFILE [MESSAGES]
#   BEFORE, AFTER  files holding `redis-cli INFO commandstats` output
#   -f STATSFILE   a FLECKCHAT_BENCH_STATS file of deploy/bench/cluster.sh: compares the last "after" snapshot
#                  with the "ready" one before it (nodes up, so start-up traffic is left out)
#   -a STATSFILE   the same for every "ready"/"after" pair in the file (one per start of cluster.sh, e.g. one
#                  per repetition of the kit), summed; MESSAGES is then the total over all of them
#   MESSAGES       chat messages sent in between: adds a calls/message column
# With -f/-a, when the snapshots carry them (cluster.sh does), a CPU block follows: Redis's used_cpu_sys +
# used_cpu_user from "ready" to "after", and each process's utime+stime from "ready" to "stopping"
# (daemons still up), in seconds and, given MESSAGES, in µs per message.
# Each snapshot costs INFO calls (commandstats, cpu; counted under "info"), cluster.sh's readiness check one PING.
set -euo pipefail

usage() { sed -n '2,16p' "$0" >&2; exit 2; }
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT

PAIRS=()
if [ "${1:-}" = -f ] || [ "${1:-}" = -a ]; then
  [ $# -ge 2 ] || usage
  [ -f "$2" ] || { echo "commandstats.sh: no such file: $2" >&2; exit 2; }
  # Split into sections at the marks; pair each "after" with the last "ready" before it (-f: the last pair only).
  awk -v dir="$TMP" -v all="$([ "$1" = -a ] && echo 1 || echo 0)" '
    /^# (before|ready|stopping|after) / { n++; file[n] = dir "/s" n; kind[n] = $2; printf "" > file[n]; next }
    n && /^(cmdstat_|used_cpu_|proc_)/ { print > file[n] }
    END {
      for (i = n; i > 0; i--) {
        if (kind[i] != "after") continue
        for (j = i - 1; j > 0 && kind[j] != "ready"; j--) ;
        if (j == 0) continue
        for (k = i - 1; k > j && kind[k] != "stopping"; k--) ;
        line[++np] = file[j] " " file[i] " " (k > j ? file[k] : "-")
        if (!all) break
      }
      for (p = np; p > 0; p--) print line[p] > (dir "/pairs")
    }' "$2"
  [ -s "$TMP/pairs" ] || { echo "commandstats.sh: no ready/after pair in $2" >&2; exit 1; }
  while read -r b a st; do PAIRS+=("$b" "$a" "$st"); done <"$TMP/pairs"
  MESSAGES=${3:-}
else
  [ $# -ge 2 ] || usage
  PAIRS=("$1" "$2" -)
  MESSAGES=${3:-}
fi
[[ -z $MESSAGES || $MESSAGES =~ ^[1-9][0-9]*$ ]] || usage

# cmdstat_NAME:calls=N,usec=... (CRLF from redis-cli tolerated); files come as triples READY AFTER STOPPING|-
echo end >"$TMP/end"
ARGS=()
for ((i = 0; i < ${#PAIRS[@]}; i += 3)); do
  ARGS+=("role=b" "${PAIRS[i]}" "role=a" "${PAIRS[i + 1]}")
  [ "${PAIRS[i + 2]}" = - ] || ARGS+=("role=s" "${PAIRS[i + 2]}")
  ARGS+=("role=end" "$TMP/end")
done
awk -v msgs="$MESSAGES" '
  function val(key,   r) { if (!match($0, key "=[0-9.]+")) return 0; return substr($0, RSTART + length(key) + 1, RLENGTH - length(key) - 1) }
  FNR == 1 && role == "end" {   # one pair complete: add its differences
    for (k in c1) { d = c1[k] - c0[k]; if (d) { calls[k] += d; usec[k] += u1[k] - u0[k] } }
    rc = (cpu1 - cpu0); if (havecpu) rcpu += rc
    for (k in t1) if (k in t0) ptick[k] += t1[k] - t0[k]
    pairs++; delete c0; delete c1; delete u0; delete u1; delete t0; delete t1; cpu0 = cpu1 = 0; havecpu = 0
  }
  { gsub(/\r/, "") }
  /^cmdstat_/ {
    name = substr($0, 9, index($0, ":") - 9)
    if (role == "b") { c0[name] = val("calls"); u0[name] = val("usec") } else if (role == "a") { c1[name] = val("calls"); u1[name] = val("usec") }
  }
  /^used_cpu_(sys|user):/ {
    v = substr($0, index($0, ":") + 1)
    if (role == "b") cpu0 += v; else if (role == "a") { cpu1 += v; havecpu = 1 }
  }
  /^proc_/ {
    name = substr($0, 6, index($0, ":") - 6)
    if (role == "b") t0[name] = val("cpu_ticks"); else if (role == "s") t1[name] = val("cpu_ticks")
  }
  END {
    printf "%-28s %12s %12s", "command", "calls", "usec"
    if (msgs != "") printf " %14s", "calls/message"
    printf "\n"
    sorter = "sort -k2,2nr"
    for (k in calls) {
      line = sprintf("%-28s %12d %12d", k, calls[k], usec[k])
      if (msgs != "") line = line sprintf(" %14.3f", calls[k] / msgs)
      print line | sorter
      total += calls[k]
    }
    close(sorter)
    printf "%-28s %12d %12s", "total", total, ""
    if (msgs != "") printf " %14.3f", total / msgs
    printf "\n"
    if (rcpu > 0 || length(ptick) > 0) {
      printf "\n%-28s %12s %12s\n", "cpu (" pairs " start(s))", "seconds", (msgs != "" ? "us/message" : "")
      if (rcpu > 0) { printf "%-28s %12.2f", "redis used_cpu (INFO cpu)", rcpu; if (msgs != "") printf " %12.2f", rcpu * 1e6 / msgs; printf "\n" }
      cmd = "getconf CLK_TCK"; cmd | getline tck; close(cmd)
      for (k in ptick) {
        s = ptick[k] / tck; if (k != "redis") nodes += s
        printf "%-28s %12.2f", "proc " k " (ready..stopping)", s; if (msgs != "") printf " %12.2f", s * 1e6 / msgs; printf "\n"
      }
      if (nodes > 0) { printf "%-28s %12.2f", "all nodes", nodes; if (msgs != "") printf " %12.2f", nodes * 1e6 / msgs; printf "\n" }
    }
  }' "${ARGS[@]}"
