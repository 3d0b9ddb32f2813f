#!/usr/bin/env bash
# Fuzzes one of FleckChat's input parsers with afl-fuzz: fuzz/run.sh TARGET SECONDS
#   TARGET: request | command | sanitizer | json (the harnesses in fuzz/FleckChat.Fuzz, seeds in fuzz/corpus/TARGET)
# Builds the harness, instruments fleckchat.dll with SharpFuzz, fuzzes for SECONDS, then prints the
# executions, the corpus afl-fuzz built, and every crash and hang (in hex), and replays them outside
# afl-fuzz. Exits 1 if one of them fails again on its own: a crash. One that does not was an artefact
# of a loaded machine (a run over afl's time limit, a fuzzed process that died) and is only listed.
# Findings stay in fuzz/out/TARGET/default/{crashes,hangs}; the generated corpus in .../queue.
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

# One build for every target; each target fuzzes its own instrumented copy. Release by default
# (optimised code fuzzes faster). FUZZ_BUILD=0 uses the build as it is: CI builds the harness once
# in Debug (its solution build already compiled fleckchat) and then runs the four targets.
config=${FUZZ_CONFIGURATION:-Release}
(
  flock 9
  if [ "${FUZZ_BUILD:-1}" != 0 ]; then
    dotnet tool restore >/dev/null
    dotnet build fuzz/FleckChat.Fuzz/FleckChat.Fuzz.csproj -c "$config" -warnaserror >"$root/build.log" 2>&1 ||
      { cat "$root/build.log"; exit 1; }
  fi
  rm -rf "$bin"
  cp -r "fuzz/FleckChat.Fuzz/bin/$config/net10.0" "$bin"
) 9>"$root/.build.lock"
rm -rf "$findings" "$root/$target.failures"
dotnet sharpfuzz "$bin/fleckchat.dll" >/dev/null

dict=()
[ -f "fuzz/dict/$target.dict" ] && dict=(-x "fuzz/dict/$target.dict")

# The target is dotnet, not a binary built by afl's compilers (AFL_SKIP_BIN_CHECK); cores are shared
# (AFL_NO_AFFINITY); crashes are exceptions reported by SharpFuzz, not core dumps. An input takes well
# under a millisecond: one over 10 s is a hang. The limit is fixed on purpose: with "-t N+" afl-fuzz
# derives a limit from the first runs (40 ms here), and on a loaded machine one slow run then gets
# the process killed, the restarted .NET process is slower still, and fuzzing falls to ~18 execs/s.
echo "== fuzz $target for ${seconds}s"
AFL_SKIP_BIN_CHECK=1 AFL_NO_AFFINITY=1 AFL_NO_UI=1 AFL_SKIP_CPUFREQ=1 \
AFL_I_DONT_CARE_ABOUT_MISSING_CRASHES=1 AFL_FAST_CAL=1 AFL_FORKSRV_INIT_TMOUT=30000 FUZZ_FAILURE_LOG="$PWD/$root/$target.failures" \
  afl-fuzz -i "fuzz/corpus/$target" -o "$findings" -t 10000 -m none -V "$seconds" "${dict[@]}" \
    -- "$(command -v dotnet)" "$bin/FleckChat.Fuzz.dll" "$target" >"$root/$target.log" 2>&1 ||
  { tail -n 30 "$root/$target.log"; exit 1; }

stats=$findings/default/fuzzer_stats
[ -f "$stats" ] || { tail -n 30 "$root/$target.log"; echo "fuzz: no fuzzer_stats"; exit 1; }
field() { awk -F' *: *' -v k="$1" '$1 == k { print $2 }' "$stats"; }
crashes=$(find "$findings/default/crashes" -type f -name 'id:*' | wc -l)
hangs=$(find "$findings/default/hangs" -type f -name 'id:*' | wc -l)
execs=$(field execs_done)
time=$(field run_time)
echo "$target: $execs execs in ${time}s ($((execs / (time > 0 ? time : 1))) execs/s)," \
  "corpus $(field corpus_count) (from $(find "fuzz/corpus/$target" -type f | wc -l) seeds)," \
  "edges $(field edges_found), crashes $crashes, hangs $hangs"

shopt -s nullglob
saved=("$findings"/default/crashes/id:* "$findings"/default/hangs/id:*)
[ ${#saved[@]} -eq 0 ] && exit 0
for f in "${saved[@]}"; do
  echo "-- $f ($(wc -c <"$f") bytes)"
  head -c 256 "$f" | od -An -tx1 | head -n 8
done
echo "== exceptions the harness saw under afl-fuzz"
cat "$root/$target.failures" 2>/dev/null || echo "(none: the processes that afl-fuzz counted as crashed died)"
echo "== replaying them outside afl-fuzz (uninstrumented build)"
if timeout 300 dotnet "fuzz/FleckChat.Fuzz/bin/$config/net10.0/FleckChat.Fuzz.dll" "$target" "${saved[@]}"; then
  echo "fuzz: none fails on its own (afl's time limit on a loaded machine, or a fuzzed process died): not a crash"
  exit 0
fi
echo "fuzz: $target has crashes"
exit 1
