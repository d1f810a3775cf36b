#!/bin/sh
# Entry point of the clamav stand-in: what the official image's /init does, as root,
# before clamd drops to the clamav user. One difference: the official image runs
# freshclam when main.cvd is missing; this one does so only when no signature file of
# any kind is there, so a test can seed the volume with its EICAR signature alone.
set -eu
[ -d /run/clamav ] || install -d -o clamav -g clamav -m 0775 /run/clamav
chown -R clamav:clamav /var/lib/clamav
found=""
for f in /var/lib/clamav/*.cvd /var/lib/clamav/*.cld /var/lib/clamav/*.hdb /var/lib/clamav/*.hsb /var/lib/clamav/*.ndb; do
  [ -e "$f" ] && found=1
done
if [ -z "$found" ]; then
  echo "No signatures in /var/lib/clamav: running freshclam"
  freshclam --foreground --stdout
fi
if [ "${CLAMAV_NO_FRESHCLAMD:-false}" != "true" ]; then
  freshclam --daemon --foreground --stdout --checks=1 --user=clamav &
fi
rm -f /tmp/clamd.sock
clamd --foreground &
clamd_pid=$!
i=0
until [ -S /tmp/clamd.sock ]; do
  kill -0 "$clamd_pid" 2>/dev/null || { cat /var/log/clamav/clamd.log >&2; exit 1; }
  i=$((i + 1)); [ "$i" -le 1800 ] || { echo "clamd did not start" >&2; exit 1; }
  sleep 1
done
echo "socket found, clamd started."
tail -n +1 -F /var/log/clamav/clamd.log &
wait "$clamd_pid"
