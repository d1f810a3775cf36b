#!/usr/bin/env bash
# The production path in containers (issue 15): builds docker/Dockerfile with podman on
# locally made base images, starts docker/compose.yaml with podman-compose (gateway and
# clamd, plus a fixture web site on the internet-side network), and drives a real
# sign-in -> browse -> download from a browser on this machine. Then checks inside the
# gateway container: no root process, Chromium's sandbox on, the seccomp profile
# loaded, read-only root where compose.yaml says so. docs/operations.md, "Container
# test", says what this proves and what it measured.
#
# Usage: bash scripts/container-test.sh       (as root; installs podman & co. if missing)
# Settings (environment):
#   KEKKAI_CONTAINER_TEST_DIR      cache: podman storage and base images (default /var/tmp/kekkai-container-test)
#   KEKKAI_CONTAINER_REBUILD_BASE  1: make the Debian base again (new debootstrap)
#   KEKKAI_INSTALL_OFFICE          0: build the image without LibreOffice (default 1)
#   KEKKAI_CONTAINER_KEEP          1: leave the containers running at the end (stop them with
#                                  the podman-compose down line printed)
#   KEKKAI_DEBIAN_MIRROR, KEKKAI_DEBIAN_SECURITY_MIRROR  default: this machine's apt sources
# Everything published listens on 127.0.0.1 only; the fixture site and clamd sit on
# networks this script creates.
#   --if-warm                      run only when podman is installed, this is root and the image
#                                  cache is warm (scripts/test.sh); else say why, how to run it, exit 0
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
STATE=${KEKKAI_CONTAINER_TEST_DIR:-/var/tmp/kekkai-container-test}
PROJECT=kekkai-ctest
GATEWAY=${PROJECT}_gateway_1
T0=$(date +%s%N)

now() { date +%s%N; }
since() { awk -v a="$1" -v b="$(now)" 'BEGIN { printf "%.1f", (b - a) / 1e9 }'; }
log() { printf '[container-test %6ss] %s\n' "$(since "$T0")" "$*"; }
fail() { log "FAIL: $*"; exit 1; }

# shellcheck source=scripts/container-images.sh
source scripts/container-images.sh
command -v node >/dev/null || fail "node is needed (the base image gets this machine's Node)"
NODE_MAJOR=$(node -p 'process.versions.node.split(".")[0]')

if [ "${1:-}" = "--if-warm" ]; then
  how="run it with: bash scripts/container-test.sh (or KEKKAI_CONTAINER_TEST=1 bash scripts/test.sh)"
  if [ "$(id -u)" -ne 0 ] || ! command -v podman >/dev/null || ! command -v podman-compose >/dev/null; then
    echo "container test skipped: needs root, podman and podman-compose; $how"
    exit 0
  fi
  configure_podman
  if ! image_cache_warm; then
    echo "container test skipped: no image cache in $STATE yet (a first run builds for five to eight minutes); $how"
    exit 0
  fi
fi

[ "$(id -u)" -eq 0 ] || fail "run as root: podman here runs rootful (docs/operations.md, \"Container test\")"
[ -d node_modules/playwright-core ] || fail "npm packages missing: run scripts/install.sh (or npm ci) first"
mkdir -p "$STATE"
exec 9>"$STATE/lock"
flock -w 1800 9 || fail "another container test holds $STATE/lock"

install_container_tools
configure_podman

RUN=""
# --read-only-tmpfs=false: Docker's read_only mounts nothing writable by itself, podman
# adds tmpfs on /run, /tmp and /var/tmp unless told not to. Tested as Docker runs it.
compose() {
  (cd "$RUN" && podman-compose --podman-run-args=--read-only-tmpfs=false -p "$PROJECT" -f compose.yaml -f compose.fixture.yaml "$@")
}

