# Sourced by scripts/container-test.sh: a private podman set-up, the stand-in base images
# and the build of docker/Dockerfile. Needs: ROOT, STATE, log, fail, now, since.
#
# Image registries are not reachable here, so the images docker/Dockerfile and
# docker/compose.yaml start FROM are made locally and tagged under localhost/, where
# podman finds the short names of the Dockerfile (node:20-bookworm, ...):
#   localhost/kekkai-ctest/debian:bookworm-slim  debootstrap (minbase) from the apt mirror
#   localhost/node:<major>-bookworm-slim         + this machine's node and npm
#   localhost/node:<major>-bookworm              + compilers, python3, Node's headers
#   localhost/clamav/clamav:1.4                  + Debian's clamd (test/container/base/)
# They live in a storage of their own under $STATE, never in the machine's default
# podman storage, so nothing else on the machine mistakes them for the real images.

CONTAINER_PACKAGES=(podman runc uidmap netavark aardvark-dns debootstrap podman-compose curl)

install_container_tools() {
  local missing=() pkg
  for pkg in "${CONTAINER_PACKAGES[@]}"; do
    dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
  done
  [ "${#missing[@]}" -eq 0 ] && return 0
  log "installing Debian packages: ${missing[*]}"
  local sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  $sudo apt-get update -q
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -q --no-install-recommends "${missing[@]}"
}

# Podman reads these three files instead of /etc/containers/*: runc (crun fails on
# hosts with hybrid cgroups), no default ulimits (podman's defaults exceed what this
# kind of VM allows), a storage under $STATE, no registry to search or pull from.
configure_podman() {
  local run
  run=/run/kekkai-container-test-$(printf '%s' "$STATE" | md5sum | cut -c1-8)
  mkdir -p "$STATE/conf" "$STATE/storage" "$run"
  cat >"$STATE/conf/containers.conf" <<EOF
[containers]
default_ulimits = []
[engine]
runtime = "runc"
cgroup_manager = "cgroupfs"
events_logger = "file"
tmp_dir = "$run/libpod"
[engine.runtimes]
runc = ["$(command -v runc || echo /usr/sbin/runc)"]
EOF
  cat >"$STATE/conf/storage.conf" <<EOF
[storage]
driver = "overlay"
graphroot = "$STATE/storage"
runroot = "$run/storage"
EOF
  cat >"$STATE/conf/registries.conf" <<EOF
unqualified-search-registries = []
short-name-mode = "enforcing"
EOF
  export CONTAINERS_CONF="$STATE/conf/containers.conf"
  export CONTAINERS_STORAGE_CONF="$STATE/conf/storage.conf"
  export CONTAINERS_REGISTRIES_CONF="$STATE/conf/registries.conf"
}

