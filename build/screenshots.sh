#!/usr/bin/env bash
# Regenerates the dashboard's pictures in docs/images/: the reference's stack started for real in a Tekton of its
# own, each main view in Debian's Chromium (the browser tests' fixture, ScreenshotTests).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1
if [ ! -x /usr/bin/chromium ]; then
  echo "Debian's chromium is needed: build/test.sh installs it, or apt-get install chromium" >&2
  exit 1
fi
mkdir -p docs/images
TEKTON_SCREENSHOTS="$(pwd)/docs/images" dotnet test tests/Tekton.Dashboard.Tests -c Debug -nologo \
  --filter "FullyQualifiedName~ScreenshotTests" --logger "console;verbosity=minimal"
ls -l docs/images/*.png
