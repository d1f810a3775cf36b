#!/usr/bin/env bash
# Installs whatever is missing, then starts kekkai on its embedded defaults
# (SQLite and files under ./data, HTTPS with a self-signed certificate, port 8443).
# Settings: KEKKAI_* environment variables, see docs/configuration.md.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install.sh
exec node bin/kekkai.js serve "$@"
