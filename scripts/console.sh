#!/usr/bin/env bash
# The operators' console (console/): `deps` installs node_modules with `npm ci` when the
# lockfile changed; `build` also builds console/dist when a console source changed (a stamp
# over the hash of the sources and the lockfile: fast and idempotent when nothing changed);
# `lint` runs ESLint and the type checker; `test` runs the Vitest unit tests.
set -euo pipefail
cd "$(dirname "$0")/../console"

if ! command -v npm >/dev/null 2>&1; then
  echo "[console] Node.js 20 (>= 20.19) and npm are required to build the console" >&2
  exit 1
fi

deps() {
  local want stamp=node_modules/.ci-stamp
  want=$(sha256sum package-lock.json | cut -d' ' -f1)
  if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ]; then
    return 0
  fi
  echo "[console] npm ci" >&2
  npm ci --no-audit --no-fund --loglevel=error
  echo "$want" > "$stamp"
}

sources_hash() {
  # Every file that goes into the build (not node_modules, dist or test output).
  find . \( -path ./node_modules -o -path ./dist \) -prune -o -type f -print \
    | LC_ALL=C sort | xargs sha256sum | sha256sum | cut -d' ' -f1
}

build() {
  deps
  local want stamp=dist/.build-stamp
  want=$(sources_hash)
  if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ] && [ -f dist/index.html ]; then
    return 0
  fi
  echo "[console] npm run build" >&2
  npm run --silent build >/dev/null
  echo "$want" > "$stamp"
}

case "${1:-build}" in
  deps) deps ;;
  build) build ;;
  lint) deps; npm run --silent lint; npm run --silent typecheck ;;
  test) deps; npm run --silent test ;;
  *) echo "usage: scripts/console.sh deps|build|lint|test" >&2; exit 2 ;;
esac
