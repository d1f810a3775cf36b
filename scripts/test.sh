#!/usr/bin/env bash
# Runs the whole test suite on a fresh machine: installs what is missing, then
# lint, typecheck, build, unit, integration and end-to-end tests (npm test).
set -euo pipefail
cd "$(dirname "$0")/.."
KEKKAI_TEST_TOOLS=1 bash scripts/install.sh
npm test
