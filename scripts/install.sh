#!/usr/bin/env bash
# Installs what kekkai needs on Debian 12 when it is missing: system packages
# (Chromium, Japanese fonts, ClamAV, PDF renderer), npm packages (without any
# browser download) and the build. Safe to run again; it only adds what is missing.
set -euo pipefail
cd "$(dirname "$0")/.."

# Debian packages the gateway and its tests use. Keep in sync with docs/operations.md.
# age: encryption of scheduled backups (kekkai backup --scheduled, kekkai restore --identity).
PACKAGES=(chromium fonts-noto-cjk clamav clamav-daemon clamdscan poppler-utils poppler-data util-linux age)
# LibreOffice (Office → PDF conversion) is large; set KEKKAI_INSTALL_OFFICE=0 to skip it
# (Office files are then blocked with "converter-unavailable").
if [ "${KEKKAI_INSTALL_OFFICE:-1}" != "0" ]; then
  PACKAGES+=(libreoffice-core-nogui libreoffice-writer-nogui libreoffice-calc-nogui libreoffice-impress-nogui)
fi

# Tools only the tests use (scripts/test.sh sets KEKKAI_TEST_TOOLS=1): kubectl renders
# deploy/kubernetes offline (Debian's kubernetes-client, unless a kubectl is already there).
# rsync: the tests of a scheduled backup mirrored to an rsync destination (optional in production).
if [ "${KEKKAI_TEST_TOOLS:-0}" = "1" ]; then
  command -v kubectl >/dev/null || PACKAGES+=(kubernetes-client)
  PACKAGES+=(rsync)
fi

missing=()
for pkg in "${PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
done
if [ "${#missing[@]}" -gt 0 ]; then
  echo "kekkai: installing Debian packages: ${missing[*]}"
  SUDO=""
  [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  $SUDO apt-get update -q
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -q --no-install-recommends "${missing[@]}"
fi

if ! command -v node >/dev/null || [ "$(node -p 'process.versions.node.split(".")[0]')" -lt 20 ]; then
  echo "kekkai needs Node.js 20 or newer (found: $(node --version 2>/dev/null || echo none))." >&2
  exit 1
fi

# puppeteer must never download a browser: it drives Debian's /usr/bin/chromium.
export PUPPETEER_SKIP_DOWNLOAD=1
if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  echo "kekkai: installing npm packages"
  npm ci --no-audit --no-fund
fi
echo "kekkai: building"
npm run build --silent
