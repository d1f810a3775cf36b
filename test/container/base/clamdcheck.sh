#!/bin/bash
# Health check of the clamav stand-in: PING clamd on TCP 3310, expect PONG.
set -eu
exec 3<>/dev/tcp/127.0.0.1/3310
printf 'zPING\0' >&3
IFS= read -r -d '' answer <&3 || true
[ "$answer" = "PONG" ] || { echo "ERROR: Unable to contact server"; exit 1; }
echo "Clamd is up"
