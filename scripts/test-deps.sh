#!/usr/bin/env bash
# What the tests need beyond Python packages: Debian's Chromium for the browser tests.
# Installs it when missing and running as root; under CI=true a missing browser is an error.
set -euo pipefail
if [ -x /usr/bin/chromium ]; then
  exit 0
fi
if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null; then
  echo "Installing Chromium from Debian's packages for the browser tests…"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium fonts-dejavu-core >/dev/null
  exit 0
fi
if [ "${CI:-}" = "true" ]; then
  echo "Chromium (/usr/bin/chromium) is missing and cannot be installed here." >&2
  exit 1
fi
echo "Chromium is missing: the browser tests will be skipped (install the 'chromium' package)."
