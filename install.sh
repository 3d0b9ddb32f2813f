#!/usr/bin/env bash
# install.sh: publish FleckChat as one self-contained executable and install it as a hardened
# systemd service. `./install.sh --help` explains everything.
set -euo pipefail

usage() {
  cat <<'EOF'
Usage: sudo ./install.sh [OPTION]...

Publishes FleckChat (Release, self-contained, single-file, trimmed, for this machine's
architecture: linux-x64 or linux-arm64) and installs it as a systemd service:

  /usr/local/bin/fleckchat                the executable (--prefix changes /usr/local)
  /etc/fleckchat/fleckchat.env            the settings, every option with its default
                                          (written only when absent: upgrades keep it)
  /etc/systemd/system/fleckchat.service   the unit: Type=notify, watchdog, hardened, DynamicUser
  /etc/systemd/system/fleckchat.socket    with --socket only
  /var/log/fleckchat/                     the log files (created by systemd: LogsDirectory=)

then runs `systemctl daemon-reload` and enables and (re)starts the service. Re-running it
upgrades: the executable and units are replaced, the settings are kept, the service restarted.

Options:
  --aot            publish with NativeAOT instead (needs: apt-get install -y clang zlib1g-dev);
                   smaller, starts faster, and the unit adds MemoryDenyWriteExecute=yes
  --binary FILE    install FILE, an executable published before, instead of publishing
                   (no .NET SDK needed; with --aot when FILE is a NativeAOT build)
  --prefix DIR     install the executable as DIR/bin/fleckchat (default: /usr/local)
  --port N         the port to serve on (default 8080): written into a new settings file, or
                   into fleckchat.socket with --socket. Below 1024 the unit gets exactly
                   CAP_NET_BIND_SERVICE. An existing settings file is never changed: its
                   FLECKCHAT_PORT wins, edit it there.
  --bind ADDRESS   the address, likewise (default 0.0.0.0; :: for IPv6 and IPv4)
  --redis CONFIG   share rooms with other daemons through Redis: CONFIG is a StackExchange.Redis
                   configuration string (e.g. 127.0.0.1:6379 or host:6380,password=...,ssl=true),
                   written into a new settings file as FLECKCHAT_REDIS (mode 0600 when it holds
                   a password). When its first endpoint is on this machine (127.0.0.1, localhost,
                   ::1) the unit starts after redis-server.service and wants it. An existing
                   settings file is never changed: its FLECKCHAT_REDIS wins, edit it there.
  --socket         also install fleckchat.socket: systemd listens on the port and hands the
                   socket to the daemon (socket activation), starting it on the first
                   connection if it is not running
  --no-start       install and enable, but do not start or restart anything
  --destdir DIR    stage every file under DIR (DIR/usr/local/bin/fleckchat, ...) for packaging
                   or inspection: no root needed, nothing else touched, no systemctl
  --uninstall      stop, disable and remove the service, its socket and the executable; keeps
                   /etc/fleckchat and /var/log/fleckchat
  --purge          with --uninstall: remove /etc/fleckchat and /var/log/fleckchat too
  -h, --help       this text

Environment:
  DOTNET           the dotnet command to publish with (default: dotnet on PATH). sudo resets
                   PATH, so for an SDK in your home: sudo DOTNET="$(command -v dotnet)" ./install.sh

Without systemd (no /run/systemd/system), the files are installed and the script says how
to run the executable by hand. Afterwards:
  systemctl status fleckchat        journalctl -u fleckchat -f        ls /var/log/fleckchat
  sudo systemctl reload fleckchat   (reopen log files, reload the TLS certificate)
EOF
}

say() { printf '%s\n' "$*"; }
warn() { printf 'install.sh: warning: %s\n' "$*" >&2; }
die() { printf 'install.sh: %s\n' "$*" >&2; exit 1; }
usage_error() { printf 'install.sh: %s (see ./install.sh --help)\n' "$*" >&2; exit 2; }

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
templates=$repo/deploy
unitdir=/etc/systemd/system
confdir=/etc/fleckchat
logdir=/var/log/fleckchat

given=$*
aot=0 socket=0 start=1 uninstall=0 purge=0
destdir="" prefix=/usr/local binary="" port="" bind="" redis=""

