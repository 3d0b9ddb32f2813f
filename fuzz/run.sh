#!/usr/bin/env bash
# Fuzzes one of FleckChat's input parsers with afl-fuzz: fuzz/run.sh TARGET SECONDS
#   TARGET: request | command | sanitizer | json (the harnesses in fuzz/FleckChat.Fuzz, seeds in fuzz/corpus/TARGET)
# Builds the harness, instruments fleckchat.dll with SharpFuzz, fuzzes for SECONDS, then prints the
# executions, the corpus afl-fuzz built, and every crash and hang (hex, and what the harness says about
# it). Exits 1 if afl-fuzz saved a crash. Findings stay in fuzz/out/TARGET/default/{crashes,hangs}.
# Two runs may go at once (the build is shared under a lock); docs/fuzzing.md has the measured runs.
set -euo pipefail
cd "$(dirname "$0")/.."

usage="usage: fuzz/run.sh request|command|sanitizer|json SECONDS"
target=${1:?$usage}
seconds=${2:?$usage}
[ -d "fuzz/corpus/$target" ] || { echo "$usage" >&2; exit 2; }
[[ "$seconds" =~ ^[0-9]+$ ]] || { echo "$usage" >&2; exit 2; }
command -v afl-fuzz >/dev/null || { echo "fuzz: afl-fuzz not found (Debian package afl++)" >&2; exit 2; }

export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1
root=fuzz/out
bin=$root/bin-$target
findings=$root/$target
mkdir -p "$root"

# One build for every target; each target fuzzes its own instrumented copy.
(
  flock 9
  dotnet tool restore >/dev/null
  dotnet build fuzz/FleckChat.Fuzz/FleckChat.Fuzz.csproj -c Release -warnaserror -o "$root/build" >"$root/build.log" 2>&1 ||
    { cat "$root/build.log"; exit 1; }
) 9>"$root/.build.lock"
rm -rf "$bin" "$findings"
cp -r "$root/build" "$bin"
dotnet sharpfuzz "$bin/fleckchat.dll" >/dev/null

dict=()
[ -f "fuzz/dict/$target.dict" ] && dict=(-x "fuzz/dict/$target.dict")

# The target is dotnet, not a binary built by afl's compilers (AFL_SKIP_BIN_CHECK); cores are shared
# (AFL_NO_AFFINITY); crashes are exceptions reported by SharpFuzz, not core dumps. A run longer than
# 5 s is a hang; -t's "+" skips a seed that times out while the machine is loaded instead of aborting.
echo "== fuzz $target for ${seconds}s"
AFL_SKIP_BIN_CHECK=1 AFL_NO_AFFINITY=1 AFL_NO_UI=1 AFL_SKIP_CPUFREQ=1 \
AFL_I_DONT_CARE_ABOUT_MISSING_CRASHES=1 AFL_FORKSRV_INIT_TMOUT=30000 \
  afl-fuzz -i "fuzz/corpus/$target" -o "$findings" -t 5000+ -m none -V "$seconds" "${dict[@]}" \
    -- "$(command -v dotnet)" "$bin/FleckChat.Fuzz.dll" "$target" >"$root/$target.log" 2>&1 ||
  { tail -n 30 "$root/$target.log"; exit 1; }

stats=$findings/default/fuzzer_stats
[ -f "$stats" ] || { tail -n 30 "$root/$target.log"; echo "fuzz: no fuzzer_stats"; exit 1; }
field() { awk -F' *: *' -v k="$1" '$1 == k { print $2 }' "$stats"; }
crashes=$(find "$findings/default/crashes" -type f -name 'id:*' | wc -l)
hangs=$(find "$findings/default/hangs" -type f -name 'id:*' | wc -l)
echo "$target: $(field execs_done) execs in $(field run_time)s ($(field execs_per_sec) execs/s)," \
  "corpus $(field corpus_count) (from $(find "fuzz/corpus/$target" -type f | wc -l) seeds)," \
  "edges $(field edges_found), crashes $crashes, hangs $hangs"

for f in "$findings"/default/crashes/id:* "$findings"/default/hangs/id:*; do
  [ -f "$f" ] || continue
  echo "-- $f ($(wc -c <"$f") bytes)"
  head -c 256 "$f" | od -An -tx1 | head -n 8
  timeout 20 dotnet "$bin/FleckChat.Fuzz.dll" "$target" <"$f" 2>&1 | grep -m 2 -E 'Exception|Finding' || true
done
[ "$crashes" -eq 0 ]
