#!/usr/bin/env bash
# Installs what kekkai needs on Debian 12 when it is missing: system packages
# (Chromium, Japanese fonts, ClamAV, PDF renderer), npm packages (without any
# browser download) and the build. Safe to run again; it only adds what is missing.
set -euo pipefail
cd "$(dirname "$0")/.."

# Debian packages the gateway and its tests use. Keep in sync with docs/operations.md.
# chromium-l10n: Chromium's Japanese UI strings (error pages, form validation, file inputs).
# age: encryption of scheduled backups (kekkai backup --scheduled, kekkai restore --identity).
PACKAGES=(chromium chromium-l10n fonts-noto-cjk clamav clamav-daemon clamdscan poppler-utils poppler-data util-linux age)
# Kerberos single sign-on (docs/kerberos-sign-in.md): the `kerberos` npm package is a native
# addon built by node-gyp against MIT krb5 (its prebuilt download needs the internet), so npm ci
# needs the headers and a compiler; libgssapi-krb5-2 is what it loads at run time.
PACKAGES+=(libkrb5-dev libgssapi-krb5-2 g++ make python3)
# LibreOffice (Office → PDF conversion) is large; set KEKKAI_INSTALL_OFFICE=0 to skip it
# (Office files are then blocked with "converter-unavailable").
if [ "${KEKKAI_INSTALL_OFFICE:-1}" != "0" ]; then
  PACKAGES+=(libreoffice-core-nogui libreoffice-writer-nogui libreoffice-calc-nogui libreoffice-impress-nogui)
fi

# Tools only the tests use (scripts/test.sh sets KEKKAI_TEST_TOOLS=1): kubectl renders
# deploy/kubernetes offline (Debian's kubernetes-client, unless a kubectl is already there).
# OpenLDAP's slapd and ldap-utils: the directory sign-in tests start their own slapd on
# loopback (docs/directory-sign-in.md); kekkai itself never uses a local directory server.
# rsync: the tests of a scheduled backup mirrored to an rsync destination (optional in production).
# python3-fitz (PyMuPDF): only the benchmark's pixels-to-PDF reference (bench/pixels-to-pdf-reference.py).
if [ "${KEKKAI_TEST_TOOLS:-0}" = "1" ]; then
  command -v kubectl >/dev/null || PACKAGES+=(kubernetes-client)
  PACKAGES+=(slapd ldap-utils rsync python3-fitz)
  # MIT Kerberos KDC for the Kerberos single sign-on tests (test/integration/kerberos/kdc-harness.ts):
  # krb5kdc and kdb5_util (krb5-kdc), kadmin.local (krb5-admin-server), kinit (krb5-user), and
  # curl --negotiate as a second real client. The
  # tests run their own KDC on loopback; the system services are kept from starting (below).
  PACKAGES+=(krb5-kdc krb5-admin-server krb5-user curl)
fi

missing=()
for pkg in "${PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
done
SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO="sudo"

# slapd (and krb5-kdc, krb5-admin-server: test tools too) must not become running, enabled
# services on the appliance. slapd's package would
# otherwise create a directory with a debconf-made admin and listen on port 389.
# - debconf is told to make no configuration at all (slapd/no_configuration);
# - while it installs, a policy-rc.d refuses to start slapd (only slapd: clamav-daemon
#   installed in the same run still starts) unless the machine already has a
#   policy-rc.d of its own (container images refuse every start), which is kept;
# - afterwards the unit is disabled (and stopped) where systemd runs.
prevent_slapd_service() {
  echo "slapd slapd/no_configuration boolean true" | $SUDO debconf-set-selections
  if [ ! -e /usr/sbin/policy-rc.d ]; then
    # invoke-rc.d may put options (--quiet) before the service name: look at every argument.
    printf '#!/bin/sh\n# kekkai install: do not start the test-only servers\nfor a in "$@"; do case "$a" in slapd|krb5-kdc|krb5-admin-server) exit 101;; esac; done\nexit 0\n' | $SUDO tee /usr/sbin/policy-rc.d >/dev/null
    $SUDO chmod 755 /usr/sbin/policy-rc.d
    POLICY_RC_ADDED=1
  fi
}
after_slapd_install() {
  if [ "${POLICY_RC_ADDED:-0}" = "1" ]; then $SUDO rm -f /usr/sbin/policy-rc.d; fi
  for service in slapd krb5-kdc krb5-admin-server; do
    if command -v systemctl >/dev/null && [ -d /run/systemd/system ]; then
      $SUDO systemctl disable --now "$service.service" >/dev/null 2>&1 || true
    elif command -v update-rc.d >/dev/null; then
      $SUDO update-rc.d "$service" disable >/dev/null 2>&1 || true
    fi
  done
}

if [ "${#missing[@]}" -gt 0 ]; then
  echo "kekkai: installing Debian packages: ${missing[*]}"
  $SUDO apt-get update -q
  installing_slapd=0
  if [[ " ${missing[*]} " == *" slapd "* || " ${missing[*]} " == *" krb5-kdc "* || " ${missing[*]} " == *" krb5-admin-server "* ]]; then
    installing_slapd=1
    prevent_slapd_service
    trap after_slapd_install EXIT
  fi
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -q --no-install-recommends "${missing[@]}"
  if [ "$installing_slapd" = "1" ]; then
    after_slapd_install
    trap - EXIT
  fi
fi

if ! command -v node >/dev/null || [ "$(node -p 'process.versions.node.split(".")[0]')" -lt 20 ]; then
  echo "kekkai needs Node.js 20 or newer (found: $(node --version 2>/dev/null || echo none))." >&2
  exit 1
fi

# puppeteer must never download a browser: it drives Debian's /usr/bin/chromium.
export PUPPETEER_SKIP_DOWNLOAD=1
# node-gyp builds native addons (kerberos) against the installed Node's own headers instead of
# downloading them from nodejs.org (closed networks).
for prefix in /usr /usr/local; do
  if [ -z "${npm_config_nodedir:-}" ] && [ -f "$prefix/include/node/node_api.h" ]; then export npm_config_nodedir="$prefix"; fi
done
if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  echo "kekkai: installing npm packages"
  npm ci --no-audit --no-fund
fi
echo "kekkai: building"
npm run build --silent
