#!/bin/sh
# Writes the definitions the broker imports at every start: the generated topology plus its
# users, rendered from the environment, so that after each restart the broker has exactly the
# credentials the environment (.env, or the Secret campaign-secrets) holds. A password set by
# hand with rabbitmqctl would be undone by the next import; change it in the environment.
#
#   render-definitions.sh TOPOLOGY.json OUTPUT.json
#
#   RABBITMQ_USER, RABBITMQ_PASS  the platform's own user (administrator, every permission)
#   EVENT_SUBSCRIBERS             systems that follow our events over AMQP, comma-separated
#                                 `system:password` (empty: none). Each system gets the user
#                                 `ext-<system>`, which may bind the event exchanges
#                                 (`<source>.events`) to queues named `ext.<system>.<purpose>`
#                                 and declare, consume and delete those queues only.
#
# Used by docker compose (before the broker starts) and by the Kubernetes init container; one
# file for both because kustomize reads files only below deploy/k8s. Secrets: letters, digits,
# '-' and '_' (they are written into JSON); subscribers' passwords at least 16 characters.
set -eu

fail() {
  echo "render-definitions: $*" >&2
  exit 1
}

[ $# -eq 2 ] || fail "usage: render-definitions.sh TOPOLOGY.json OUTPUT.json"
topology=$1
output=$2
[ "$(head -n 1 "$topology")" = "{" ] || fail "$topology must start with a line '{'"
if grep -q '"users"\|"permissions"' "$topology"; then
  fail "$topology must hold no users or permissions (they come from the environment)"
fi

secret_ok() {
  case $1 in
    "" | *[!A-Za-z0-9_-]*) return 1 ;;
  esac
}

[ -n "${RABBITMQ_USER:-}" ] || fail "RABBITMQ_USER is not set"
secret_ok "$RABBITMQ_USER" || fail "RABBITMQ_USER: letters, digits, '-' and '_' only"
secret_ok "${RABBITMQ_PASS:-}" || fail "RABBITMQ_PASS: set it, letters, digits, '-' and '_' only"

users=$(printf '{"name": "%s", "password": "%s", "tags": ["administrator"]}' \
  "$RABBITMQ_USER" "$RABBITMQ_PASS")
permissions=$(printf '{"user": "%s", "vhost": "/", "configure": ".*", "write": ".*", "read": ".*"}' \
  "$RABBITMQ_USER")

seen=" "
set -f   # the list is split on commas and blanks, never globbed
for entry in $(printf '%s' "${EVENT_SUBSCRIBERS:-}" | tr ',' ' '); do
  system=${entry%%:*}
  password=${entry#*:}
  # never echo an entry without ':' into the log: it may be a password alone
  [ "$system" != "$entry" ] || fail "EVENT_SUBSCRIBERS: an entry is not system:password"
  case $system in
    [a-z0-9]*) ;;
    *) system="!$system" ;;   # a name starting with '-' or '_' is refused just below
  esac
  case $system in
    *[!a-z0-9-]*) fail "EVENT_SUBSCRIBERS: system '${system#!}': lower-case letters, digits" \
      "and '-' (not first), at most 50" ;;
  esac
  [ ${#system} -le 50 ] || fail "EVENT_SUBSCRIBERS: system '$system' is longer than 50"
  case $seen in
    *" $system "*) fail "EVENT_SUBSCRIBERS: system '$system' is listed twice" ;;
  esac
  seen="$seen$system "
  secret_ok "$password" && [ ${#password} -ge 16 ] ||
    fail "EVENT_SUBSCRIBERS: the password of '$system': at least 16 letters, digits, '-', '_'"
  own="^ext\\\\.$system\\\\..+"
  users="$users,
           $(printf '{"name": "ext-%s", "password": "%s", "tags": []}' "$system" "$password")"
  permissions="$permissions,
           $(printf '{"user": "ext-%s", "vhost": "/", "configure": "%s", "write": "%s", "read": "%s"}' \
    "$system" "$own" "$own" "^[a-z][a-z0-9_-]*\\\\.events\$|$own")"
done
set +f

# Readable by the broker only: it holds passwords. Written aside, then moved into place.
mkdir -p "$(dirname "$output")"
umask 077
{
  printf '{"users": [%s],\n "permissions": [%s],\n' "$users" "$permissions"
  tail -n +2 "$topology"
} > "$output.tmp"
if [ "$(id -u)" = 0 ] && id rabbitmq > /dev/null 2>&1; then
  chown rabbitmq "$output.tmp"   # compose renders as root before the broker drops to rabbitmq
fi
mv "$output.tmp" "$output"
