#!/usr/bin/env bash
# Refreshes the dashboard's third-party browser files in assets/vendor/ from npm, at the pinned versions below.
# Run by a developer when a version changes (not by CI or the build: the daemon needs no Node toolchain). It installs
# into a temp directory, copies the browser builds and their licences, and writes SHA256SUMS, so a review sees
# exactly which bytes changed. `--check` verifies the committed files against SHA256SUMS without npm.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
vendor="$here/assets/vendor"

if [ "${1:-}" = "--check" ]; then
  (cd "$vendor" && sha256sum --check --quiet SHA256SUMS) && echo "vendor: files match SHA256SUMS"
  exit
fi

signalr=10.0.11   # @microsoft/signalr: the official SignalR browser client, the 10.0 line of the daemon's server
preact=11.2.0     # preact: the UI's virtual DOM (about 4 kB gzipped), with its hooks
htm=3.1.1         # htm: tagged-template markup for preact, so the UI needs no JSX build step

tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
cd "$tmp"
echo '{"private":true}' > package.json
npm install --no-audit --no-fund --no-update-notifier --loglevel=error --ignore-scripts --save-exact \
  "@microsoft/signalr@$signalr" "preact@$preact" "htm@$htm" >/dev/null

rm -rf "$vendor"
mkdir -p "$vendor"
m=node_modules
cp "$m/@microsoft/signalr/dist/browser/signalr.min.js" "$vendor/signalr.min.js"
cp "$m/preact/dist/preact.mjs" "$vendor/preact.mjs"
cp "$m/preact/hooks/dist/hooks.mjs" "$vendor/preact-hooks.mjs"
cp "$m/htm/dist/htm.mjs" "$vendor/htm.mjs"
# Byte-for-byte as published (their sourceMappingURL comments name maps we do not ship: a browser asks for them
# only while its developer tools are open, and gets a 404).

{
  echo "Third-party files in this folder, copied by ../../update-vendor.sh from npm. Do not edit them."
  echo
  for p in "@microsoft/signalr@$signalr" "preact@$preact" "htm@$htm"; do
    name="${p%@*}"
    echo "== $p ($(node -p "require('./$m/$name/package.json').license")) =="
    echo
    if ls "$m/$name"/LICENSE* >/dev/null 2>&1; then
      cat "$m/$name"/LICENSE*
    else
      # The @microsoft/signalr package ships no licence file; its package.json says MIT and the source is
      # dotnet/aspnetcore, whose LICENSE.txt this is.
      cat <<'MIT'
The MIT License (MIT)

Copyright (c) .NET Foundation and Contributors

All rights reserved.

Permission is hereby granted, free of charge, to any person obtaining a copy
of this software and associated documentation files (the "Software"), to deal
in the Software without restriction, including without limitation the rights
to use, copy, modify, merge, publish, distribute, sublicense, and/or sell
copies of the Software, and to permit persons to whom the Software is
furnished to do so, subject to the following conditions:

The above copyright notice and this permission notice shall be included in all
copies or substantial portions of the Software.

THE SOFTWARE IS PROVIDED "AS IS", WITHOUT WARRANTY OF ANY KIND, EXPRESS OR
IMPLIED, INCLUDING BUT NOT LIMITED TO THE WARRANTIES OF MERCHANTABILITY,
FITNESS FOR A PARTICULAR PURPOSE AND NONINFRINGEMENT. IN NO EVENT SHALL THE
AUTHORS OR COPYRIGHT HOLDERS BE LIABLE FOR ANY CLAIM, DAMAGES OR OTHER
LIABILITY, WHETHER IN AN ACTION OF CONTRACT, TORT OR OTHERWISE, ARISING FROM,
OUT OF OR IN CONNECTION WITH THE SOFTWARE OR THE USE OR OTHER DEALINGS IN THE
SOFTWARE.
MIT
    fi
    echo
  done
} > "$vendor/LICENSES.txt"

(cd "$vendor" && sha256sum signalr.min.js preact.mjs preact-hooks.mjs htm.mjs LICENSES.txt > SHA256SUMS)
cat "$vendor/SHA256SUMS"
