#!/usr/bin/env bash
# Make sure `redis-server` is on PATH (the gateway's shared rate limits are tested against a
# real Redis; the tests start it when none listens on 127.0.0.1:6379). Idempotent: does
# nothing when it is present. Otherwise installs Debian's `redis-server` package when apt-get
# is available and we are root; else fails with a clear message.
set -euo pipefail

if command -v redis-server >/dev/null 2>&1; then
  exit 0
fi
if command -v apt-get >/dev/null 2>&1 && [ "$(id -u)" = "0" ]; then
  echo "[ensure-redis] installing the Debian package 'redis-server'" >&2
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq >/dev/null
  apt-get install -y -qq --no-install-recommends redis-server >/dev/null
  command -v redis-server >/dev/null 2>&1 && exit 0
fi
echo "[ensure-redis] redis-server is required by the gateway's rate limit tests." >&2
echo "  Install it (Debian/Ubuntu: sudo apt-get install redis-server) or put it on PATH." >&2
exit 1
