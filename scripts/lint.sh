#!/usr/bin/env bash
# Static checks: ruff (lint and format), mypy, the import contracts of .importlinter (layers,
# no cycles, no app reaching into another app's faces) and no binary file in git.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$PWD/.venv/bin:$PATH"

echo "== ruff"
ruff check src bench conftest.py
ruff format --check src bench conftest.py
echo "== mypy"
mypy src/onewindow bench
echo "== import contracts"
lint-imports --no-cache
python scripts/check_private_imports.py
echo "== no binaries in git"
bash scripts/check-no-binaries.sh
