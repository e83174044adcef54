#!/usr/bin/env bash
# `make run`: every wiretype command on this repository's own registry, with a summary.
set -u
wt=${1:-wiretype}
status=0
step() {
  local title=$1; shift
  printf '\n\033[1m== %s\033[0m  (%s)\n' "$title" "$*"
  "$@" || { rc=$?; status=1; printf '   -> exit %s\n' "$rc"; }
}
step "Lint every definition" "$wt" lint
step "Check: lint + lock + compatibility" "$wt" check
step "One message, resolved" "$wt" show wiretype.ack --format yaml
step "What changed from v1 to v3 of chat.message_sent" "$wt" diff chat.message_sent 1 3
step "Generated code is up to date" "$wt" generate --check
step "Export JSON Schema" "$wt" export jsonschema --out .venv/wiretype-export
printf '\n'
if [ "$status" -eq 0 ]; then
  printf '\033[32mall good:\033[0m the example registry (schemas/) lints, checks and is generated.\n'
else
  printf '\033[31msome steps failed\033[0m (see above)\n'
fi
exit "$status"