# Containers, volumes and networks of the project; also what a killed run left.
teardown() {
  podman ps -a -q --filter "label=io.podman.compose.project=$PROJECT" | xargs -r podman rm -f -v -t 5 >/dev/null 2>&1 || true
  podman volume ls -q --filter "label=io.podman.compose.project=$PROJECT" | xargs -r podman volume rm -f >/dev/null 2>&1 || true
  podman network ls -q --filter "label=io.podman.compose.project=$PROJECT" | xargs -r podman network rm -f >/dev/null 2>&1 || true
}

on_exit() {
  local rc=$?
  if [ "$rc" -ne 0 ] && [ -n "$RUN" ]; then
    log "logs of the containers (last lines):"
    for c in $(podman ps -a --format '{{.Names}}' --filter "label=io.podman.compose.project=$PROJECT"); do
      echo "----- $c"; podman logs --tail 25 "$c" 2>&1 | cut -c1-400
    done
  fi
  if [ "${KEKKAI_CONTAINER_KEEP:-0}" = "1" ] && [ -n "$RUN" ]; then
    log "left running; stop with: (cd $RUN && CONTAINERS_CONF=$CONTAINERS_CONF CONTAINERS_STORAGE_CONF=$CONTAINERS_STORAGE_CONF podman-compose -p $PROJECT -f compose.yaml -f compose.fixture.yaml down -v)"
  else
    teardown
    [ -n "$RUN" ] && rm -rf "$RUN"
  fi
  log "$([ "$rc" -eq 0 ] && echo PASSED || echo FAILED) in $(since "$T0") s"
}
trap on_exit EXIT

# --- images ---------------------------------------------------------------------
teardown
t=$(now)
make_base_images
log "base images ready ($(since "$t") s)"
t=$(now)
build_kekkai_image
BUILD_S=$(since "$t")
SIZE=$(podman image inspect localhost/kekkai:local --format '{{.Size}}')
log "kekkai:local built in $BUILD_S s, $((SIZE / 1000000)) MB (KEKKAI_INSTALL_OFFICE=${KEKKAI_INSTALL_OFFICE:-1})"

# --- compose project ------------------------------------------------------------
RUN=$(mktemp -d "$STATE/run.XXXXXX")
cp docker/compose.yaml docker/chromium-seccomp.json test/container/compose.fixture.yaml test/container/fixture-site.mjs "$RUN/"
PORT=$(node -e 'const s=require("net").createServer().listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})')
ADMIN_PASSWORD="Ct-$(node -p 'require("crypto").randomBytes(12).toString("base64url")')-9a!"
STAFF_PASSWORD="St-$(node -p 'require("crypto").randomBytes(12).toString("base64url")')-7b!"

# The internet-side network made here first, so its range is known: the remote browser
# may reach private addresses only when allow-listed (the fixture site has one).
podman network create --label "io.podman.compose.project=$PROJECT" --label "com.docker.compose.project=$PROJECT" \
  "${PROJECT}_external" >/dev/null
EXTERNAL_SUBNET=$(podman network inspect "${PROJECT}_external" --format '{{range .Subnets}}{{.Subnet}} {{end}}' | awk '{print $1}')

# docker/.env.example with the test's values; compose reads .env beside compose.yaml.
{
  grep -v -E '^(PUBLISH_IP|PUBLISH_PORT|KEKKAI_ADMIN_PASSWORD|KEKKAI_EGRESS_ALLOW_PRIVATE|KEKKAI_EGRESS_ALLOWED_PORTS)=' docker/.env.example
  echo "PUBLISH_IP=127.0.0.1"
  echo "PUBLISH_PORT=$PORT"
  echo "KEKKAI_ADMIN_PASSWORD=$ADMIN_PASSWORD"
  echo "KEKKAI_EGRESS_ALLOW_PRIVATE=$EXTERNAL_SUBNET"
  echo "KEKKAI_EGRESS_ALLOWED_PORTS=80,443,8080"
} >"$RUN/.env"
chmod 600 "$RUN/.env"

