#!/usr/bin/env bash
# The whole suite: lint, type check, migrations check, then pytest on SQLite and on PostgreSQL.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$PWD/.venv/bin:$PATH"
unset DATABASE_URL
export TASK_BACKEND=sync

bash scripts/lint.sh
echo "== migrations"
python manage.py makemigrations --check --dry-run >/dev/null

# Both runs need the local PostgreSQL server (the backup test restores into scratch databases
# on it) and Redis (the Celery tests: a real worker, TEST_REDIS_URL).
bash scripts/ensure-postgres.sh
echo "== pytest on SQLite"
# Tests marked postgres_server use the PostgreSQL server whatever the database: run once, below.
pytest -m "not postgres_server" --durations=15 "$@"

echo "== pytest on PostgreSQL"
bash scripts/ensure-postgres.sh
DATABASE_URL="${TEST_POSTGRES_URL:-postgres://postgres@127.0.0.1:5432/onewindow}" pytest --durations=15 "$@"
