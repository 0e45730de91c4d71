#!/usr/bin/env bash
# The production profile on this machine, in one command (`make serve`), all in the foreground:
#   PostgreSQL (migrated as the owner role, served as an application role that cannot rewrite
#   the audit trail), collectstatic (WhiteNoise serves the static files), `check --deploy`,
#   gunicorn with WEB_CONCURRENCY workers, a Celery worker and Celery beat on Redis.
# Ctrl-C (or SIGTERM) stops all three; if one of them stops, the others are stopped too.
#
# Environment (each has a default for this machine):
#   DATABASE_URL        owner role, for migrate   postgres://postgres@127.0.0.1:5432/onewindow_prod
#   APP_DATABASE_URL    the servers' role         same server and database, role onewindow_app
#                                                  (created here when not given)
#   CELERY_BROKER_URL   redis://127.0.0.1:6379/0  (RabbitMQ: amqp://guest@127.0.0.1:5672//)
#   CACHE_REDIS_URL     redis://127.0.0.1:6379/1  (the cache the gunicorn workers share)
#   WEB_CONCURRENCY     the number of cores       gunicorn worker processes
#   GUNICORN_THREADS    4                         threads per worker (gthread): a request waits on
#                                                  the database for about half its time, so one
#                                                  process per core with threads keeps the cores
#                                                  busy (docs/operations.md)
#   DATABASE_CONN_MAX_AGE 60 (DEBUG=0's default)   seconds a thread keeps its database connection
#   CELERY_CONCURRENCY  2                         Celery worker processes
#   GUNICORN_TIMEOUT    60                        seconds before a stuck worker is restarted
#   HOST, PORT          127.0.0.1, 8000
#   LOG_FORMAT          json                      (core/requestid.py)
# Secrets (ADR 0010): production sets SECRET_KEY, DATA_ENCRYPTION_KEYS, BLIND_INDEX_KEY and
# AUDIT_CHAIN_KEY. For a local trial, those not set are generated ONCE into
# ONEWINDOW_SECRETS_FILE (default ~/.config/onewindow/serve-secrets.env, mode 0600, outside the
# repository so `make clean` cannot delete it) and read from there on every later start —
# scripts/serve_secrets.py, which refuses to generate keys for a database that already has
# migrations applied. Back that file up separately from the database (scripts/backup.sh):
# without it the data cannot be read.
# Plain HTTP: without SECURE_PROXY_SSL_HEADER (a TLS proxy in front) and without an explicit
# SECURE_SSL_REDIRECT, this local trial serves plain HTTP on HOST (SECURE_SSL_REDIRECT=0,
# SECURE_HSTS_SECONDS=0, ONEWINDOW_ALLOW_INSECURE=1) and says so; `check --deploy` then warns
# about those two. Production serves HTTPS.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$PWD/.venv/bin:$PATH"

log() { printf '\033[1;34m[onewindow serve]\033[0m %s\n' "$*" >&2; }
[ -x .venv/bin/gunicorn ] && [ -x .venv/bin/celery ] || {
  log "gunicorn or celery is missing: run bash scripts/bootstrap.sh first (make serve does)"
  exit 1
}

export DJANGO_SETTINGS_MODULE=onewindow.config.settings
export DEBUG=0
export TASK_BACKEND=celery
export DATABASE_URL="${DATABASE_URL:-postgres://postgres@127.0.0.1:5432/onewindow_prod}"
export CELERY_BROKER_URL="${CELERY_BROKER_URL:-redis://127.0.0.1:6379/0}"
export CACHE_REDIS_URL="${CACHE_REDIS_URL:-redis://127.0.0.1:6379/1}"
export LOG_FORMAT="${LOG_FORMAT:-json}"
export WEB_CONCURRENCY="${WEB_CONCURRENCY:-$(nproc)}"
CELERY_CONCURRENCY="${CELERY_CONCURRENCY:-2}"
HOST="${HOST:-127.0.0.1}"
PORT="${PORT:-8000}"
export ALLOWED_HOSTS="${ALLOWED_HOSTS:-127.0.0.1,localhost}"
mkdir -p var

# --- Plain HTTP on a local trial -----------------------------------------------------------------
if [ -z "${SECURE_PROXY_SSL_HEADER:-}" ] && [ -z "${SECURE_SSL_REDIRECT:-}" ]; then
  export SECURE_SSL_REDIRECT=0 SECURE_HSTS_SECONDS=0 ONEWINDOW_ALLOW_INSECURE=1
  log "local trial over plain HTTP on $HOST:$PORT (no TLS proxy declared): no HTTPS redirect,"
  log "no HSTS. Production: HTTPS, or SECURE_PROXY_SSL_HEADER behind a TLS-terminating proxy."
fi

# --- The services this profile talks to --------------------------------------------------------
case "$DATABASE_URL" in
  postgres://*@127.0.0.1:5432/* | postgres://*@localhost:5432/*) bash scripts/ensure-postgres.sh ;;
  postgres://* | postgresql://*) ;;
  *) log "DATABASE_URL must be PostgreSQL for the production profile"; exit 2 ;;
