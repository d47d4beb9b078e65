#!/usr/bin/env bash
# Debian's Chromium for the browser tests (Playwright drives it by its path; it never downloads a browser).
# Installs it only when running as root; otherwise says how, and the browser tests skip with that reason.
set -euo pipefail
if [ -x /usr/bin/chromium ]; then
  exit 0
fi
if [ "$(id -u)" -eq 0 ] && command -v apt-get >/dev/null 2>&1; then
  echo "installing Debian's chromium for the browser tests (apt-get)…"
  apt-get update -q
  DEBIAN_FRONTEND=noninteractive apt-get install -y -q chromium
else
  echo "note: /usr/bin/chromium is missing, so tests/browser will be skipped."
  echo "      install it with: sudo apt-get install -y chromium   (Debian/Ubuntu)"
fi
