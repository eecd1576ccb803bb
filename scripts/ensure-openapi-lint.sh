#!/usr/bin/env bash
# Install the pinned Redocly CLI (tools/openapi-lint/package-lock.json) that `make lint` runs
# on the generated OpenAPI document. Idempotent: nothing happens while package.json and the
# lock file are unchanged since the last install.
set -euo pipefail
cd "$(dirname "$0")/../tools/openapi-lint"

stamp=node_modules/.installed
want=$(cat package.json package-lock.json | sha256sum | cut -d' ' -f1)
if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ] && [ -x node_modules/.bin/redocly ]; then
  exit 0
fi
if ! command -v npm >/dev/null 2>&1; then
  echo "npm (Node.js 20.19+ or 22.12+) is required to lint the OpenAPI document" >&2
  exit 1
fi
echo "[openapi-lint] installing the pinned Redocly CLI" >&2
npm ci --no-audit --no-fund --loglevel=error
echo "$want" > "$stamp"
