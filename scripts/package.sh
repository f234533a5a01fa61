#!/usr/bin/env bash
# Builds what a user installs, from a clean checkout (needs only the .NET 10 SDK; clang and zlib for the native telec):
#   out/packages/TeleClaude.VERSION.nupkg        the daemon as the .NET tool `teleclaude`
#   out/packages/TeleClaude.Telec.VERSION.nupkg  telec as the .NET tool `telec`
#   out/RID/teleclaude                           the daemon, self-contained single file (ReadyToRun)
#   out/RID/telec                                telec, native AOT (this computer's platform) or self-contained single file (others)
# Usage: scripts/package.sh [RID ...]   (default: this computer's RID, e.g. linux-x64; others: linux-arm64, osx-arm64, osx-x64)
# Install the tools:  dotnet tool install -g TeleClaude --add-source out/packages
#                     dotnet tool install -g TeleClaude.Telec --add-source out/packages
# Version: 0.1.0 from Directory.Build.props plus the commit (from git); override with VERSION=0.2.0 scripts/package.sh.
set -euo pipefail
cd "$(dirname "$0")/.."

out=${OUT:-out}
host_rid=$(dotnet --info | awk -F': *' '/^ *RID:/ {print $2; exit}')
rids=("$@")
[ ${#rids[@]} -gt 0 ] || rids=("$host_rid")
version_args=()
[ -z "${VERSION:-}" ] || version_args=("-p:Version=$VERSION")

rm -rf "$out"
mkdir -p "$out/packages"

echo "package: .NET tools -> $out/packages"
dotnet pack src/TeleClaude.Daemon -c Release -o "$out/packages" "${version_args[@]}" -nologo -v:q
dotnet pack clients/Telec -c Release -o "$out/packages" "${version_args[@]}" -nologo -v:q

for rid in "${rids[@]}"; do
  echo "package: single-file builds for $rid -> $out/$rid"
  # The daemon carries its runtime and native SQLite in one file; ReadyToRun code spares most of the JIT at start.
  dotnet publish src/TeleClaude.Daemon -c Release -r "$rid" --self-contained -o "$out/$rid" "${version_args[@]}" -nologo -v:q \
    -p:PublishSingleFile=true -p:PublishReadyToRun=true -p:IncludeNativeLibrariesForSelfExtract=true -p:DebugType=none
  mv "$out/$rid/TeleClaude.Daemon" "$out/$rid/teleclaude"
  if [ "$rid" = "$host_rid" ]; then
    # Native AOT compiles for the platform it runs on only.
    dotnet publish clients/Telec -c Release -r "$rid" -o "$out/$rid/telec-aot" "${version_args[@]}" -nologo -v:q -p:DebugType=none
  else
    dotnet publish clients/Telec -c Release -r "$rid" --self-contained -o "$out/$rid/telec-aot" "${version_args[@]}" -nologo -v:q \
      -p:PublishAot=false -p:PublishSingleFile=true -p:PublishReadyToRun=true -p:DebugType=none
  fi
  mv "$out/$rid/telec-aot/telec" "$out/$rid/telec"
  rm -rf "$out/$rid/telec-aot"
  # appsettings.json is optional (built-in defaults); leave only the programs.
  rm -f "$out/$rid"/*.json "$out/$rid"/*.pdb "$out/$rid"/*.xml
done

echo "package: done"
ls -l "$out/packages" "${rids[@]/#/$out/}"
