#!/usr/bin/env bash
# Start-up time and size of the installed commands (docs/benchmarks.md, "Installed start-up and size").
# Usage: scripts/bench-install.sh [OUT]   after scripts/package.sh (OUT: its output folder, default out).
# Installs both .NET tools from OUT/packages into a temp tool path, then times, in one run, the same commands as
#   .NET tool (framework-dependent, JIT) / single file (self-contained; ReadyToRun daemon, native AOT telec) /
#   `dotnet TeleClaude.Daemon.dll` (a build in the checkout):
#   --version (process start to exit), the daemon's start to its first /health answer, `telec list --json` against it.
# Medians of RUNS runs (default 11; the daemon's start: 5), wall clock.
set -euo pipefail
cd "$(dirname "$0")/.."
out=$(cd "${1:-out}" && pwd)
runs=${RUNS:-11}
rid=$(dotnet --info | awk -F': *' '/^ *RID:/ {print $2; exit}')
work=$(mktemp -d /tmp/tc-bench-XXXXXX)
trap 'rm -rf "$work"' EXIT
export XDG_CONFIG_HOME="$work/config" DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1

cat > "$work/nuget.config" <<XML
<?xml version="1.0" encoding="utf-8"?>
<configuration><packageSources><clear /><add key="local" value="$out/packages" /></packageSources></configuration>
XML
for package in TeleClaude TeleClaude.Telec; do
  dotnet tool install "$package" --tool-path "$work/tools" --configfile "$work/nuget.config" >/dev/null
done
dll=src/TeleClaude.Daemon/bin/Release/net10.0/TeleClaude.Daemon.dll
[ -f "$dll" ] || dotnet build src/TeleClaude.Daemon -c Release -nologo -v:q >/dev/null

now() { date +%s%N; }
median() { sort -n | awk '{a[NR]=$1} END {m=(NR%2)?a[(NR+1)/2]:(a[NR/2]+a[NR/2+1])/2; printf "%.0f", m/1e6}'; }

# ms from start to exit of a command, median of $runs (after one warm-up run that fills the disk cache).
time_exit() {
  "$@" >/dev/null 2>&1 || true
  for _ in $(seq "$runs"); do s=$(now); "$@" >/dev/null 2>&1; e=$(now); echo $((e - s)); done | median
}

# ms from the daemon's start to its first /health answer, median of 5 fresh starts (own socket and database each time).
time_serving() {
  for i in $(seq 5); do
    dir="$work/d$i-$RANDOM"; mkdir -p "$dir"
    s=$(now)
    "$@" run --socket "$dir/s.sock" --db "$dir/d.db" --computer bench --TeleClaude:Sessions:TmuxSocketName="tc-bench-$i-$RANDOM" >/dev/null 2>&1 &
    pid=$!
    until curl -sf --unix-socket "$dir/s.sock" http://localhost/health >/dev/null 2>&1; do sleep 0.005; done
    e=$(now); echo $((e - s))
    kill -TERM $pid; wait $pid || true
  done | median
}

printf '| Command | Build | --version (ms) | start → first /health (ms) |\n|---|---|---:|---:|\n'
printf '| teleclaude | .NET tool (framework-dependent) | %s | %s |\n' "$(time_exit "$work/tools/teleclaude" --version)" "$(time_serving "$work/tools/teleclaude")"
printf '| teleclaude | single file (self-contained, ReadyToRun) | %s | %s |\n' "$(time_exit "$out/$rid/teleclaude" --version)" "$(time_serving "$out/$rid/teleclaude")"
printf '| teleclaude | `dotnet TeleClaude.Daemon.dll` (checkout) | %s | %s |\n' "$(time_exit dotnet "$dll" --version)" "$(time_serving dotnet "$dll")"

# telec against one running daemon (the single-file one).
dir="$work/telec"; mkdir -p "$dir"
"$out/$rid/teleclaude" run --socket "$dir/s.sock" --db "$dir/d.db" --computer bench --TeleClaude:Sessions:TmuxSocketName="tc-bench-t-$RANDOM" >/dev/null 2>&1 &
daemon=$!
until curl -sf --unix-socket "$dir/s.sock" http://localhost/health >/dev/null 2>&1; do sleep 0.01; done
printf '\n| Command | Build | --version (ms) | `list --json` (ms) |\n|---|---|---:|---:|\n'
printf '| telec | .NET tool (framework-dependent, JIT) | %s | %s |\n' "$(time_exit "$work/tools/telec" --version)" "$(time_exit "$work/tools/telec" list --json --socket "$dir/s.sock")"
printf '| telec | single file (native AOT) | %s | %s |\n' "$(time_exit "$out/$rid/telec" --version)" "$(time_exit "$out/$rid/telec" list --json --socket "$dir/s.sock")"
kill -TERM $daemon; wait $daemon || true

mb() { du -sb "$1" | awk '{printf "%.1f", $1/1048576}'; }
printf '\n| What | Size (MB) |\n|---|---:|\n'
for f in "$out"/packages/*.nupkg; do printf '| %s | %s |\n' "$(basename "$f")" "$(mb "$f")"; done
printf '| teleclaude .NET tool, installed (tool store) | %s |\n' "$(mb "$work/tools/.store/teleclaude")"
printf '| telec .NET tool, installed (tool store) | %s |\n' "$(mb "$work/tools/.store/teleclaude.telec")"
printf '| teleclaude single file (%s) | %s |\n' "$rid" "$(mb "$out/$rid/teleclaude")"
printf '| telec single file, native AOT (%s) | %s |\n' "$rid" "$(mb "$out/$rid/telec")"
echo
echo "Machine: $(nproc) cores, $(. /etc/os-release && echo "$PRETTY_NAME"), $rid; $(dotnet --list-runtimes | awk '/NETCore.App/ {v=$2} END {print ".NET " v}'); load average $(cut -d' ' -f1-3 /proc/loadavg)."
