#!/usr/bin/env bash
# Sets up everything OneWindow needs on this machine, idempotently:
#   Debian packages (gettext, CJK fonts; chromium with --test), the Python virtual
#   environment with the project installed, the npm front-end assets copied to static/vendor,
#   and compiled translations. Safe to run again: each step is skipped when already done.
set -euo pipefail
cd "$(dirname "$0")/.."

# --test: also what the test suite needs (Chromium, poppler). --list-missing: only print the
# Debian packages that would be installed, one a line, and stop (used by a test).
want_browser=0
list_missing=0
for arg in "$@"; do
  case "$arg" in
    --test) want_browser=1 ;;
    --list-missing) list_missing=1 ;;
    *) echo "usage: $0 [--test] [--list-missing]" >&2; exit 2 ;;
  esac
done

log() { printf '\033[1;34m[onewindow]\033[0m %s\n' "$*"; }

# --- Debian packages -------------------------------------------------------------------------
missing=()
# Each listing is read whole before it is searched: under pipefail, `list | grep -q` fails
# whenever grep stops early and the lister dies of SIGPIPE, which would reinstall every run.
fonts=$(fc-list : family 2>/dev/null || true)
libraries=$(ldconfig -p 2>/dev/null || true)
command -v msgfmt >/dev/null 2>&1 || missing+=(gettext)
[[ "$fonts" == *"Noto Sans CJK"* ]] || missing+=(fonts-noto-cjk)
command -v node >/dev/null 2>&1 || missing+=(nodejs npm)
# WeasyPrint (receipts) needs Pango; a fresh Debian lacks the venv module of its Python.
[[ "$libraries" == *"libpangoft2-1.0"* ]] || missing+=(libpango-1.0-0 libpangoft2-1.0-0)
py_for_venv="${PYTHON:-$(command -v python3.11 || command -v python3)}"
"$py_for_venv" -c "import ensurepip, venv" 2>/dev/null || missing+=(python3-venv)
if [ "$want_browser" = 1 ]; then
  [ -x /usr/bin/chromium ] || missing+=(chromium)
  command -v pdftotext >/dev/null 2>&1 || missing+=(poppler-utils)
fi
if [ "$list_missing" = 1 ]; then
  [ ${#missing[@]} -eq 0 ] || printf '%s\n' "${missing[@]}"
  exit 0
fi
if [ ${#missing[@]} -gt 0 ]; then
  log "installing Debian packages: ${missing[*]}"
  SUDO=""
  [ "$(id -u)" -ne 0 ] && SUDO="sudo"
  # Another apt or dpkg (unattended upgrades, a colleague's setup) may hold the lock: wait for
  # it (up to 5 minutes) instead of failing. `update` is tried again if its lists lock is held.
  apt=(apt-get -o DPkg::Lock::Timeout=300)
  for try in 1 2 3 4 5 6; do
    $SUDO "${apt[@]}" update -qq && break
    [ "$try" = 6 ] && exit 1
    log "apt-get update failed (lock held?); trying again in 30 s"
    sleep 30
  done
  DEBIAN_FRONTEND=noninteractive $SUDO "${apt[@]}" install -y -qq --no-install-recommends \
    "${missing[@]}" fontconfig >/dev/null
fi

# --- Python ----------------------------------------------------------------------------------
PYTHON="${PYTHON:-$(command -v python3.11 || command -v python3)}"
if [ ! -x .venv/bin/python ]; then
  log "creating the virtual environment with $PYTHON"
  "$PYTHON" -m venv .venv
fi
stamp=".venv/.onewindow-installed"
fingerprint=$(cat pyproject.toml | sha256sum | cut -d' ' -f1)
if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$fingerprint" ]; then
  log "installing Python packages"
  .venv/bin/pip install --quiet --upgrade pip
  .venv/bin/pip install --quiet -e '.[dev,celery,production]'
  echo "$fingerprint" > "$stamp"
fi

# --- Front-end assets (npm at setup time, served locally) -------------------------------------
vendor=src/onewindow/static/vendor
lock_fingerprint=$(cat package.json package-lock.json 2>/dev/null | sha256sum | cut -d' ' -f1)
if [ ! -f "$vendor/.stamp" ] || [ "$(cat "$vendor/.stamp")" != "$lock_fingerprint" ]; then
  log "installing front-end assets from npm"
  npm ci --no-audit --no-fund --loglevel=error
  mkdir -p "$vendor"
  cp node_modules/htmx.org/dist/htmx.min.js "$vendor/htmx.min.js"
  cp node_modules/echarts/dist/echarts.min.js "$vendor/echarts.min.js"
  echo "$lock_fingerprint" > "$vendor/.stamp"
fi

# --- Translations ----------------------------------------------------------------------------
(cd src/onewindow && ../../.venv/bin/python ../../manage.py compilemessages --verbosity 0)
log "setup complete"
