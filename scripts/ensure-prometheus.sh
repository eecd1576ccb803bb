#!/usr/bin/env bash
# Make sure `prometheus` and `promtool` are on PATH (the deploy and scrape tests run them).
# Idempotent: does nothing when both are present. Otherwise installs Debian's `prometheus`
# package when apt-get is available and we are root; else fails with a clear message.
set -euo pipefail

if command -v promtool >/dev/null 2>&1 && command -v prometheus >/dev/null 2>&1; then
  exit 0
fi
if command -v apt-get >/dev/null 2>&1 && [ "$(id -u)" = "0" ]; then
  echo "[ensure-prometheus] installing the Debian package 'prometheus' (prometheus, promtool)" >&2
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq >/dev/null
  # The package's service is never started here (policy-rc.d on CI; we only need the binaries).
  apt-get install -y -qq --no-install-recommends prometheus >/dev/null
  command -v promtool >/dev/null 2>&1 && command -v prometheus >/dev/null 2>&1 && exit 0
fi
echo "[ensure-prometheus] prometheus and promtool are required by the deploy tests." >&2
echo "  Install them (Debian/Ubuntu: sudo apt-get install prometheus) or put them on PATH." >&2
exit 1