# Signatures seeded before the first start, as docs/operations.md tells hospitals to: here
# the EICAR test signature (a closed network has no freshclam).
podman volume create --label "io.podman.compose.project=$PROJECT" "${PROJECT}_clamav-signatures" >/dev/null
podman run --rm --network none -v "${PROJECT}_clamav-signatures:/var/lib/clamav" -v "$ROOT/test/fixtures/clamav:/import:ro" \
  --entrypoint sh localhost/clamav/clamav:1.4 -c 'cp /import/*.hdb /var/lib/clamav/' >/dev/null

t=$(now)
compose up -d >"$STATE/compose-up.log" 2>&1 || { cat "$STATE/compose-up.log" >&2; fail "podman-compose up failed"; }
UP_S=$(since "$t")
URL="https://127.0.0.1:$PORT"
until [ "$(curl -sk -m 5 -o /dev/null -w '%{http_code}' "$URL/readyz" || true)" = 200 ]; do
  [ "$(podman inspect -f '{{.State.Running}}' "$GATEWAY" 2>/dev/null)" = true ] || fail "gateway container is not running"
  [ "$(awk -v a="$t" -v b="$(now)" 'BEGIN { print ((b - a) / 1e9 > 180) }')" = 0 ] || fail "/readyz not 200 within 180 s"
  sleep 0.5
done
READY_S=$(since "$t")
log "compose up ${UP_S} s; gateway ready (/readyz 200: Chromium, store, clamd) ${READY_S} s after up"

# --- the user's path ------------------------------------------------------------
printf '%s\n%s\n' "$STAFF_PASSWORD" "$STAFF_PASSWORD" |
  podman exec -i "$GATEWAY" node bin/kekkai.js user add nurse01 --role staff --department 外来 >/dev/null ||
  fail "kekkai user add in the container failed"
log "staff account added with kekkai user add (podman exec, password on stdin)"
t=$(now)
until podman logs "${PROJECT}_fixture_1" 2>/dev/null | grep -q 'fixture listening'; do
  [ "$(podman inspect -f '{{.State.Running}}' "${PROJECT}_fixture_1" 2>/dev/null)" = true ] || fail "fixture site did not start"
  sleep 0.5
done
KEKKAI_CT_URL=$URL KEKKAI_CT_SITE=http://fixture:8080 KEKKAI_CT_ADMIN_PASSWORD=$ADMIN_PASSWORD \
  KEKKAI_CT_OFFICE=${KEKKAI_INSTALL_OFFICE:-1} \
  KEKKAI_CT_STAFF=nurse01 KEKKAI_CT_STAFF_PASSWORD=$STAFF_PASSWORD \
  node --import tsx test/container/drive.ts || fail "sign-in -> browse -> download through the container"
log "sign-in -> browse -> download passed ($(since "$t") s)"

# --- what the container runs with -----------------------------------------------
want_root=$(node --import tsx test/container/compose-matches.ts "$RUN/compose.yaml" "$PROJECT" --read-only-of gateway)
podman exec -i "$GATEWAY" sh -s "$want_root" <test/container/inside-checks.sh || fail "checks inside the gateway container"
node --import tsx test/container/compose-matches.ts "$RUN/compose.yaml" "$PROJECT" || fail "containers differ from compose.yaml"
podman healthcheck run "$GATEWAY" >/dev/null || fail "the gateway's HEALTHCHECK failed"
log "gateway HEALTHCHECK passes"
podman logs "$GATEWAY" 2>&1 | grep -qi 'no-sandbox\|sandbox.*off' && fail "gateway log says the sandbox is off"

# Stop: SIGTERM through tini, exit 0 within the grace period.
t=$(now)
podman stop -t 30 "$GATEWAY" >/dev/null
EXIT_CODE=$(podman inspect -f '{{.State.ExitCode}}' "$GATEWAY")
[ "$EXIT_CODE" = 0 ] || fail "gateway exited $EXIT_CODE on SIGTERM"
log "gateway stopped on SIGTERM in $(since "$t") s, exit 0"

log "summary: image $((SIZE / 1000000)) MB; build $BUILD_S s; compose up $UP_S s; ready $READY_S s after up"
