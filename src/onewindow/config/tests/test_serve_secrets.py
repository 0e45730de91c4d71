"""The local trial's keys (scripts/serve_secrets.py, run by scripts/serve.sh): kept outside the
repository (``make clean`` removes ``var/``), generated only for a database without migrations —
never new keys for a database that holds data encrypted with the old ones.

Like test_backup, this talks to the local PostgreSQL server directly, on scratch databases named
after this process (dropped before and after)."""

from __future__ import annotations

import os
import stat
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[4]
SERVER = os.environ.get("TEST_POSTGRES_SERVER", "postgres://postgres@127.0.0.1:5432")
PY = str(ROOT / ".venv" / "bin" / "python")
SCRIPT = str(ROOT / "scripts" / "serve_secrets.py")
NAMES = ("SECRET_KEY", "DATA_ENCRYPTION_KEYS", "BLIND_INDEX_KEY", "AUDIT_CHAIN_KEY")


def psql(sql: str, database: str = "postgres") -> None:
    done = subprocess.run(
        ["psql", "--no-psqlrc", "-tAq", "-d", f"{SERVER}/{database}", "-c", sql],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr


@pytest.fixture
def database():
    name = f"ow_secrets_{os.getpid()}"
    psql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    yield name
    psql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def run(database: str, home: Path, old: Path | None = None) -> subprocess.CompletedProcess:
    """The script with every path it touches under this test's own folder — never the
    repository's var/ (the real local keys may be there)."""
    env = {k: v for k, v in os.environ.items() if k not in NAMES and k != "ONEWINDOW_SECRETS_FILE"}
    env.update(
        DATABASE_URL=f"{SERVER}/{database}",
        XDG_CONFIG_HOME=str(home),
        ONEWINDOW_OLD_SECRETS_FILE=str(old or home / "no-old-file" / "serve-secrets.env"),
    )
    cwd = home / "cwd"
    cwd.mkdir(parents=True, exist_ok=True)
    return subprocess.run(
        [PY, SCRIPT], cwd=cwd, env=env, capture_output=True, text=True, timeout=120
    )


def test_keys_are_generated_once_outside_the_repository_for_a_new_database(database, tmp_path):
    first = run(database, tmp_path)
    assert first.returncode == 0, first.stderr
    path = tmp_path / "onewindow" / "serve-secrets.env"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert [line.partition("=")[0] for line in first.stdout.splitlines()] == list(NAMES)
    assert sorted(first.stdout.splitlines()) == sorted(path.read_text().splitlines())
    again = run(database, tmp_path)
    assert again.returncode == 0 and again.stdout == first.stdout
    assert "reading" in again.stderr


def test_no_new_keys_for_a_database_with_migrations_applied(database, tmp_path):
    psql(f'CREATE DATABASE "{database}"')
    psql(
        "CREATE TABLE django_migrations (id serial, app text, name text, applied timestamptz);"
        "INSERT INTO django_migrations (app, name, applied) VALUES ('core', '0001', now())",
        database,
    )
    refused = run(database, tmp_path)
    assert refused.returncode == 1
    assert refused.stdout == ""
    assert "拒绝生成新密钥" in refused.stderr
    assert "refusing to generate new keys" in refused.stderr
    assert f"{database} has 1 migrations applied" in refused.stderr
    assert not (tmp_path / "onewindow").exists()


def test_a_file_at_the_old_place_under_var_is_moved_out_of_make_cleans_reach(database, tmp_path):
    old = tmp_path / "work" / "var" / "serve-secrets.env"
    old.parent.mkdir(parents=True)
    old.write_text("".join(f"{name}=old-{name.lower()}\n" for name in NAMES))
    moved = run(database, tmp_path / "home", old=old)
    assert moved.returncode == 0, moved.stderr
    assert not old.exists()
    assert (tmp_path / "home" / "onewindow" / "serve-secrets.env").exists()
    assert "DATA_ENCRYPTION_KEYS=old-data_encryption_keys" in moved.stdout.splitlines()
