#!/usr/bin/env bash
# Runs the Python SDK's tests against a real Tekton process built from this repository.
# The caller builds the server first:  dotnet build src/Tekton.Web -nologo -clp:ErrorsOnly
# Prints, as its last line, "N passed, N failed"; exits non-zero on any failure.
set -uo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo="$(cd "$here/../.." && pwd)"
dll="$repo/src/Tekton.Web/bin/Debug/net10.0/Tekton.Web.dll"

if [[ ! -f "$dll" ]]; then
  echo "error: $dll is missing; build the server first: (cd $repo && dotnet build src/Tekton.Web -nologo -clp:ErrorsOnly)" >&2
  echo "0 passed, 1 failed"
  exit 2
fi
if ! command -v dotnet >/dev/null 2>&1; then
  echo "error: dotnet is not on PATH; the tests run the server with it" >&2
  echo "0 passed, 1 failed"
  exit 2
fi
python="${PYTHON:-python3}"
if ! "$python" -c 'import sys; sys.exit(0 if sys.version_info >= (3, 10) else 1)' 2>/dev/null; then
  echo "error: $python is missing or older than 3.10" >&2
  echo "0 passed, 1 failed"
  exit 2
fi

cd "$here"
export PYTHONDONTWRITEBYTECODE=1
export PYTHONUNBUFFERED=1
unset TEKTON_URL TEKTON_API_KEY TEKTON_INSTANCE_UUID TEKTON_COMPONENT_ID
exec "$python" tests/run.py "$@"
