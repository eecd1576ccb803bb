#!/bin/sh
# `campaign gateway` runs the HTTP gateway; `campaign <module:Class>` runs a nameko service.
set -e
case "$1" in
  gateway) exec python -m services.gateway ;;
  *:*) exec python -m services.runtime.nameko_ext.launcher "$1" ;;
  *) exec "$@" ;;
esac
