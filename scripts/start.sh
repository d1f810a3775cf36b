#!/usr/bin/env bash
# Installs whatever is missing, then starts kekkai on its embedded defaults
# (SQLite and files under ./data, HTTPS with a self-signed certificate, port 8443).
# Settings: KEKKAI_* environment variables, see docs/configuration.md.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install.sh

# Downloads are scanned by the local clamd (KEKKAI_CLAMD, default /run/clamav/clamd.ctl).
# Start Debian's clamav-daemon when signatures exist; without them every download is
# blocked "scanner-unavailable" (fail closed) — see docs/operations.md for closed networks.
if [ -z "${KEKKAI_CLAMD:-}" ] && [ ! -S /run/clamav/clamd.ctl ]; then
  if ls /var/lib/clamav/*.c[lv]d >/dev/null 2>&1; then
    SUDO=""
    [ "$(id -u)" -eq 0 ] || SUDO="sudo"
    if command -v systemctl >/dev/null && systemctl is-system-running >/dev/null 2>&1; then
      $SUDO systemctl start clamav-daemon || true
    else
      $SUDO service clamav-daemon start || true
    fi
  else
    echo "kekkai: no ClamAV signatures in /var/lib/clamav yet (run freshclam, or copy them in on a closed network)." >&2
    echo "kekkai: until then every download is blocked as scanner-unavailable." >&2
  fi
fi
exec node bin/kekkai.js serve "$@"
