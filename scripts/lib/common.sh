# Shared by scripts/demo, scripts/test and scripts/bench. Source it; do not run it.
# Creates .venv with a Python >= 3.11 and installs the project's packages, pinned by
# requirements/constraints.txt. Reinstalls only when pyproject.toml or the constraints change.

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
VENV="$ROOT/.venv"
PY="$VENV/bin/python"

say() { printf '\033[1m==> %s\033[0m\n' "$*"; }
warn() { printf '\033[1;33m!!! %s\033[0m\n' "$*" >&2; }
die() { printf '\033[1;31mERROR: %s\033[0m\n' "$*" >&2; exit 1; }

find_python() {
  for candidate in python3.13 python3.12 python3.11 python3; do
    if command -v "$candidate" >/dev/null 2>&1 &&
       "$candidate" -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else 1)' 2>/dev/null; then
      command -v "$candidate"; return 0
    fi
  done
  return 1
}

# ensure_venv [extra]  – e.g. "test" installs the test dependencies too.
ensure_venv() {
  local extra="${1:-}" spec="$ROOT" stamp hash
  if [ ! -x "$PY" ]; then
    local python; python="$(find_python)" || die "Python 3.11 or newer is needed (apt-get install python3 python3-venv)."
    say "Creating the virtual environment .venv with $python"
    "$python" -m venv "$VENV" || die "Could not create .venv (on Debian: apt-get install python3-venv)."
    "$PY" -m pip install --quiet --upgrade "pip>=25.3"
  fi
  [ -n "$extra" ] && spec="$ROOT[$extra]"
  hash="$(cat "$ROOT/pyproject.toml" "$ROOT/requirements/constraints.txt" | sha256sum | cut -c1-16)-$extra"
  stamp="$VENV/.koopstadt-installed"
  # A venv with the test extras has everything the demo needs as well.
  local have; have="$(cat "$stamp" 2>/dev/null || true)"
  if [ -z "$extra" ] && [ "$have" = "${hash%-}-test" ]; then return 0; fi
  if [ "$have" != "$hash" ]; then
    say "Installing Python packages${extra:+ (with $extra extras)}"
    "$PY" -m pip install --quiet --upgrade "pip>=25.3"
    "$PY" -m pip install --quiet \
      --constraint "$ROOT/requirements/constraints.txt" \
      --build-constraint "$ROOT/requirements/build-constraints.txt" \
      --editable "$spec"
    echo "$hash" > "$stamp"
  fi
}

# Compile translations when gettext is there; the compiled .mo files are committed as well.
compile_messages() {
  if command -v msgfmt >/dev/null 2>&1; then
    (cd "$ROOT" && "$PY" manage.py compilemessages --ignore=.venv -v 0)
  fi
}
