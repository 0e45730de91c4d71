"""Database triggers that keep the audit table append-only (installed by migration 0002).

On PostgreSQL and on SQLite alike:

- ``DELETE`` of an audit row fails (PostgreSQL also refuses ``TRUNCATE`` of the table);
- ``UPDATE`` of an audit row fails, except the seal's one filling of ``seq``, ``prev_hash``,
  ``row_hash`` and ``field_macs`` on a row not yet sealed, with every other column unchanged;
- the seal's stored head (``core_auditsealhead``, one row) can only move forward: an update
  must raise its ``seq``; deleting (or truncating) it fails.

Both raise an integrity error (``django.db.IntegrityError``) whatever the path: the ORM, raw SQL
or another client of the database. Only ``manage.py flush`` (the operator's reset of a whole
database, also used between transactional tests) lifts the guard, inside its own transaction,
with ``guard_lifted``.

A later migration that rebuilds ``core_auditlog`` on SQLite (Django copies the table for most
field changes there) drops these triggers with the old table: it must run ``install`` again. The
tests in ``core/tests/test_audit_chain.py`` fail if the triggers are missing.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from django.db import transaction

TABLE = "core_auditlog"
MESSAGE = "audit rows cannot be changed or deleted / 审计记录不可修改或删除"
SEAL_COLUMNS = ("seq", "prev_hash", "row_hash", "field_macs")
# The columns the seal must leave as they are (SQLite has no row-to-JSON comparison).
KEPT_COLUMNS = (
    "id",
    "at",
    "actor_id",
    "action",
    "object_type",
    "object_id",
    "object_repr",
    "allowed",
    "detail",
)

_PG_SEAL_COLUMNS = " - ".join(f"'{name}'" for name in SEAL_COLUMNS)
POSTGRESQL_INSTALL = [
    f"""
CREATE OR REPLACE FUNCTION core_auditlog_guard() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'UPDATE' THEN
        IF OLD.seq IS NULL AND NEW.seq IS NOT NULL
           AND (to_jsonb(OLD) - {_PG_SEAL_COLUMNS}) = (to_jsonb(NEW) - {_PG_SEAL_COLUMNS}) THEN
            RETURN NEW;
        END IF;
    END IF;
    RAISE EXCEPTION '{MESSAGE}' USING ERRCODE = 'integrity_constraint_violation';
END;
$$
""",
    f"""
CREATE TRIGGER core_auditlog_guard BEFORE UPDATE OR DELETE ON {TABLE}
FOR EACH ROW EXECUTE FUNCTION core_auditlog_guard()
""",
    f"""
CREATE TRIGGER core_auditlog_guard_truncate BEFORE TRUNCATE ON {TABLE}
FOR EACH STATEMENT EXECUTE FUNCTION core_auditlog_guard()
""",
]
POSTGRESQL_REMOVE = [
    f"DROP TRIGGER IF EXISTS core_auditlog_guard_truncate ON {TABLE}",
    f"DROP TRIGGER IF EXISTS core_auditlog_guard ON {TABLE}",
    "DROP FUNCTION IF EXISTS core_auditlog_guard()",
]

# The seal's stored head (``AuditSealHead``, one row): it only moves forward, never goes away.
HEAD_TABLE = "core_auditsealhead"
HEAD_MESSAGE = "the audit seal head only moves forward / 审计链尾记录只能前移，不可删除"
POSTGRESQL_HEAD_INSTALL = [
    f"""
CREATE OR REPLACE FUNCTION core_auditlog_guard_head() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'UPDATE' AND NEW.id = OLD.id AND NEW.seq > OLD.seq THEN
        RETURN NEW;
    END IF;
    RAISE EXCEPTION '{HEAD_MESSAGE}' USING ERRCODE = 'integrity_constraint_violation';
END;
$$
""",
    f"""
CREATE TRIGGER core_auditlog_guard_head BEFORE UPDATE OR DELETE ON {HEAD_TABLE}
FOR EACH ROW EXECUTE FUNCTION core_auditlog_guard_head()
""",
    f"""
CREATE TRIGGER core_auditlog_guard_head_truncate BEFORE TRUNCATE ON {HEAD_TABLE}
FOR EACH STATEMENT EXECUTE FUNCTION core_auditlog_guard_head()
""",
]
POSTGRESQL_HEAD_REMOVE = [
    f"DROP TRIGGER IF EXISTS core_auditlog_guard_head_truncate ON {HEAD_TABLE}",
    f"DROP TRIGGER IF EXISTS core_auditlog_guard_head ON {HEAD_TABLE}",
    "DROP FUNCTION IF EXISTS core_auditlog_guard_head()",
]
SQLITE_HEAD_INSTALL = [
    f"""
