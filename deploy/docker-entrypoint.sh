#!/bin/sh
# The image runs the `campaign` command (pyproject [project.scripts]), as on any machine:
#   docker run IMAGE serve gateway            docker run IMAGE create-admin --username admin
# A process named alone (gateway, plans, notifications, monitoring, or a nameko module:Class,
# as docker-compose.yml and the Kubernetes manifests give it) is served: `campaign serve`.
set -e
case "$1" in
  gateway|plans|notifications|monitoring|*:*) exec campaign serve "$1" ;;
  *) exec campaign "$@" ;;
esac
