"""The local trial's secrets for scripts/serve.sh: prints ``NAME=value`` lines for those of
SECRET_KEY, DATA_ENCRYPTION_KEYS, BLIND_INDEX_KEY and AUDIT_CHAIN_KEY not set in the environment.

They are read from ONEWINDOW_SECRETS_FILE (default ``~/.config/onewindow/serve-secrets.env``,
outside the repository, so ``make clean`` cannot delete them; mode 0600). The file is generated
only for a database that has no migration applied yet (absent or empty): new keys for an existing
database would make every encrypted ID number, phone, address and TOTP key unreadable and the
audit chain unverifiable, so then this refuses (exit 1) and says what to do. A file left at the
old place, ``var/serve-secrets.env`` (ONEWINDOW_OLD_SECRETS_FILE), is moved to the new one.

Production sets the four in the environment (ADR 0010) and never uses this file.
"""

from __future__ import annotations

import base64
import os
import secrets
import sys
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

NAMES = ("SECRET_KEY", "DATA_ENCRYPTION_KEYS", "BLIND_INDEX_KEY", "AUDIT_CHAIN_KEY")


def log(text: str) -> None:
    print(f"[onewindow serve] {text}", file=sys.stderr)


def legacy_path() -> Path:
    """Where the file was kept before (relative to the repository, where serve.sh runs)."""
    return Path(os.environ.get("ONEWINDOW_OLD_SECRETS_FILE", "").strip() or "var/serve-secrets.env")


def secrets_path() -> Path:
    given = os.environ.get("ONEWINDOW_SECRETS_FILE", "").strip()
    if given:
        return Path(given)
    config = os.environ.get("XDG_CONFIG_HOME", "").strip() or str(Path.home() / ".config")
    return Path(config) / "onewindow" / "serve-secrets.env"


def applied_migrations(database_url: str) -> int:
    """How many migrations the database has applied; 0 when it does not exist yet."""
    import psycopg

    url = urlsplit(database_url)
    name = url.path.lstrip("/")
    with psycopg.connect(urlunsplit(url._replace(path="/postgres")), autocommit=True) as conn:
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,)).fetchone():
            return 0
    with psycopg.connect(database_url, autocommit=True) as conn:
        row = conn.execute("SELECT to_regclass('django_migrations') IS NOT NULL").fetchone()
        if not row or not row[0]:
            return 0
        return int(conn.execute("SELECT count(*) FROM django_migrations").fetchone()[0])


def generated() -> str:
    def key() -> str:
        return base64.urlsafe_b64encode(secrets.token_bytes(32)).rstrip(b"=").decode()

    return (
        f"SECRET_KEY={secrets.token_urlsafe(50)}\nDATA_ENCRYPTION_KEYS={key()}\n"
        f"BLIND_INDEX_KEY={key()}\nAUDIT_CHAIN_KEY={key()}\n"
    )


def main() -> int:
    missing = [name for name in NAMES if not os.environ.get(name)]
    if not missing:
        return 0
    path, legacy = secrets_path(), legacy_path()
    if not path.exists() and legacy.exists():
        path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        legacy.replace(path)
        log(f"moved {legacy} to {path} (out of make clean's reach)")
    if not path.exists():
        database_url = os.environ["DATABASE_URL"]
        try:
            applied = applied_migrations(database_url)
        except Exception as exc:
            log(f"无法检查数据库是否已有数据 / cannot tell whether the database holds data: {exc}")
            return 1
        if applied:
            name = urlsplit(database_url).path.lstrip("/")
            log(
                f"拒绝生成新密钥：数据库 {name} 已应用 {applied} 个迁移，"
                "新密钥将使已加密的数据无法读取。"
                f"请恢复原密钥文件 {path}（或在环境中设置 {'、'.join(missing)}）；"
                "若确实要重新开始，请先删除该数据库。"
            )
            log(
                f"refusing to generate new keys: database {name} has {applied} migrations applied "
                "and new keys would make its encrypted data unreadable. Put the original secrets "
                f"file back at {path} (or set {', '.join(missing)} in the environment); to start "
                "over on purpose, drop that database first."
            )
            return 1
        path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        partial = path.with_name(path.name + ".new")
        fd = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w") as handle:
            handle.write(generated())
        partial.replace(path)
        log(f"generated {' '.join(missing)} into {path} (mode 0600): a local trial convenience;")
        log("production sets them in the environment. Back this file up apart from the database.")
    else:
        log(f"reading {' '.join(missing)} from {path} (local trial; production sets them)")
    values = {}
    for line in path.read_text().splitlines():
        name, _eq, value = line.partition("=")
        values.setdefault(name.strip(), value.strip())
    for name in missing:
        if not values.get(name):
            log(f"{path} 缺少 {name} / {path} has no {name}")
            return 1
        print(f"{name}={values[name]}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
