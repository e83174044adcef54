#!/usr/bin/env bash
# `make run`: the product's tour. The chat example (examples/chat, laid out as a user's project)
# is checked, generated and served; a client speaking chat.message_sent v1 and one speaking v3
# exchange messages, each reading them in its own version. Exit 0 only if every step passed.
set -u
wt=${1:-wiretype}
python=${2:-python3}
here=$(cd "$(dirname "$0")/.." && pwd)
chat="$here/examples/chat"
export_dir=$(mktemp -d)
trap 'rm -rf "$export_dir"' EXIT
status=0
step() {
  local title=$1; shift
  printf '\n\033[1m== %s\033[0m  (%s)\n' "$title" "$*"
  "$@" || { rc=$?; status=1; printf '   -> exit %s\n' "$rc"; }
}
step "The runtime's own protocol (schemas/) checks against its lock" "$wt" check --root "$here"
cd "$chat" || exit 2
printf '\n\033[1mIn examples/chat, a project of its own:\033[0m wiretype.yaml, schemas/, wiretype.lock, generated/\n'
step "Lint every definition" "$wt" lint
step "Check: lint + lock + compatibility" "$wt" check
step "One message, resolved" "$wt" show chat.typing --format yaml
step "What changed from v1 to v3 of chat.message_sent" "$wt" diff chat.message_sent 1 3
step "Generate the Python and TypeScript packages" "$wt" generate
step "Generated code is up to date" "$wt" generate --check
step "Export JSON Schema" "$wt" export jsonschema --out "$export_dir"
step "Serve it: a v1 client and a v3 client in one room" "$python" tour.py
printf '\n'
if [ "$status" -eq 0 ]; then
  printf '\033[32mall good:\033[0m the chat example checks, generates, and talks across versions.\n'
else
  printf '\033[31msome steps failed\033[0m (see above)\n'
fi
exit "$status"
