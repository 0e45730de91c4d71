"""Backup and restore (scripts/backup.sh, scripts/restore.sh) on the local PostgreSQL server.

The scripts run pg_dump and pg_restore, so this test always runs against the PostgreSQL server
directly — whichever database the rest of the suite uses — on scratch databases of its own
(named after this process, dropped before and after): a migrated database with a case for a
registered person and an uploaded file is backed up, restored into a new database and media
folder, and the case, its person (ID number and phone decrypted with the same keys, the person
found again by the blind index of the ID number) and the file are read back there."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import pytest

from onewindow.core.crypto import generate_key

ROOT = Path(__file__).resolve().parents[4]
SERVER = os.environ.get("TEST_POSTGRES_SERVER", "postgres://postgres@127.0.0.1:5432")
PY = str(ROOT / ".venv" / "bin" / "python")

# The same test whichever database the suite uses: make test runs it in its PostgreSQL pass only.
pytestmark = pytest.mark.postgres_server


def psql(sql: str) -> str:
    done = subprocess.run(
        ["psql", "--no-psqlrc", "-tAq", "-d", f"{SERVER}/postgres", "-c", sql],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    return done.stdout.strip()


def drop(name: str) -> None:
    psql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture
def scratch():
    """Two database names of this process's own on the local server, none of them left."""
    names = (f"ow_backup_src_{os.getpid()}", f"ow_backup_dst_{os.getpid()}")
    for name in names:
        drop(name)
    yield names
    for name in names:
        drop(name)


def run(args: list[str], env: dict[str, str], timeout: int = 600) -> subprocess.CompletedProcess:
    return subprocess.run(args, cwd=ROOT, env=env, capture_output=True, text=True, timeout=timeout)


def test_a_backup_restored_into_a_new_database_reads_the_case_and_its_person(scratch, tmp_path):
    source, target = scratch
    keys = {"DATA_ENCRYPTION_KEYS": generate_key(), "BLIND_INDEX_KEY": generate_key()}
    base = {
        k: v
        for k, v in os.environ.items()
        if k not in {"DATABASE_URL", "MEDIA_ROOT", "DEBUG", "LOG_FORMAT", "DJANGO_SETTINGS_MODULE"}
    }
    base.update(keys, TASK_BACKEND="sync", ONEWINDOW_VAR=str(tmp_path / "var"))
    on_source = {**base, "DATABASE_URL": f"{SERVER}/{source}", "MEDIA_ROOT": str(tmp_path / "m1")}
    on_target = {**base, "DATABASE_URL": f"{SERVER}/{target}", "MEDIA_ROOT": str(tmp_path / "m2")}

    psql(f'CREATE DATABASE "{source}"')
    migrated = run([PY, "manage.py", "migrate", "--noinput", "-v", "0"], on_source)
    assert migrated.returncode == 0, migrated.stderr
    scene = "from onewindow.config.tests.backup_scene import build; build()"
    built = run([PY, "manage.py", "shell", "-c", scene], on_source)
    assert built.returncode == 0, built.stderr
    made = json.loads(built.stdout.strip().splitlines()[-1])

    backed = run(["bash", "scripts/backup.sh", str(tmp_path / "backups")], on_source)
    assert backed.returncode == 0, backed.stderr
    folder = Path(backed.stdout.strip().splitlines()[-1])
    assert sorted(p.name for p in folder.iterdir()) == [
        "MANIFEST",
        "SHA256SUMS",
        "database.dump",
        "media.tar.gz",
    ]
    manifest = (folder / "MANIFEST").read_text()
    assert "KEYS ARE NOT IN THIS BACKUP" in manifest
    for key in keys.values():  # named by id only, never the key itself
        assert all(key not in p.read_bytes().decode("latin-1") for p in folder.iterdir())
    assert "keys are not in the backup" in backed.stderr

    # The restore goes to the source's server, into a database named on the command line.
    restored = run(
        ["bash", "scripts/restore.sh", str(folder), target],
        on_source | {"MEDIA_ROOT": on_target["MEDIA_ROOT"]},
    )
    assert restored.returncode == 0, restored.stderr
    check = f"from onewindow.config.tests.backup_scene import read; read({made['number']!r}, "
    check += f"{made['media']!r})"
    read = run([PY, "manage.py", "shell", "-c", check], on_target)
    assert read.returncode == 0, read.stderr
    assert json.loads(read.stdout.strip().splitlines()[-1]) == {
        "item": "既有住宅增设电梯",
        "state": "accepted",
        "same_person": True,
        "name": "陈大文",
        "id_number": "440103199003070010",
        "phone": "13800138000",
        "media": "申请表 / application form\n",
    }

    # A restore never writes over a database, nor into files already there.
    again = run(
        ["bash", "scripts/restore.sh", str(folder), target],
        on_source | {"MEDIA_ROOT": str(tmp_path / "m3")},
    )
    assert again.returncode == 1
    assert f"database {target} exists already" in again.stderr
    assert not (tmp_path / "m3").exists()


def test_a_damaged_backup_is_refused_before_anything_is_created(scratch, tmp_path):
    _source, target = scratch
    folder = tmp_path / "onewindow-broken"
    folder.mkdir()
    (folder / "database.dump").write_bytes(b"PGDMP not really")
    (folder / "media.tar.gz").write_bytes(b"")
    (folder / "SHA256SUMS").write_text(
        "0" * 64 + "  database.dump\n" + "0" * 64 + "  media.tar.gz\n"
    )
    env = {**os.environ, "DATABASE_URL": f"{SERVER}/postgres", "MEDIA_ROOT": str(tmp_path / "m")}
    done = run(["bash", "scripts/restore.sh", str(folder), target], env)
    assert done.returncode == 1
    assert "checksums do not match" in done.stderr
    assert psql(f"SELECT count(*) FROM pg_database WHERE datname = '{target}'") == "0"
    assert not (tmp_path / "m").exists()
