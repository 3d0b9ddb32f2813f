#!/usr/bin/env bash
# systemd-bed-test.sh: install.sh end to end on a real systemd (252, Debian bookworm, PID 1 in
# systemd-nspawn, sharing this machine's loopback), through ../shared/tools/systemd-bed.sh.
#
# The host publishes FleckChat (single-file and NativeAOT, with install.sh --destdir); the guest,
# which has no .NET at all, gets install.sh, deploy/ and the executables, and must end up with an
# active, enabled, unprivileged service that chats on 127.0.0.1, logs to the journal and to
# /var/log/fleckchat, survives a reload with its members, restarts after a crash, works socket
# activated, stops cleanly and uninstalls. Any failed check exits non-zero.
#
# Usage: deploy/e2e/systemd-bed-test.sh      (as root; .ci/run runs it after the unit tests)
# Environment: SYSD_BED_TOOL overrides the path of systemd-bed.sh.
#
# Single-quoted $(...) in guest commands is meant to expand in the guest, not here:
# shellcheck disable=SC2016
set -euo pipefail

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
bed=${SYSD_BED_TOOL:-$repo/../shared/tools/systemd-bed.sh}

step() { printf '\n== e2e: %s\n' "$*"; }
pass() { printf '   ok: %s\n' "$*"; }
fail() { printf 'systemd-bed-test: FAILED: %s\n' "$*" >&2; exit 1; }
guest() { bash "$bed" exec "$@"; }

# expect NAME WANTED COMMAND...: run COMMAND in the guest; WANTED is 0 (success) or "fail".
expect() {
  local name=$1 wanted=$2 status=0
  shift 2
  guest "$@" >"$work/out" 2>&1 || status=$?
  if { [ "$wanted" = 0 ] && [ "$status" -ne 0 ]; } || { [ "$wanted" = fail ] && [ "$status" -eq 0 ]; }; then
    cat "$work/out" >&2
    fail "$name (exit $status)"
  fi
  pass "$name"
}

# contains TEXT: the last command's output contains TEXT.
contains() {
  grep -qF -- "$1" "$work/out" || { cat "$work/out" >&2; fail "expected output to contain: $1"; }
}

# until_guest SECONDS COMMAND...: retry a guest check until it succeeds, at most SECONDS.
until_guest() {
  local deadline=$((SECONDS + $1))
  shift
  until guest "$@" >/dev/null 2>&1; do
    [ "$SECONDS" -lt "$deadline" ] || fail "not within the time allowed: $*"
    sleep 0.2
  done
}

[ "$(id -u)" -eq 0 ] || fail "run as root (systemd-nspawn needs it)"
[ -f "$bed" ] || fail "no systemd bed tool at $bed (set SYSD_BED_TOOL)"
command -v clang >/dev/null || fail "clang is missing for the NativeAOT build: apt-get install -y clang zlib1g-dev"

work=$(mktemp -d)
cleanup() {
  bash "$bed" down >/dev/null 2>&1 || true
  rm -rf "$work"
}
trap cleanup EXIT

step "publish on the host: single-file and NativeAOT (install.sh --destdir)"
for build in single aot; do
  flags=()
  [ "$build" = single ] || flags=(--aot)
  bash "$repo/install.sh" --destdir "$work/$build" "${flags[@]}" >"$work/publish-$build.log" 2>&1 ||
    { cat "$work/publish-$build.log" >&2; fail "publishing the $build build"; }
  pass "$build: $(stat -c %s "$work/$build/usr/local/bin/fleckchat") bytes"
done
mkdir -p "$work/pkg/deploy"
cp "$repo/install.sh" "$work/pkg/"
cp "$repo"/deploy/fleckchat.* "$work/pkg/deploy/"
cp "$repo/deploy/e2e/chat_probe.py" "$work/pkg/"
cp "$work/single/usr/local/bin/fleckchat" "$work/pkg/fleckchat"
cp "$work/aot/usr/local/bin/fleckchat" "$work/pkg/fleckchat-aot"
for tls in tls1 tls2; do # a certificate and its renewal
  mkdir -p "$work/pkg/$tls"
  openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 30 -subj "/CN=fleckchat $tls" \
    -addext "subjectAltName=DNS:localhost,IP:127.0.0.1" -keyout "$work/pkg/$tls/privkey.pem" -out "$work/pkg/$tls/fullchain.pem" 2>/dev/null ||
    fail "openssl could not make a test certificate"
done

