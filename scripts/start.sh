#!/usr/bin/env bash
# Installs whatever is missing, then starts kekkai on its embedded defaults
# (SQLite and files under ./data, HTTPS with a self-signed certificate, port 8443).
# Settings: KEKKAI_* environment variables, see docs/configuration.md.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install.sh

# Downloads are scanned by clamd (KEKKAI_CLAMD). When none is configured, use Debian's
# clamav-daemon socket if it runs, else start a private clamd on a Unix socket under the
# data directory (scripts/clamd-test.sh): with the system signatures when present, else
# with the project's test signature file only — it then warns, because that file knows
# nothing but EICAR. Without any clamd every download is blocked (fail closed).
clamd_pid=""
if [ -z "${KEKKAI_CLAMD:-}" ]; then
  if [ -S /run/clamav/clamd.ctl ]; then
    export KEKKAI_CLAMD=/run/clamav/clamd.ctl
  elif command -v clamd >/dev/null; then
    dir="$(realpath -m "${KEKKAI_DATA_DIR:-./data}")/clamd"
    mkdir -p "$dir" && chmod 700 "$dir"
    sh scripts/clamd-test.sh "$dir" >"$dir/start.log" 2>&1 &
    clamd_pid=$!
    trap '[ -n "$clamd_pid" ] && kill "$clamd_pid" 2>/dev/null' EXIT
    for _ in $(seq 1 1200); do
      grep -q '^KEKKAI_CLAMD=' "$dir/start.log" 2>/dev/null && break
      kill -0 "$clamd_pid" 2>/dev/null || break
      sleep 0.1
    done
    if grep -q '^KEKKAI_CLAMD=' "$dir/start.log" 2>/dev/null; then
      export KEKKAI_CLAMD="$dir/clamd.sock"
      if ! ls /var/lib/clamav/*.c[lv]d >/dev/null 2>&1; then
        echo "kekkai: WARNING: clamd runs with the TEST signature file only (EICAR). Install real" >&2
        echo "kekkai: signatures (freshclam, or copy .cvd files in on a closed network; docs/operations.md)." >&2
      fi
    else
      echo "kekkai: could not start a private clamd (see $dir/start.log); downloads will be blocked." >&2
    fi
  fi
fi
node bin/kekkai.js serve "$@"
