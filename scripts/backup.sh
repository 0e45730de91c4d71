#!/usr/bin/env bash
# Backs up OneWindow: the PostgreSQL database (pg_dump, custom format) and the uploaded files
# (MEDIA_ROOT, a tar), into a new folder BACKUP_ROOT/onewindow-<UTC time>/ with a MANIFEST.
#
#   scripts/backup.sh [BACKUP_ROOT]
#
# BACKUP_ROOT (the argument, or the variable) defaults to ~/.local/share/onewindow/backups
# (XDG_DATA_HOME): outside the repository, so `make clean` cannot delete it, and apart from the
# local trial's keys (~/.config/onewindow/, scripts/serve_secrets.py).
#
# DATABASE_URL names the database (default the production profile's
# postgres://postgres@127.0.0.1:5432/onewindow_prod); MEDIA_ROOT the files (default var/media).
#
# The keys are NOT in the backup, on purpose: ID numbers, phones and addresses are encrypted
# with DATA_ENCRYPTION_KEYS / BLIND_INDEX_KEY and the audit chain is sealed with AUDIT_CHAIN_KEY.
# A backup without its keys cannot be read; keys stored beside it would let anyone who takes the
# backup read it. Keep the keys (production: where the servers get them; the local trial:
# ~/.config/onewindow/serve-secrets.env) in a separate, protected place. The MANIFEST names the data keys by
# their ids only, so that a restore can tell whether it has the right ones.
set -euo pipefail
cd "$(dirname "$0")/.."

log() { printf '[onewindow] %s\n' "$*" >&2; }
database_url="${DATABASE_URL:-postgres://postgres@127.0.0.1:5432/onewindow_prod}"
case "$database_url" in
  postgres://* | postgresql://*) ;;
  *) log "DATABASE_URL must name a PostgreSQL database (pg_dump)"; exit 2 ;;
esac
media_root="${MEDIA_ROOT:-var/media}"
root="${1:-${BACKUP_ROOT:-${XDG_DATA_HOME:-$HOME/.local/share}/onewindow/backups}}"
stamp=$(date -u +%Y%m%dT%H%M%SZ)
dest="$root/onewindow-$stamp"
if [ -e "$dest" ]; then
  log "$dest exists already; try again in a second"
  exit 1
fi
umask 077
mkdir -p "$dest.partial"
# Whatever fails, no half backup is left under the final name.
trap 'rm -rf "$dest.partial"' EXIT

log "dumping the database"
pg_dump --format=custom --compress=6 --file="$dest.partial/database.dump" --dbname="$database_url"

if [ -d "$media_root" ]; then
  log "archiving the uploaded files in $media_root"
  tar -C "$media_root" -czf "$dest.partial/media.tar.gz" .
else
  log "no folder $media_root: an empty media archive"
  tar -czf "$dest.partial/media.tar.gz" -T /dev/null
fi

# The data keys' ids (as core/crypto.py names them), never the keys.
key_ids=$(DATA_ENCRYPTION_KEYS="${DATA_ENCRYPTION_KEYS:-}" python3 - <<'EOF'
import base64, hashlib, os
ids = []
for text in os.environ.get("DATA_ENCRYPTION_KEYS", "").split(","):
    text = text.strip()
    if text:
        raw = base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
        ids.append(hashlib.sha256(raw).hexdigest()[:8])
print(",".join(ids) or "(DATA_ENCRYPTION_KEYS not set here)")
EOF
)
{
  echo "OneWindow backup $stamp"
  echo "database: $(printf '%s' "$database_url" | sed -E 's#//([^:@/]*):[^@/]*@#//\1:***@#')"
  echo "database.dump: pg_dump custom format ($(pg_dump --version))"
  echo "media.tar.gz: the files of $media_root"
  echo "data key ids: $key_ids"
  echo "KEYS ARE NOT IN THIS BACKUP. Restore needs the same DATA_ENCRYPTION_KEYS, BLIND_INDEX_KEY"
  echo "and AUDIT_CHAIN_KEY, kept separately (the local trial: ~/.config/onewindow/serve-secrets.env)."
  echo "Restore: scripts/restore.sh $dest <database name or URL>"
} > "$dest.partial/MANIFEST"
(cd "$dest.partial" && sha256sum database.dump media.tar.gz > SHA256SUMS)
mv "$dest.partial" "$dest"
trap - EXIT
log "backup written to $dest"
log "keys are not in the backup: keep DATA_ENCRYPTION_KEYS, BLIND_INDEX_KEY and AUDIT_CHAIN_KEY separately"
printf '%s\n' "$dest"