value_of() { # OPTION VALUE: the value, or a usage error when it is missing
  if [ $# -lt 2 ] || [ -z "$2" ]; then usage_error "$1 needs a value"; fi
  printf '%s' "$2"
}

while [ $# -gt 0 ]; do
  case $1 in
    --aot) aot=1 ;;
    --socket) socket=1 ;;
    --no-start) start=0 ;;
    --uninstall) uninstall=1 ;;
    --purge) purge=1 ;;
    --destdir) destdir=$(value_of "$@"); shift ;;
    --prefix) prefix=$(value_of "$@"); shift ;;
    --binary) binary=$(value_of "$@"); shift ;;
    --port) port=$(value_of "$@"); shift ;;
    --bind) bind=$(value_of "$@"); shift ;;
    --redis) redis=$(value_of "$@"); shift ;;
    --destdir=*|--prefix=*|--binary=*|--port=*|--bind=*|--redis=*) set -- "${1%%=*}" "${1#*=}" "${@:2}"; continue ;;
    -h|--help) usage; exit 0 ;;
    *) usage_error "unknown option '$1'" ;;
  esac
  shift
done

[ "$purge" -eq 0 ] || [ "$uninstall" -eq 1 ] || usage_error "--purge goes with --uninstall"
case $prefix in /*) ;; *) usage_error "--prefix: '$prefix' is not an absolute path" ;; esac
if [ -n "$port" ]; then
  if ! [[ $port =~ ^[0-9]{1,5}$ ]] || [ "$port" -lt 1 ] || [ "$port" -gt 65535 ]; then
    usage_error "--port: '$port' is not a port number (1-65535)"
  fi
fi
if [ -n "$bind" ]; then
  [[ $bind =~ ^[0-9A-Fa-f.:]+$ ]] || usage_error "--bind: '$bind' is not an IP address"
fi
if [ -n "$redis" ]; then
  # What a settings line can hold as it is (systemd's EnvironmentFile= and sh's `.` read it alike);
  # the daemon itself checks the rest when it starts. The value is not repeated: it may hold a password.
  [[ $redis =~ ^[^[:space:][:cntrl:]\"\'\\]+$ ]] ||
    usage_error "--redis: not a configuration string such as 127.0.0.1:6379 (no spaces, quotes or backslashes)"
fi
if [ -n "$binary" ]; then
  if ! [ -f "$binary" ] || ! [ -x "$binary" ]; then usage_error "--binary: '$binary' is not an executable file"; fi
fi
if [ -n "$destdir" ]; then
  mkdir -p "$destdir"
  destdir=$(cd "$destdir" && pwd)
fi

# Where things go: under $root when staging, the system itself otherwise.
root=$destdir
bindir=$prefix/bin
systemd=0
if [ -z "$destdir" ]; then
  [ "$(id -u)" -eq 0 ] || die "installing a system service needs root: run sudo ./install.sh $given
(or stage the files somewhere with --destdir DIR, which needs no root)"
  if [ -d /run/systemd/system ] && command -v systemctl >/dev/null; then
    systemd=1
  fi
fi

ctl() { # systemctl, only on a live system with systemd
  [ "$systemd" -eq 1 ] || return 0
  systemctl "$@"
}

# ---- uninstall -------------------------------------------------------------------------------

uninstall() {
  local unit=$root$unitdir/fleckchat.service exe=$root$bindir/fleckchat
  if [ -f "$unit" ]; then
    # The executable the unit runs, wherever --prefix put it.
    local started
    started=$(sed -n 's/^ExecStart=\([^ ]*\).*/\1/p' "$unit" | head -n1)
    [ -n "$started" ] && exe=$root$started
  fi
  ctl disable --now fleckchat.socket fleckchat.service 2>/dev/null || true
  rm -f "$root$unitdir/fleckchat.socket" "$unit" "$exe"
  if [ "$purge" -eq 1 ]; then
    # systemctl edit drop-ins, the settings, and the logs (a DynamicUser's logs live in /var/log/private).
    rm -rf "$root$unitdir/fleckchat.service.d" "$root$unitdir/fleckchat.socket.d" \
      "$root$confdir" "$root$logdir" "$root/var/log/private/fleckchat"
  fi
  ctl daemon-reload
  ctl reset-failed fleckchat.service 2>/dev/null || true
  say "FleckChat is uninstalled: removed $exe and its units."
  if [ "$purge" -eq 1 ]; then
    say "Removed $confdir and $logdir as well (--purge)."
  else
    say "Kept your settings in $confdir and the logs in $logdir (--uninstall --purge removes them)."
  fi
}

if [ "$uninstall" -eq 1 ]; then
  uninstall
  exit 0
fi

# ---- publish ---------------------------------------------------------------------------------

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

