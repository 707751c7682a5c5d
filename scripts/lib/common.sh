# Shared by scripts/demo, scripts/test and scripts/bench. Source it; do not run it.
# Creates .venv with a Python >= 3.11 and installs the packages of the lock files in requirements/
# (./scripts/lock writes them). Reinstalls only when the lock file changes.

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

# ensure_python: .venv with a Python >= 3.11, created when it is missing.
ensure_python() {
  if [ ! -x "$PY" ]; then
    local python; python="$(find_python)" || die "Python 3.11 or newer is needed (apt-get install python3 python3-venv)."
    say "Creating the virtual environment .venv with $python"
    "$python" -m venv "$VENV" || die "Could not create .venv (on Debian: apt-get install python3-venv)."
  fi
}

lock_hash() { sha256sum < "$ROOT/requirements/$1.txt" | cut -c1-16; }

# ensure_venv [test] – the locked packages: requirements/main.txt, or with "test" requirements/test.txt
# (the same versions plus the test tools). Every file is checked against the lock's sha256 hashes
# (pip --require-hashes); the lock pins pip itself as well. The portal's own code is not a package
# (pyproject.toml: packages = []): it runs from this directory and is not installed.
ensure_venv() {
  local lock="${1:-main}" stamp have
  ensure_python
  [ -f "$ROOT/requirements/$lock.txt" ] || die "requirements/$lock.txt is missing (./scripts/lock makes it)."
  stamp="$VENV/.koopstadt-installed"
  have="$(cat "$stamp" 2>/dev/null || true)"
  # A venv with test.txt installed has everything main.txt pins, at the same versions.
  if [ "$lock" = main ] && [ "$have" = "test-$(lock_hash test)" ]; then return 0; fi
  if [ "$have" != "$lock-$(lock_hash "$lock")" ]; then
    say "Installing the locked Python packages (requirements/$lock.txt)"
    "$PY" -m pip install --quiet --disable-pip-version-check --require-hashes --only-binary :all: \
      --requirement "$ROOT/requirements/$lock.txt"
    echo "$lock-$(lock_hash "$lock")" > "$stamp"
  fi
}

# Compile translations when gettext is there; the compiled .mo files are committed as well.
compile_messages() {
  if command -v msgfmt >/dev/null 2>&1; then
    (cd "$ROOT" && "$PY" manage.py compilemessages --ignore=.venv -v 0)
  fi
}

# The Debian packages WeasyPrint needs to render the PDFs (koopstadt/pdf.py: the claim PDF, the annual
# report): pango and a font. Without pango the portal does not start (weasyprint loads it on import).
PDF_DEBIAN_PACKAGES=(libpango-1.0-0 libpangoft2-1.0-0 fonts-dejavu-core)

# missing_pdf_packages: prints those of PDF_DEBIAN_PACKAGES that are not installed (nothing off Debian).
missing_pdf_packages() {
  command -v dpkg-query >/dev/null 2>&1 || return 0
  local package
  for package in "${PDF_DEBIAN_PACKAGES[@]}"; do
    dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" || echo "$package"
  done
}
