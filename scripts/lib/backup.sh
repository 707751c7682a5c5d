# Shared by scripts/backup and scripts/restore. Source it; do not run it.
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"

TOOL="$ROOT/scripts/lib/backup_tool.py"

# Never install or upgrade packages here: that would change the running portal under its feet. Only a
# fresh clone without .venv gets one. KOOPSTADT_PYTHON names another interpreter (e.g. the portal's own
# installation on a server).
if [ -n "${KOOPSTADT_PYTHON:-}" ]; then
  PY="$KOOPSTADT_PYTHON"
elif [ ! -x "$PY" ]; then
  ensure_venv
fi

# tool COMMAND ARGS… – the Python helper; it prints its own error and exits 1 on failure.
tool() { "$PY" "$TOOL" "$@"; }

# read_values TEXT – "key=value" lines into the associative array VALUES.
declare -A VALUES=()
read_values() {
  local line
  while IFS= read -r line; do
    [ -n "$line" ] && VALUES["${line%%=*}"]="${line#*=}"
  done <<<"$1"
}