CREATE TRIGGER core_auditlog_guard_head_delete BEFORE DELETE ON {HEAD_TABLE}
BEGIN SELECT RAISE(ABORT, '{HEAD_MESSAGE}'); END
""",
    f"""
CREATE TRIGGER core_auditlog_guard_head_update BEFORE UPDATE ON {HEAD_TABLE}
WHEN NOT (NEW.id IS OLD.id AND NEW.seq > OLD.seq)
BEGIN SELECT RAISE(ABORT, '{HEAD_MESSAGE}'); END
""",
]
SQLITE_HEAD_REMOVE = [
    "DROP TRIGGER IF EXISTS core_auditlog_guard_head_update",
    "DROP TRIGGER IF EXISTS core_auditlog_guard_head_delete",
]

_SQLITE_KEPT = " AND ".join(f"NEW.{name} IS OLD.{name}" for name in KEPT_COLUMNS)
SQLITE_INSTALL = [
    f"""
CREATE TRIGGER core_auditlog_guard_delete BEFORE DELETE ON {TABLE}
BEGIN SELECT RAISE(ABORT, '{MESSAGE}'); END
""",
    f"""
CREATE TRIGGER core_auditlog_guard_update BEFORE UPDATE ON {TABLE}
WHEN NOT (OLD.seq IS NULL AND NEW.seq IS NOT NULL AND {_SQLITE_KEPT})
BEGIN SELECT RAISE(ABORT, '{MESSAGE}'); END
""",
]
SQLITE_REMOVE = [
    "DROP TRIGGER IF EXISTS core_auditlog_guard_update",
    "DROP TRIGGER IF EXISTS core_auditlog_guard_delete",
]


def log_statements(vendor: str, *, install: bool) -> list[str]:
    """The SQL that installs (or removes) the audit table's guard (migration 0002)."""
    if vendor == "postgresql":
        return POSTGRESQL_INSTALL if install else POSTGRESQL_REMOVE
    if vendor == "sqlite":
        return SQLITE_INSTALL if install else SQLITE_REMOVE
    return []


def head_statements(vendor: str, *, install: bool) -> list[str]:
    """The SQL that installs (or removes) the seal head's guard (migration 0003)."""
    if vendor == "postgresql":
        return POSTGRESQL_HEAD_INSTALL if install else POSTGRESQL_HEAD_REMOVE
    if vendor == "sqlite":
        return SQLITE_HEAD_INSTALL if install else SQLITE_HEAD_REMOVE
    return []


def statements(vendor: str, *, install: bool) -> list[str]:
    """The SQL that installs (or removes) the whole guard on this database vendor."""
    log = log_statements(vendor, install=install)
    head = head_statements(vendor, install=install)
    return [*log, *head] if install else [*head, *log]


def _execute(connection: Any, sql: list[str]) -> None:
    with connection.cursor() as cursor:
        for statement in sql:
            cursor.execute(statement)


def install(connection: Any) -> None:
    _execute(connection, statements(connection.vendor, install=True))


def remove(connection: Any) -> None:
    _execute(connection, statements(connection.vendor, install=False))


def installed(connection: Any) -> bool:
    """Whether this database has the guard (any vendor without one answers ``False``)."""
    if connection.vendor == "postgresql":
        sql = "SELECT count(*) FROM pg_trigger WHERE tgname LIKE 'core_auditlog_guard%'"
    elif connection.vendor == "sqlite":
        sql = (
            "SELECT count(*) FROM sqlite_master WHERE type = 'trigger' "
            "AND name LIKE 'core_auditlog_guard%'"
        )
    else:
        return False
    with connection.cursor() as cursor:
        cursor.execute(sql)
        return bool(cursor.fetchone()[0])


@contextmanager
def guard_lifted(connection: Any) -> Iterator[None]:
    """Inside one transaction: the guard removed, then installed again before commit (DDL is
    transactional on both databases, so a failure leaves the guard in place). A database
    without the guard (not migrated yet) is left as it is."""
    with transaction.atomic(using=connection.alias):
        guarded = installed(connection)
        if guarded:
            remove(connection)
        yield
        if guarded:
            install(connection)