publish() {
  local dotnet=${DOTNET:-dotnet} rid
  command -v "$dotnet" >/dev/null || die "the .NET 10 SDK is needed to publish FleckChat, and '$dotnet' is not a command here.
Install the SDK, or point DOTNET at it (sudo resets PATH: sudo DOTNET=\"\$(command -v dotnet)\" ./install.sh),
or install an executable published elsewhere with --binary FILE."
  case $(uname -m) in
    x86_64|amd64) rid=linux-x64 ;;
    aarch64|arm64) rid=linux-arm64 ;;
    *) die "this machine is $(uname -m); FleckChat publishes for x86_64 (linux-x64) and aarch64 (linux-arm64)" ;;
  esac
  # Build output goes to a scratch directory: nothing in the checkout becomes root's.
  local common=(publish "$repo/FleckChat/FleckChat.csproj" -c Release -r "$rid" --nologo
    --artifacts-path "$work/artifacts" -o "$work/out")
  if [ "$aot" -eq 1 ]; then
    command -v clang >/dev/null || die "NativeAOT links with clang, which is missing: apt-get install -y clang zlib1g-dev"
    say "Publishing FleckChat with NativeAOT for $rid ..."
    "$dotnet" "${common[@]}" -p:PublishAot=true
  else
    say "Publishing FleckChat self-contained, single-file and trimmed for $rid ..."
    # ReadyToRun: the code is compiled ahead of time too, so the daemon does not start by JIT-compiling
    # everything (start to first greeting about 100 ms instead of about 470 ms; the file grows ~12 MB).
    "$dotnet" "${common[@]}" --self-contained -p:PublishSingleFile=true -p:PublishTrimmed=true -p:PublishReadyToRun=true
  fi
  binary=$work/out/fleckchat
  [ -x "$binary" ] || die "dotnet publish did not produce $binary"
}

[ -n "$binary" ] || publish

# ---- settings --------------------------------------------------------------------------------

envfile=$root$confdir/fleckchat.env

env_value() { # NAME: its active value in the settings file, if any
  [ -f "$envfile" ] || return 0
  sed -n "s/^[[:space:]]*$1=[[:space:]]*\"\{0,1\}\([^\"]*\)\"\{0,1\}[[:space:]]*\$/\1/p" "$envfile" | tail -n1
}

if [ -f "$envfile" ]; then
  env_existed=1
  for setting in "port:FLECKCHAT_PORT:$port" "bind:FLECKCHAT_BIND:$bind"; do
    IFS=: read -r flag name given <<<"$setting"
    if [ "$socket" -eq 0 ] && [ -n "$given" ] && [ "$(env_value "$name")" != "$given" ]; then
      warn "--$flag $given: $envfile is kept as it is; set $name=$given there to use it"
    fi
  done
  if [ -n "$redis" ] && [ "$(env_value FLECKCHAT_REDIS)" != "$redis" ]; then
    warn "--redis: $envfile is kept as it is; set FLECKCHAT_REDIS there to use it"
  fi
else
  env_existed=0
  sedargs=(-e '')
  if [ "$socket" -eq 0 ]; then
    [ -z "$port" ] || sedargs+=(-e "s/^#FLECKCHAT_PORT=.*/FLECKCHAT_PORT=$port/")
    [ -z "$bind" ] || sedargs+=(-e "s/^#FLECKCHAT_BIND=.*/FLECKCHAT_BIND=$bind/")
  fi
  envmode=0644
  if [ -n "$redis" ]; then
    sedargs+=(-e "s/^#FLECKCHAT_REDIS=.*/FLECKCHAT_REDIS=$(printf '%s' "$redis" | sed 's/[\/&]/\\&/g')/")
    # systemd reads the file as root: a password in it need not be readable by anyone else.
    case $redis in *[Pp][Aa][Ss][Ss][Ww][Oo][Rr][Dd]=*) envmode=0600 ;; esac
  fi
  mkdir -p "$(dirname "$envfile")"
  sed "${sedargs[@]}" "$templates/fleckchat.env" >"$work/fleckchat.env"
  install -m "$envmode" "$work/fleckchat.env" "$envfile"
fi

# What the service will really listen on.
if [ "$socket" -eq 1 ]; then
  listen_port=${port:-8080}
  listen_bind=${bind:-0.0.0.0}
else
  listen_port=$(env_value FLECKCHAT_PORT)
  listen_port=${listen_port:-8080}
  listen_bind=$(env_value FLECKCHAT_BIND)
  listen_bind=${listen_bind:-0.0.0.0}
fi
case $listen_bind in *:*) listen_host="[$listen_bind]" ;; *) listen_host=$listen_bind ;; esac

# The host of the first endpoint of a Redis configuration string: 127.0.0.1 of
# 127.0.0.1:6379,password=x; ::1 of [::1]:6379 or of ::1 alone.
redis_host() {
  local part parts
  IFS=, read -ra parts <<<"$1"
  for part in "${parts[@]}"; do
    case $part in
      *=*|"") ;;
      \[*\]*) part=${part#[}; printf '%s' "${part%%]*}"; return ;;
      *:*:*) printf '%s' "$part"; return ;;
      *) printf '%s' "${part%%:*}"; return ;;
    esac
  done
}