# URI of a Debian archive in this machine's apt sources (deb822 or one-line format).
apt_mirror() {
  local want=$1 uri
  uri=$(cat /etc/apt/sources.list /etc/apt/sources.list.d/*.list /etc/apt/sources.list.d/*.sources 2>/dev/null |
    grep -oE 'https?://[^ ]+' | grep -E "/${want}/?\$" | head -n 1 || true)
  echo "${uri:-http://deb.debian.org/$want}"
}

# Debian bookworm, minbase, slimmed like the official debian:bookworm-slim.
make_debian_base() {
  local image=localhost/kekkai-ctest/debian:bookworm-slim
  if podman image exists "$image" && [ "${KEKKAI_CONTAINER_REBUILD_BASE:-0}" != "1" ]; then return 0; fi
  local mirror security rootfs=$STATE/rootfs
  mirror=${KEKKAI_DEBIAN_MIRROR:-$(apt_mirror debian)}
  security=${KEKKAI_DEBIAN_SECURITY_MIRROR:-$(apt_mirror debian-security)}
  log "debootstrap bookworm from $mirror"
  rm -rf "$rootfs"
  debootstrap --variant=minbase --include=ca-certificates bookworm "$rootfs" "$mirror" >"$STATE/debootstrap.log" 2>&1 ||
    fail "debootstrap failed; see $STATE/debootstrap.log"
  rm -f "$rootfs/etc/apt/sources.list"
  cat >"$rootfs/etc/apt/sources.list.d/debian.sources" <<EOF
Types: deb
URIs: $mirror
Suites: bookworm bookworm-updates
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg

Types: deb
URIs: $security
Suites: bookworm-security
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
EOF
  # As in the official slim images: no documentation, manuals or translations, no
  # service started by a package's install script, no downloaded package kept.
  cat >"$rootfs/etc/dpkg/dpkg.cfg.d/docker" <<'EOF'
path-exclude /usr/share/doc/*
path-include /usr/share/doc/*/copyright
path-exclude /usr/share/man/*
path-exclude /usr/share/groff/*
path-exclude /usr/share/info/*
path-exclude /usr/share/lintian/*
path-exclude /usr/share/linda/*
path-exclude /usr/share/locale/*
EOF
  printf '#!/bin/sh\nexit 101\n' >"$rootfs/usr/sbin/policy-rc.d"
  chmod +x "$rootfs/usr/sbin/policy-rc.d"
  printf 'DPkg::Post-Invoke { "rm -f /var/cache/apt/archives/*.deb || true"; };\nAPT::Update::Post-Invoke { "rm -f /var/cache/apt/archives/*.deb || true"; };\nDir::Cache::pkgcache "";\nDir::Cache::srcpkgcache "";\n' \
    >"$rootfs/etc/apt/apt.conf.d/docker-clean"
  find "$rootfs/usr/share/doc" -mindepth 1 -not -name copyright -not -type d -delete
  rm -rf "$rootfs"/usr/share/{man,groff,info,lintian,linda,locale}/* "$rootfs"/var/lib/apt/lists/* \
    "$rootfs"/var/cache/apt/*.bin "$rootfs"/var/cache/apt/archives/*.deb "$rootfs"/var/log/*.log
  tar -C "$rootfs" -c . | podman import -q \
    --change 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
    --change 'CMD ["bash"]' - "$image" >/dev/null
  rm -rf "$rootfs"
}

# This machine's node, npm and corepack (the prefix of `node`), laid out for /usr/local,
# its Node headers, and the CA certificates it added to its trust store.
stage_node() {
  local ctx=$1 prefix
  prefix=$(dirname "$(dirname "$(readlink -f "$(command -v node)")")")
  rm -rf "$ctx/node" "$ctx/headers"
  mkdir -p "$ctx/node/bin" "$ctx/node/lib/node_modules" "$ctx/headers"
  cp -a "$prefix/bin/node" "$ctx/node/bin/node"
  cp -a "$prefix/lib/node_modules/npm" "$ctx/node/lib/node_modules/"
  [ -d "$prefix/lib/node_modules/corepack" ] && cp -a "$prefix/lib/node_modules/corepack" "$ctx/node/lib/node_modules/"
  ln -s ../lib/node_modules/npm/bin/npm-cli.js "$ctx/node/bin/npm"
  ln -s ../lib/node_modules/npm/bin/npx-cli.js "$ctx/node/bin/npx"
  [ -d "$ctx/node/lib/node_modules/corepack" ] && ln -s ../lib/node_modules/corepack/dist/corepack.js "$ctx/node/bin/corepack"
  [ -d "$prefix/include/node" ] || fail "no Node headers in $prefix/include/node (needed to compile better-sqlite3)"
  cp -a "$prefix/include/node/." "$ctx/headers/"
  mkdir -p "$ctx/extra-ca"
  find /usr/local/share/ca-certificates -name '*.crt' -exec cp {} "$ctx/extra-ca/" \; 2>/dev/null || true
}

# The stand-ins of node:<major>-bookworm(-slim) and clamav/clamav:1.4. podman's layer
# cache makes this a few seconds when nothing changed (same node, same files).
make_base_images() {
  local ctx=$STATE/base-context base=$ROOT/test/container/base
  make_debian_base
  rm -rf "$ctx" && mkdir -p "$ctx"
  cp "$base"/* "$ctx/"
  stage_node "$ctx"
  podman build --format docker --pull=never --layers -q -f "$ctx/node-slim.Containerfile" -t "localhost/node:$NODE_MAJOR-bookworm-slim" "$ctx" >/dev/null
  podman build --format docker --pull=never --layers -q --build-arg "NODE_MAJOR=$NODE_MAJOR" -f "$ctx/node-full.Containerfile" \
    -t "localhost/node:$NODE_MAJOR-bookworm" "$ctx" >/dev/null
  podman build --format docker --pull=never --layers -q -f "$ctx/clamav.Containerfile" -t localhost/clamav/clamav:1.4 "$ctx" >/dev/null
  rm -rf "$ctx"
}

# The stand-in bases and the build stage (npm ci) are cached: a run then takes about a
# minute, or two when the sources changed.
image_cache_warm() {
  local image
  for image in "localhost/node:$NODE_MAJOR-bookworm" "localhost/node:$NODE_MAJOR-bookworm-slim" \
    localhost/clamav/clamav:1.4 localhost/kekkai-ctest/build-stage:latest; do
    podman image exists "$image" || return 1
  done
}

# docker/Dockerfile as it is, from the repository root, with podman's layer cache. Docker
# image format: podman's default (OCI) has no HEALTHCHECK and would drop the image's.
build_kekkai_image() {
  podman build --format docker --pull=never --layers -f docker/Dockerfile -t localhost/kekkai:local \
    --build-arg "NODE_VERSION=$NODE_MAJOR" --build-arg "KEKKAI_INSTALL_OFFICE=${KEKKAI_INSTALL_OFFICE:-1}" \
    . >"$STATE/build.log" 2>&1 || { tail -n 40 "$STATE/build.log" >&2; fail "podman build of docker/Dockerfile failed; see $STATE/build.log"; }
  # The build stage tagged (from the cache, a second), so that pruning the images of
  # earlier runs keeps its layers: the next run reuses `npm ci` while package-lock.json
  # is unchanged. Without the prune every change of the sources leaves ~1 GB behind.
  podman build --format docker --pull=never --layers -q --target build -f docker/Dockerfile \
    -t localhost/kekkai-ctest/build-stage:latest --build-arg "NODE_VERSION=$NODE_MAJOR" . >/dev/null
  podman image prune -f >/dev/null
}
