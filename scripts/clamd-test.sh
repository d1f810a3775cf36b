#!/bin/sh
# Start a private clamd on a Unix socket for tests and development, in the foreground.
# Usage: scripts/clamd-test.sh [DIR]   (DIR defaults to a new temp dir)
# Prints "KEKKAI_CLAMD=<socket>" once clamd answers PING; Ctrl+C stops it.
# Uses the system signature database when it has one (/var/lib/clamav/*.cvd|*.cld),
# else the project's test signature file (test/fixtures/clamav/eicar.hdb).
set -eu
here=$(cd "$(dirname "$0")/.." && pwd)
dir=${1:-$(mktemp -d -t kekkai-clamd.XXXXXX)}
db=$here/test/fixtures/clamav
if ls /var/lib/clamav/*.cvd /var/lib/clamav/*.cld >/dev/null 2>&1; then db=/var/lib/clamav; fi
cat >"$dir/clamd.conf" <<CONF
LocalSocket $dir/clamd.sock
LocalSocketMode 600
DatabaseDirectory $db
Foreground yes
LogFile $dir/clamd.log
TemporaryDirectory $dir
AlertExceedsMax yes
AlertEncrypted yes
StreamMaxLength 200M
MaxScanSize 400M
MaxFileSize 200M
MaxRecursion 10
MaxFiles 10000
CONF
clamd -c "$dir/clamd.conf" &
pid=$!
trap 'kill $pid 2>/dev/null; wait $pid 2>/dev/null' INT TERM EXIT
i=0
until [ -S "$dir/clamd.sock" ] && clamdscan -c "$dir/clamd.conf" --ping 1 >/dev/null 2>&1; do
  i=$((i + 1)); [ $i -gt 600 ] && { echo "clamd did not start; see $dir/clamd.log" >&2; exit 1; }
  kill -0 $pid 2>/dev/null || { echo "clamd exited; see $dir/clamd.log" >&2; exit 1; }
  sleep 0.1
done
echo "KEKKAI_CLAMD=$dir/clamd.sock (database: $db)"
wait $pid
