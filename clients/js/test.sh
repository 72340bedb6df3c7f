#!/usr/bin/env bash
# Tests of the JavaScript SDK (tekton-client) against a real Tekton process. Installs and builds what it needs
# (npm ci only when node_modules is missing or older than package-lock.json), and ends with "N passed, N failed".
# The caller builds Tekton first: dotnet build src/Tekton.Web
set -uo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
cd "$here"
root=$(cd "$here/../.." && pwd)
if [ ! -f "$root/Tekton.sln" ] && git -C "$here" rev-parse --show-toplevel >/dev/null 2>&1; then
  root=$(git -C "$here" rev-parse --show-toplevel)
fi
export TEKTON_REPO_ROOT="$root"
export CI="${CI:-true}" NO_COLOR=1 FORCE_COLOR=0 npm_config_fund=false npm_config_audit=false npm_config_update_notifier=false

finish() { # passed failed
  echo "$1 passed, $2 failed"
  [ "$2" -eq 0 ] && [ "$1" -gt 0 ]
  exit $?
}

for tool in node npm; do
  command -v "$tool" >/dev/null || { echo "$tool is required (Node.js 20 or later)" >&2; finish 0 1; }
done
node -e 'process.exit(Number(process.versions.node.split(".")[0]) >= 20 ? 0 : 1)' \
  || { echo "Node.js 20 or later is required; this is $(node --version)" >&2; finish 0 1; }

dll="$root/src/Tekton.Web/bin/Debug/net10.0/Tekton.Web.dll"
if [ ! -f "$dll" ]; then
  echo "Missing $dll: build Tekton first (cd $root && dotnet build src/Tekton.Web)." >&2
  finish 0 1
fi
command -v dotnet >/dev/null || { echo "dotnet is required to run Tekton" >&2; finish 0 1; }

echo "== npm install"
if [ ! -d node_modules ] || [ ! -f node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  npm ci --no-audit --no-fund || { echo "npm ci failed" >&2; finish 0 1; }
else
  echo "node_modules is up to date"
fi

echo "== build"
npm run --silent build || { echo "The TypeScript build failed." >&2; finish 0 1; }
npm run --silent typecheck || { echo "The typings do not accept the documented usage (test/types)." >&2; finish 0 1; }

echo "== tests"
log=$(mktemp)
trap 'rm -f "$log"' EXIT
# One file at a time: each starts its own Tekton, and the machine may be small. A test that hangs fails.
node --test --test-reporter=tap --test-concurrency=1 --test-timeout=300000 test/*.test.mjs 2>&1 | tee "$log"
status=${PIPESTATUS[0]}

count() { grep -E "^# $1 [0-9]+$" "$log" | tail -1 | awk '{print $3}'; }
passed=$(count pass)
failed=$(count fail)
cancelled=$(count cancelled)
if [ -z "$passed" ] || [ -z "$failed" ]; then
  echo "The test run ended without a summary (exit $status)." >&2
  finish "${passed:-0}" $(( ${failed:-0} + 1 ))
fi
failed=$(( failed + ${cancelled:-0} ))
if [ "$status" -ne 0 ] && [ "$failed" -eq 0 ]; then
  failed=1
fi
finish "$passed" "$failed"