# Redis on this machine: the service starts after it (and wants it), so a boot does not start the
# daemon degraded. Another Redis may be down at boot too; the daemon then starts degraded and
# recovers by itself.
localredis=0
case $(redis_host "$(env_value FLECKCHAT_REDIS)" | tr '[:upper:]' '[:lower:]') in
  127.0.0.1|localhost|::1) localredis=1 ;;
esac

# ---- units -----------------------------------------------------------------------------------

capabilities=""
if [ "$socket" -eq 0 ] && [ "$listen_port" -lt 1024 ]; then
  # Binding a low port is the only privilege the daemon ever needs; systemd binds it for --socket.
  capabilities=CAP_NET_BIND_SERVICE
fi

render() { # TEMPLATE OUTPUT: fill in the placeholders; @FLAG@ lines stay (without the marker) when FLAG is on
  local keep_socket=d keep_aot=d keep_highport=d keep_localredis=d
  [ "$socket" -eq 0 ] || keep_socket='s/^@SOCKET@//'
  [ "$localredis" -eq 0 ] || keep_localredis='s/^@LOCALREDIS@//'
  [ "$aot" -eq 0 ] || keep_aot='s/^@AOT@//'
  [ -n "$capabilities" ] || keep_highport='s/^@HIGHPORT@//'
  sed -e "/^@SOCKET@/{$keep_socket}" -e "/^@AOT@/{$keep_aot}" -e "/^@HIGHPORT@/{$keep_highport}" \
    -e "/^@LOCALREDIS@/{$keep_localredis}" \
    -e "s|@BINDIR@|$bindir|g" -e "s|@CAPABILITIES@|$capabilities|g" -e "s|@LISTEN@|$listen_host:$listen_port|g" \
    "$1" >"$2"
}

mkdir -p "$root$bindir" "$root$unitdir"
# Copy, then rename: a running daemon keeps its executable until it restarts.
install -m 0755 "$binary" "$root$bindir/.fleckchat.new"
mv -f "$root$bindir/.fleckchat.new" "$root$bindir/fleckchat"
render "$templates/fleckchat.service.in" "$work/fleckchat.service"
install -m 0644 "$work/fleckchat.service" "$root$unitdir/fleckchat.service"
if [ "$socket" -eq 1 ]; then
  render "$templates/fleckchat.socket.in" "$work/fleckchat.socket"
  install -m 0644 "$work/fleckchat.socket" "$root$unitdir/fleckchat.socket"
elif [ -f "$root$unitdir/fleckchat.socket" ]; then
  # Installed with --socket before, not now: the daemon binds its own port again.
  ctl disable --now fleckchat.socket 2>/dev/null || true
  rm -f "$root$unitdir/fleckchat.socket"
fi

say "Installed $root$bindir/fleckchat"
if [ "$env_existed" -eq 1 ]; then
  say "Kept      $envfile (your settings)"
else
  say "Installed $envfile"
fi
say "Installed $root$unitdir/fleckchat.service"
[ "$socket" -eq 0 ] || say "Installed $root$unitdir/fleckchat.socket (listening on $listen_host:$listen_port)"

if [ -n "$destdir" ]; then
  say "Staged under $destdir; systemctl was not called."
  exit 0
fi

scheme=ws
[ -z "$(env_value FLECKCHAT_CERT)" ] || scheme=wss
path=$(env_value FLECKCHAT_PATH)
case $listen_bind in 0.0.0.0) try_host=127.0.0.1 ;; ::) try_host='[::1]' ;; *) try_host=$listen_host ;; esac
url="$scheme://$try_host:$listen_port${path:-/chat}"

if [ "$systemd" -eq 0 ]; then
  say ""
  say "systemd is not running on this machine (no /run/systemd/system): nothing was enabled or started."
  say "Run FleckChat by hand, with the settings file, as an unprivileged user, e.g.:"
  say "  sudo install -d -o nobody $logdir"
  say "  sudo -u nobody sh -c 'set -a; . $confdir/fleckchat.env; exec $bindir/fleckchat --log-dir $logdir'"
  say "then try: websocat $url"
  exit 0
fi

systemctl daemon-reload
units=(fleckchat.service)
[ "$socket" -eq 0 ] || units=(fleckchat.socket fleckchat.service)
systemctl enable --quiet "${units[@]}"
if [ "$start" -eq 0 ]; then
  say "Enabled ${units[*]}; not started (--no-start): sudo systemctl start fleckchat"
  exit 0
fi
systemctl restart "${units[@]}" || die "fleckchat did not start; see: journalctl -u fleckchat -n 50 --no-pager"

say ""
say "FleckChat is running and starts at boot."
say "  systemctl status fleckchat          state, connections, recent log lines"
say "  journalctl -u fleckchat -f          follow the log (files in $logdir)"
say "  $confdir/fleckchat.env   settings (then: sudo systemctl restart fleckchat)"
say "  websocat $url"
