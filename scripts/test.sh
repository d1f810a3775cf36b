#!/usr/bin/env bash
# Runs the whole test suite on a fresh machine: installs what is missing, then
# lint, typecheck, build, unit, integration and end-to-end tests (npm test).
set -euo pipefail
cd "$(dirname "$0")/.."
KEKKAI_TEST_TOOLS=1 bash scripts/install.sh
npm test

# The image and compose file, built and run with podman (scripts/container-test.sh,
# docs/operations.md "Container test"): about a minute with a warm image cache (four when
# package-lock.json changed), five to eight the first time. KEKKAI_CONTAINER_TEST=1 runs
# it in any case (building the cache),
# 0 never; unset, it runs only where podman is installed and the cache is warm, and says
# so when it does not.
case "${KEKKAI_CONTAINER_TEST:-}" in
  1) bash scripts/container-test.sh ;;
  0) echo "container test skipped (KEKKAI_CONTAINER_TEST=0)" ;;
  *) bash scripts/container-test.sh --if-warm ;;
esac
