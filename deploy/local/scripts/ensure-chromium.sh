#!/usr/bin/env bash
# Debian's Chromium for the browser tests (Playwright drives it by its path; it never downloads a browser),
# and Debian's poppler-utils (`pdftoppm`), with which the tests render the bulletin's PDF edition.
# Installs them only when running as root; otherwise says how, and the tests needing them skip with that reason.
set -euo pipefail
missing=()
[ -x /usr/bin/chromium ] || missing+=(chromium)
command -v pdftoppm >/dev/null 2>&1 || missing+=(poppler-utils)
if [ "${#missing[@]}" -eq 0 ]; then
  exit 0
fi
if [ "$(id -u)" -eq 0 ] && command -v apt-get >/dev/null 2>&1; then
  echo "installing Debian's ${missing[*]} for the browser and PDF tests (apt-get)…"
  apt-get update -q
  DEBIAN_FRONTEND=noninteractive apt-get install -y -q "${missing[@]}"
else
  echo "note: ${missing[*]} missing, so the tests needing them will be skipped."
  echo "      install with: sudo apt-get install -y ${missing[*]}   (Debian/Ubuntu)"
fi
