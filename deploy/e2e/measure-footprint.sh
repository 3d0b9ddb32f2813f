#!/usr/bin/env bash
# measure-footprint.sh: size, startup time to READY=1 and idle memory of the single-file and the
# NativeAOT builds, each running as the installed, hardened fleckchat.service on a real systemd
# (the systemd bed, as in systemd-bed-test.sh). Prints a Markdown table for the README.
#
#   startup  = ActiveEnterTimestampMonotonic - ExecMainStartTimestampMonotonic: from the exec of
#              the executable to systemd receiving READY=1 (listener bound), median of RUNS starts
#   idle RSS = VmRSS of the main process IDLE_SECONDS after READY=1 with no member, median
#
# Usage: deploy/e2e/measure-footprint.sh   (as root)   Environment: RUNS (7), IDLE_SECONDS (5)
#
# Single-quoted $(...) in guest commands is meant to expand in the guest, not here:
# shellcheck disable=SC2016
set -euo pipefail

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
bed=${SYSD_BED_TOOL:-$repo/../shared/tools/systemd-bed.sh}
runs=${RUNS:-7}
idle=${IDLE_SECONDS:-5}
guest() { bash "$bed" exec "$@"; }
median() { sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }

[ "$(id -u)" -eq 0 ] || { echo "measure-footprint: run as root" >&2; exit 1; }
work=$(mktemp -d)
trap 'bash "$bed" down >/dev/null 2>&1 || true; rm -rf "$work"' EXIT

mkdir -p "$work/pkg/deploy"
cp "$repo/install.sh" "$work/pkg/"
cp "$repo"/deploy/fleckchat.* "$work/pkg/deploy/"
for build in single aot; do
  flags=()
  [ "$build" = single ] || flags=(--aot)
  bash "$repo/install.sh" --destdir "$work/$build" "${flags[@]}" >"$work/publish-$build.log" 2>&1 ||
    { cat "$work/publish-$build.log" >&2; exit 1; }
  cp "$work/$build/usr/local/bin/fleckchat" "$work/pkg/fleckchat-$build"
done

bash "$bed" down >/dev/null 2>&1 || true
SYSD_BED_VOLATILE=1 bash "$bed" up 2>/dev/null
bash "$bed" install "$work/pkg" /root/pkg 2>/dev/null
port=$(guest python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')

echo "| build | executable | startup to READY=1 (median of $runs) | idle RSS after ${idle} s |"
echo "|---|---|---|---|"
for build in single aot; do
  flags=()
  [ "$build" = single ] || flags=(--aot)
  guest sh -c "cd /root/pkg && ./install.sh ${flags[*]} --binary ./fleckchat-$build --port $port --bind 127.0.0.1" >/dev/null
  : >"$work/startup"
  : >"$work/rss"
  for _ in $(seq "$runs"); do
    guest systemctl restart fleckchat
    guest sh -c 'echo $(( $(systemctl show -p ActiveEnterTimestampMonotonic --value fleckchat) - $(systemctl show -p ExecMainStartTimestampMonotonic --value fleckchat) ))' >>"$work/startup"
    sleep "$idle"
    guest sh -c 'awk "/^VmRSS/ { print \$2 }" /proc/$(systemctl show -p MainPID --value fleckchat)/status' >>"$work/rss"
  done
  size=$(stat -c %s "$work/pkg/fleckchat-$build")
  startup=$(median <"$work/startup")
  rss=$(median <"$work/rss")
  name=$([ "$build" = single ] && echo "single-file, trimmed" || echo "NativeAOT")
  awk -v n="$name" -v s="$size" -v t="$startup" -v r="$rss" \
    'BEGIN { printf "| %s | %.1f MB | %.0f ms | %.1f MB |\n", n, s / 1e6, t / 1000, r / 1024 }'
done
