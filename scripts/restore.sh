#!/usr/bin/env bash
# Restores a backup made by scripts/backup.sh into a new, named PostgreSQL database, and its
# uploaded files into MEDIA_ROOT.
#
#   scripts/restore.sh BACKUP_DIR TARGET
#
# TARGET is a database name on the server of DATABASE_URL (default
# postgres://postgres@127.0.0.1:5432/onewindow_prod; the role needs CREATEDB) or a full
# postgres:// URL. The database must not exist yet: a restore never writes over data. MEDIA_ROOT
# (default var/media) must be absent or empty. The checksums are verified first; if anything
# fails, the new database is dropped again and the files removed (no half restore).
#
# Afterwards: the application reads the restored data only with the SAME keys
# (DATA_ENCRYPTION_KEYS, BLIND_INDEX_KEY, AUDIT_CHAIN_KEY; they are not in the backup), and the
# application role needs its grants again (README, "Two database roles"; scripts/serve.sh
# applies them when it starts on that database). Objects belong to the role that restores.
set -euo pipefail
cd "$(dirname "$0")/.."

log() { printf '[onewindow] %s\n' "$*" >&2; }
if [ $# -ne 2 ]; then
  echo "usage: $0 BACKUP_DIR TARGET_DATABASE_NAME_OR_URL" >&2
  exit 2
fi
backup="$1"
target="$2"
for part in database.dump media.tar.gz SHA256SUMS; do
  [ -f "$backup/$part" ] || { log "$backup/$part is missing: not a OneWindow backup"; exit 2; }
done
(cd "$backup" && sha256sum --quiet --check SHA256SUMS) || { log "checksums do not match"; exit 1; }

server_url="${DATABASE_URL:-postgres://postgres@127.0.0.1:5432/onewindow_prod}"
# The target's URL and name, and the server's maintenance database to create it from.
read -r target_url target_name maintenance_url < <(python3 - "$server_url" "$target" <<'EOF'
import re, sys
from urllib.parse import urlsplit, urlunsplit
server, target = sys.argv[1], sys.argv[2]
if "://" in target:
    url = urlsplit(target)
else:
    if not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]{0,62}", target):
        sys.exit("the database name must be letters, digits and _ (at most 63)")
    url = urlsplit(server)._replace(path="/" + target)
name = url.path.lstrip("/")
if not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]{0,62}", name):
    sys.exit("the database name must be letters, digits and _ (at most 63)")
print(urlunsplit(url), name, urlunsplit(url._replace(path="/postgres")))
EOF
)
media_root="${MEDIA_ROOT:-var/media}"
if [ -d "$media_root" ] && [ -n "$(ls -A "$media_root")" ]; then
  log "$media_root is not empty: restore the files into an empty MEDIA_ROOT"
  exit 1
fi
exists=$(psql --no-psqlrc -tAq -d "$maintenance_url" \
  -c "SELECT 1 FROM pg_database WHERE datname = '$target_name'")
if [ "$exists" = 1 ]; then
  log "database $target_name exists already: a restore goes into a new database"
  exit 1
fi

created=0
media_made=0
media_started=0
cleanup() {
  if [ "$created" = 1 ]; then
    log "restore failed: dropping $target_name again"
    psql --no-psqlrc -q -d "$maintenance_url" -c "DROP DATABASE IF EXISTS \"$target_name\"" || true
  fi
  if [ "$media_made" = 1 ]; then
    rm -rf "$media_root"
  elif [ "$media_started" = 1 ]; then
    find "$media_root" -mindepth 1 -delete  # it was empty before
  fi
}
trap cleanup EXIT

log "creating database $target_name"
psql --no-psqlrc -q -d "$maintenance_url" -c "CREATE DATABASE \"$target_name\""
created=1
log "restoring the database"
pg_restore --no-owner --no-privileges --exit-on-error --single-transaction \
  --dbname="$target_url" "$backup/database.dump"
log "restoring the uploaded files into $media_root"
if [ ! -d "$media_root" ]; then media_made=1; fi
mkdir -p "$media_root"
media_started=1
tar -C "$media_root" -xzf "$backup/media.tar.gz"
created=0
media_made=0
media_started=0
trap - EXIT
log "restored into $target_name; run it with the same keys as the backup (not in the backup):"
grep '^data key ids:' "$backup/MANIFEST" >&2 || true
log "then grant the application role again (README, \"Two database roles\")"