step "boot a fresh guest (volatile: every run starts from the pristine Debian rootfs)"
bash "$bed" down >/dev/null 2>&1 || true
SYSD_BED_VOLATILE=1 bash "$bed" up
bash "$bed" install "$work/pkg" /root/pkg
free_port() { guest python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
port=$(free_port)
socket_port=$(free_port)
url="ws://127.0.0.1:$port/chat"
probe() { expect "$1" 0 python3 /root/pkg/chat_probe.py 127.0.0.1 "$2" "${@:3}"; }

step "clear refusals: no .NET to publish with, not root"
expect "no dotnet in the guest" fail sh -c '! command -v dotnet && cd /root/pkg && ./install.sh --destdir /tmp/stage'
contains "the .NET 10 SDK is needed to publish FleckChat"
expect "as nobody" fail sh -c 'cp -r /root/pkg /tmp/pkg && chmod -R a+rX /tmp/pkg &&
  setpriv --reuid=65534 --regid=65534 --clear-groups /tmp/pkg/install.sh --binary /tmp/pkg/fleckchat'
contains "installing a system service needs root"

step "without systemd running: files installed, how to run by hand explained"
expect "install with /run/systemd hidden" 0 unshare --mount sh -c "mount -t tmpfs tmpfs /run/systemd &&
  cd /root/pkg && ./install.sh --binary ./fleckchat --port $port --bind 127.0.0.1"
contains "systemd is not running on this machine"
contains "exec /usr/local/bin/fleckchat --log-dir /var/log/fleckchat"
expect "executable, settings and unit are there" 0 test -x /usr/local/bin/fleckchat -a -f /etc/systemd/system/fleckchat.service
expect "the settings have the port asked for" 0 grep -qx "FLECKCHAT_PORT=$port" /etc/fleckchat/fleckchat.env
expect "nothing was started" fail systemctl is-active --quiet fleckchat

step "sudo ./install.sh: active, enabled, unprivileged (an upgrade over the files above)"
expect "install.sh" 0 sh -c 'cd /root/pkg && ./install.sh --binary ./fleckchat'
contains "Kept      /etc/fleckchat/fleckchat.env"
contains "websocat $url"
expect "active" 0 systemctl is-active --quiet fleckchat
expect "enabled" 0 systemctl is-enabled --quiet fleckchat
expect "runs as a dynamic user without capabilities" 0 sh -c 'pid=$(systemctl show -p MainPID --value fleckchat) &&
  [ "$(stat -c %u /proc/$pid)" -ge 61184 ] && grep -qx "CapEff:	0000000000000000" /proc/$pid/status'
expect "status line" 0 systemctl show -p StatusText --value fleckchat
contains "connections on $url"
expect "watchdog" 0 systemctl show -p WatchdogUSec --value fleckchat
contains "30s"
expect "exposure score" 0 sh -c 'systemd-analyze security fleckchat --no-pager | tail -n1'
printf '   %s\n' "$(cat "$work/out")"

step "chat on 127.0.0.1, members kept across systemctl reload"
probe "two members chat through a reload" "$port" --during "systemctl reload fleckchat"
expect "journal: start, joins, reload" 0 journalctl -u fleckchat -o cat --no-pager
contains "listening on $url"
contains "user1 joined"
contains "Reloaded with 2 connections kept"
expect "journal lines carry no timestamp or prefix of their own" fail sh -c \
  'journalctl -u fleckchat -o cat --no-pager _PID=$(systemctl show -p MainPID --value fleckchat) | grep -E "^(\[[0-9:]{8} |<[0-7]>)"'
expect "journal priorities come from the prefixes" 0 sh -c \
  'journalctl -u fleckchat -o cat --no-pager -p info..info | grep -q "user0 joined" && ! journalctl -u fleckchat -o cat --no-pager -p warning | grep -q "joined"'
expect "log files in /var/log/fleckchat" 0 sh -c 'grep -l "user1 joined" /var/log/fleckchat/fleckchat-*.log'

step "a crash is restarted (Restart=on-failure)"
expect "kill -9" 0 sh -c 'systemctl show -p MainPID --value fleckchat > /tmp/pid && kill -KILL "$(cat /tmp/pid)"'
until_guest 20 sh -c 'systemctl is-active --quiet fleckchat && [ "$(systemctl show -p MainPID --value fleckchat)" != "$(cat /tmp/pid)" ]'
pass "running again with a new process"
probe "chats after the restart" "$port"

step "NativeAOT build (install.sh --aot): MemoryDenyWriteExecute=yes"
expect "install.sh --aot" 0 sh -c 'cd /root/pkg && ./install.sh --aot --binary ./fleckchat-aot'
expect "unit denies writable executable memory" 0 systemctl show -p MemoryDenyWriteExecute --value fleckchat
contains "yes"
probe "the AOT build chats" "$port"

step "socket activation (install.sh --socket): systemd owns the port"
expect "install.sh --socket" 0 sh -c "cd /root/pkg && ./install.sh --binary ./fleckchat --socket --port $socket_port --bind 127.0.0.1"
expect "socket and service active" 0 systemctl is-active --quiet fleckchat.socket fleckchat.service
probe "chats on the socket's port" "$socket_port"
expect "the daemon took the socket" 0 journalctl -u fleckchat -o cat --no-pager
contains "Socket activation: serving on the socket systemd passed"
expect "stop the service, keep the socket" 0 systemctl stop fleckchat.service
expect "the socket still listens" 0 systemctl is-active --quiet fleckchat.socket
probe "a connection starts the service again" "$socket_port"
expect "started on demand" 0 systemctl is-active --quiet fleckchat.service

step "back without --socket: the socket unit goes, the port is the settings' again"
expect "install.sh" 0 sh -c 'cd /root/pkg && ./install.sh --binary ./fleckchat'
expect "no socket unit" fail test -e /etc/systemd/system/fleckchat.socket
probe "chats on the settings' port" "$port"

step "wss:// as the README sets it up: key readable through a group, renewal by reload"
expect "certificate files, group, drop-in, settings" 0 sh -c '
  groupadd --system fleckchat-tls &&
  install -d -m 0750 -g fleckchat-tls /etc/fleckchat/tls &&
  install -m 0640 -g fleckchat-tls /root/pkg/tls1/fullchain.pem /root/pkg/tls1/privkey.pem /etc/fleckchat/tls/ &&
  mkdir -p /etc/systemd/system/fleckchat.service.d &&
  printf "[Service]\nSupplementaryGroups=fleckchat-tls\n" > /etc/systemd/system/fleckchat.service.d/tls.conf &&
  printf "FLECKCHAT_CERT=/etc/fleckchat/tls/fullchain.pem\nFLECKCHAT_KEY=/etc/fleckchat/tls/privkey.pem\n" >> /etc/fleckchat/fleckchat.env &&
  systemctl daemon-reload && systemctl restart fleckchat'
probe "wss:// chats" "$port" --cafile /root/pkg/tls1/fullchain.pem
probe "members stay while the certificate is renewed" "$port" --cafile /root/pkg/tls1/fullchain.pem \
  --during "install -m 0640 -g fleckchat-tls /root/pkg/tls2/fullchain.pem /root/pkg/tls2/privkey.pem /etc/fleckchat/tls/ && systemctl reload fleckchat"
probe "new connections get the renewed certificate" "$port" --cafile /root/pkg/tls2/fullchain.pem
expect "the old certificate is no longer served" fail python3 /root/pkg/chat_probe.py 127.0.0.1 "$port" --cafile /root/pkg/tls1/fullchain.pem

step "clean stop"
expect "systemctl stop" 0 systemctl stop fleckchat
expect "stopped with success and exit code 0" 0 sh -c \
  '[ "$(systemctl show -p Result --value fleckchat)" = success ] && [ "$(systemctl show -p ExecMainStatus --value fleckchat)" = 0 ]'
expect "it said so" 0 sh -c 'journalctl -u fleckchat -o cat --no-pager | tail -n 5'
contains "Stopped"

step "uninstall: service gone, settings and logs kept; --purge removes them"
expect "install.sh --uninstall" 0 sh -c 'cd /root/pkg && ./install.sh --uninstall'
expect "no unit" fail systemctl cat fleckchat.service
expect "no executable" fail test -e /usr/local/bin/fleckchat
expect "settings and logs kept" 0 sh -c 'test -f /etc/fleckchat/fleckchat.env && ls /var/log/fleckchat/fleckchat-*.log'
expect "install.sh --uninstall --purge" 0 sh -c 'cd /root/pkg && ./install.sh --uninstall --purge'
expect "settings and logs removed" fail sh -c 'ls -d /etc/fleckchat /var/log/fleckchat /var/log/private/fleckchat 2>/dev/null | grep .'

printf '\nsystemd-bed-test: all checks passed\n'