esac
python - <<'EOF' || { log "the broker $CELERY_BROKER_URL does not answer"; exit 1; }
import os
from kombu import Connection
with Connection(os.environ["CELERY_BROKER_URL"], connect_timeout=3) as conn:
    conn.ensure_connection(max_retries=2, interval_start=0.5)
EOF

# --- Secrets (after the database server is up: refused for a database that holds data) -----------
secrets_out=$(python scripts/serve_secrets.py) || exit 1
while IFS= read -r line; do
  [ -n "$line" ] && export "${line%%=*}=${line#*=}"
done <<< "$secrets_out"

# --- Database: create it, migrate as the owner, then serve as the application role -------------
app_role_given="${APP_DATABASE_URL:-}"
APP_DATABASE_URL=$(python - <<'EOF'
import os, re, sys
from urllib.parse import urlsplit, urlunsplit

import psycopg
from psycopg import sql

owner = urlsplit(os.environ["DATABASE_URL"])
name = owner.path.lstrip("/")
if not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]{0,62}", name):
    sys.exit("the database name must be letters, digits and _")
given = os.environ.get("APP_DATABASE_URL", "")
host = f"[{owner.hostname}]" if ":" in (owner.hostname or "") else (owner.hostname or "")
port = f":{owner.port}" if owner.port else ""
app = urlsplit(given) if given else owner._replace(netloc=f"onewindow_app@{host}{port}")
server = urlunsplit(owner._replace(path="/postgres"))
with psycopg.connect(server, autocommit=True) as conn:
    if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,)).fetchone():
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
        print(f"created database {name}", file=sys.stderr)
    if not given and not conn.execute(
        "SELECT 1 FROM pg_roles WHERE rolname = 'onewindow_app'"
    ).fetchone():
        conn.execute("CREATE ROLE onewindow_app LOGIN")
        print("created role onewindow_app (local trial; trust authentication)", file=sys.stderr)
print(urlunsplit(app))
EOF
)
export APP_DATABASE_URL

log "migrating (owner role)"
ONEWINDOW_AUDIT_OWNER_OK=1 python manage.py migrate --noinput
log "granting the application role what it needs and no more (README: two database roles)"
python - <<'EOF'
import os
from urllib.parse import urlsplit

import psycopg
from psycopg import sql

role = urlsplit(os.environ["APP_DATABASE_URL"]).username
with psycopg.connect(os.environ["DATABASE_URL"], autocommit=True) as conn:
    r = sql.Identifier(role)
    for statement in (
        "GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO {}",
        "GRANT USAGE ON ALL SEQUENCES IN SCHEMA public TO {}",
        "REVOKE UPDATE, DELETE, TRUNCATE ON core_auditlog FROM {}",
        "GRANT UPDATE (seq, prev_hash, row_hash, field_macs) ON core_auditlog TO {}",
        "REVOKE DELETE, TRUNCATE ON core_auditsealhead FROM {}",
    ):
        conn.execute(sql.SQL(statement).format(r))
EOF
# From here on every process is the application role.
export DATABASE_URL="$APP_DATABASE_URL"

log "collecting static files (served by WhiteNoise)"
python manage.py collectstatic --noinput --verbosity 0
log "manage.py check --deploy"
python manage.py check --deploy

# --- The three processes ------------------------------------------------------------------------
# Several gunicorn workers add up their metrics in one folder (config/metrics.py).
prometheus_dir="$PWD/var/prometheus"
rm -rf "$prometheus_dir" && mkdir -p "$prometheus_dir"

pids=()
stop() {
  trap - INT TERM EXIT
  log "stopping (${pids[*]:-nothing running})"
  for pid in "${pids[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
  for _ in $(seq 1 40); do
    alive=0
    for pid in "${pids[@]}"; do kill -0 "$pid" 2>/dev/null && alive=1; done
    [ "$alive" = 0 ] && break
    sleep 0.25
  done
  for pid in "${pids[@]}"; do kill -KILL "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
  log "stopped"
}
trap 'stop; exit 130' INT
trap 'stop; exit 143' TERM
trap 'stop' EXIT

PROMETHEUS_MULTIPROC_DIR="$prometheus_dir" gunicorn onewindow.config.wsgi:application \
  --bind "$HOST:$PORT" --workers "$WEB_CONCURRENCY" --worker-class gthread \
  --threads "${GUNICORN_THREADS:-4}" --timeout "${GUNICORN_TIMEOUT:-60}" \
  --graceful-timeout 10 &
pids+=($!)
celery -A onewindow.core.celery_app worker --concurrency "$CELERY_CONCURRENCY" \
  --loglevel INFO --without-mingle --without-gossip &
pids+=($!)
celery -A onewindow.core.celery_app beat --loglevel INFO \
  --schedule var/celerybeat-schedule &
pids+=($!)
log "serving http://$HOST:$PORT/ — gunicorn ($WEB_CONCURRENCY workers × ${GUNICORN_THREADS:-4} threads), Celery worker and beat"
log "health: http://$HOST:$PORT/healthz   readiness and metrics (this machine only):"
log "  http://$HOST:$PORT/readyz   http://$HOST:$PORT/metrics"
log "Ctrl-C stops all three"

# The first of the three to stop stops the others.
set +e
wait -n
status=$?
log "a process stopped (status $status)"
exit "$status"
